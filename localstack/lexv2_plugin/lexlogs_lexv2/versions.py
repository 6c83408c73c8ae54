"""Bot versions, which moto lacks and the twin keeps itself (models.py): CreateBotVersion takes an
immutable snapshot of the DRAFT; DescribeBotVersion, ListBotVersions and DeleteBotVersion."""

from . import answers, models
from .models import DRAFT


def create_bot_version(context, request):
    bot_id = request["botId"]
    bot = answers.backend(context).bots[bot_id]
    model = answers.bot_model(context, bot_id)
    spec = request["botVersionLocaleSpecification"]
    locales = {}
    for locale_id, details in spec.items():
        source = details["sourceBotVersion"]
        source_locales = models.locales_of(model, source)
        if source_locales is None:
            raise answers.precondition(
                f"Failed to retrieve resource since it does not exist: version {source} of bot {bot_id}"
            )
        locale = source_locales.get(locale_id)
        if locale is None:
            raise answers.precondition(
                f"Failed to retrieve resource since it does not exist: locale {locale_id} of version {source} of bot {bot_id}"
            )
        if locale.current_status() != "Built":
            raise answers.precondition(
                f"Bot locale {locale_id} of version {source} is {locale.current_status()}, not Built; "
                "build the locale before creating a version"
            )
        locales[locale_id] = models.frozen_copy(locale)
    model.versions_created += 1
    number = str(model.versions_created)
    created = models.now()
    model.versions[number] = models.Version(
        number=number,
        description=request.get("description"),
        bot_name=bot.bot_name,
        role_arn=bot.role_arn,
        data_privacy=models.deep_copy(bot.data_privacy),
        idle_session_ttl_in_seconds=bot.idle_session_ttl_in_seconds,
        bot_type=bot.bot_type,
        locales=locales,
        source=models.deep_copy(spec),
        created=created,
    )
    response = {
        "botId": bot_id,
        "botVersion": number,
        "botVersionLocaleSpecification": spec,
        "botStatus": "Versioning",  # what CreateBotVersion answers; DescribeBotVersion then says Available
        "creationDateTime": created,
    }
    if request.get("description") is not None:
        response["description"] = request["description"]
    return response


def _version_or_fail(context, model, bot_id: str, version: str) -> models.Version:
    snapshot = model.versions.get(version)
    if snapshot is None:
        raise answers.not_found(
            context.operation.name,
            f"Failed to retrieve resource since it does not exist: version {version} of bot {bot_id}",
        )
    return snapshot


def describe_bot_version(context, request):
    bot_id, version = request["botId"], request["botVersion"]
    snapshot = _version_or_fail(context, answers.bot_model(context, bot_id), bot_id, version)
    response = {
        "botId": bot_id,
        "botName": snapshot.bot_name,
        "botVersion": snapshot.number,
        "description": snapshot.description,
        "roleArn": snapshot.role_arn,
        "dataPrivacy": snapshot.data_privacy,
        "idleSessionTTLInSeconds": snapshot.idle_session_ttl_in_seconds,
        "botStatus": "Available",
        "failureReasons": [],
        "creationDateTime": snapshot.created,
        "parentBotNetworks": [],
        "botType": snapshot.bot_type,
    }
    return {k: v for k, v in response.items() if v is not None}


def list_bot_versions(context, request):
    bot_id = request["botId"]
    bot = answers.backend(context).bots[bot_id]
    model = answers.bot_model(context, bot_id)
    draft = {"botName": bot.bot_name, "botVersion": DRAFT, "botStatus": "Available",
             "creationDateTime": bot.creation_date_time}
    if bot.description:
        draft["description"] = bot.description
    numbered = []
    for snapshot in sorted(model.versions.values(), key=lambda v: int(v.number)):
        summary = {"botName": snapshot.bot_name, "botVersion": snapshot.number,
                   "botStatus": "Available", "creationDateTime": snapshot.created}
        if snapshot.description is not None:
            summary["description"] = snapshot.description
        numbered.append(summary)
    summaries = [draft] + numbered  # DRAFT first when ascending (assumed)
    if (request.get("sortBy") or {}).get("order") == "Descending":
        summaries.reverse()
    page, token = answers.page(summaries, request)
    response = {"botId": bot_id, "botVersionSummaries": page}
    if token:
        response["nextToken"] = token
    return response


def delete_bot_version(context, request):
    bot_id, version = request["botId"], request["botVersion"]
    model = answers.bot_model(context, bot_id)
    _version_or_fail(context, model, bot_id, version)
    if not request.get("skipResourceInUseCheck"):
        users = sorted(
            a.bot_alias_name for a in answers.backend(context).bot_aliases.values()
            if a.bot_id == bot_id and str(a.bot_version) == version
        )
        if users:
            raise answers.in_use(
                f"Version {version} of bot {bot_id} is used by bot alias(es) {', '.join(users)}; "
                "point them at another version first or set skipResourceInUseCheck"
            )
    del model.versions[version]
    return {"botId": bot_id, "botVersion": version, "botStatus": "Deleting"}

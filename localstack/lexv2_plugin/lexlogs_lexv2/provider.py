"""LocalStack provider plugin that serves `lexv2-models`: a twin of the Amazon Lex V2 model-building
API, built on moto's basic backend and mending its gaps. FIDELITY.md (next to this package's
parent) lists each behaviour, what AWS documents for it, and whether it is modelled or assumed.

Every request, in order:
1. is validated against the botocore service model LocalStack loads (validation.py): required
   members, lengths, enums, patterns and ranges, answered with AWS's `ValidationException` (400);
2. is checked against what exists: a missing bot or alias is `ResourceNotFoundException` (404) for
   reads and `PreconditionFailedException` (412) for creates, builds, updates and deletes; an alias
   id must belong to the bot in the path; `TSTALIASID` names the bot's TestBotAlias;
3. is served either by this plugin (bot locales and bot versions, which moto lacks; models.py) or by
   moto (bots, aliases, tags, resource policies), with these mends:
   - bot and alias ids are AWS-shaped (10 upper-case letters and digits), as the model's `Id` wants;
   - statuses answer `Available` instead of staying `CREATING` for ever;
   - `ListBots` applies its name filter and reports `latestBotVersion` from real versions;
   - `ListBotAliases` lists only the aliases of the bot asked for;
   - every bot has a `TestBotAlias` with the fixed id `TSTALIASID` on `DRAFT`, which stays on DRAFT;
   - CreateBotAlias/UpdateBotAlias refuse a version that does not exist;
   - DeleteBot refuses while the bot has aliases other than TestBotAlias, DeleteBotVersion while an
     alias uses the version (`ResourceInUseException`, unless `skipResourceInUseCheck`);
   - CreateBot/UpdateBot refuse a role younger than the account's `iam_propagation_seconds`
     (settings.py), as AWS does while IAM propagates a new role.
Operations run one at a time (models.LOCK): LocalStack serves requests on several threads, and
moto's backend (and the mending here) iterates dicts that a concurrent create would change under it.

The same package adds IAM's protection of service-linked roles (iam_slr.py) and the emulator
settings endpoint `/_lexlogs/settings` (settings_api.py).
"""

import random
import string

from localstack.aws.api import CommonServiceException, RequestContext, ServiceRequest
from localstack.aws.spec import load_service
from localstack.runtime import hooks
from localstack.services.plugins import Service, aws_provider

from . import models, settings
from .models import DRAFT, LOCK, TEST_ALIAS_ID, TEST_ALIAS_NAME
from .validation import ValidationError, validate

SERVICE_NAME = "lexv2-models"
STATUS_FIELDS = ("botStatus", "botAliasStatus", "botLocaleStatus", "status")
# Operations whose "does not exist" is PreconditionFailedException (the model lists no
# ResourceNotFoundException for them); reads and lists answer ResourceNotFoundException.
MUTATING_PREFIXES = ("Update", "Delete", "Create", "Build")
ID_ALPHABET = string.ascii_uppercase + string.digits


class LexModelsV2Provider:
    """The provider object LocalStack expects; all behaviour lives in the dispatch table."""

    service = SERVICE_NAME


def _error(code: str, message: str, status: int) -> CommonServiceException:
    return CommonServiceException(code, message, status_code=status, sender_fault=True)


def _precondition(message: str) -> CommonServiceException:
    return _error("PreconditionFailedException", message, 412)


def _not_found(operation: str, message: str) -> CommonServiceException:
    if operation.startswith(MUTATING_PREFIXES):
        return _precondition(message)
    return _error("ResourceNotFoundException", message, 404)


def _in_use(message: str) -> CommonServiceException:
    # The API reference names ResourceInUseException (DeleteBot, DeleteBotVersion); the botocore
    # model does not define it, so its HTTP status is assumed (400, as Lex V1's ResourceInUseException).
    return _error("ResourceInUseException", message, 400)


def _backend(context: RequestContext):
    from moto.lexv2models.models import lexv2models_backends

    return lexv2models_backends[context.account_id][context.region]


def _model(context: RequestContext, bot_id: str) -> models.BotModel:
    return models.bot_model(context.account_id, context.region, bot_id)


# --- AWS-shaped ids for moto's bots and aliases ------------------------------------------------


def _new_id(taken) -> str:
    while True:
        candidate = "".join(random.choices(ID_ALPHABET, k=10))
        if candidate != TEST_ALIAS_ID and candidate not in taken:
            return candidate


def _patch_moto_ids() -> None:
    """moto gives bots and aliases uuid4 ids (36 characters); Lex V2 ids are 10 characters, and the
    validation rejects anything else in a path. Also fixes moto's alias ARN (`/$BOT/$ALIAS`)."""
    from moto.lexv2models import models as moto_models

    if getattr(moto_models, "_lexlogs_ids_patched", False):
        return
    bot_init = moto_models.FakeBot.__init__
    alias_init = moto_models.FakeBotAlias.__init__

    def fake_bot_init(self, *args, **kwargs):
        bot_init(self, *args, **kwargs)
        backend = moto_models.lexv2models_backends[self.account_id][self.region_name]
        self.id = _new_id(backend.bots)
        self.arn = self._generate_arn()

    def fake_alias_init(self, *args, **kwargs):
        alias_init(self, *args, **kwargs)
        backend = moto_models.lexv2models_backends[self.account_id][self.region_name]
        self.id = _new_id(backend.bot_aliases)
        self.arn = f"arn:aws:lex:{self.region_name}:{self.account_id}:bot-alias/{self.bot_id}/{self.id}"

    moto_models.FakeBot.__init__ = fake_bot_init
    moto_models.FakeBotAlias.__init__ = fake_alias_init
    moto_models._lexlogs_ids_patched = True


# --- references -------------------------------------------------------------------------------


def _test_alias(backend, bot_id: str):
    return models.find_alias(backend, bot_id, TEST_ALIAS_ID)


def _check_references(context: RequestContext, request: ServiceRequest) -> ServiceRequest:
    """Fails like AWS when the bot or alias in the request does not exist; maps TSTALIASID."""
    operation = context.operation.name
    backend = _backend(context)
    bot_id = request.get("botId")
    if bot_id is not None and operation != "CreateBot" and bot_id not in backend.bots:
        raise _not_found(operation, f"Failed to retrieve resource since it does not exist: bot {bot_id}")
    alias_id = request.get("botAliasId")
    if alias_id is None or bot_id is None:
        return request
    alias = models.find_alias(backend, bot_id, alias_id)
    if alias is None:
        raise _not_found(operation, f"Bot alias {alias_id} of bot {bot_id} does not exist")
    if alias_id == TEST_ALIAS_ID:
        request = dict(request)
        request["botAliasId"] = alias.id
    return request


# --- IAM propagation --------------------------------------------------------------------------


def _check_role_propagated(context: RequestContext, request: ServiceRequest) -> None:
    role_arn = request.get("roleArn")
    if role_arn and not settings.role_assumable_yet(context.account_id, role_arn):
        # AWS's wording is not documented; this keeps to what clients match on (code
        # ValidationException, a message naming the role and "assume"): see FIDELITY.md.
        raise ValidationError(
            f"Amazon Lex could not assume the role {role_arn}. Check that the role exists and that "
            "it trusts lexv2.amazonaws.com; a role created moments ago may not be usable yet."
        )


# --- aliases: versions must exist; the test alias stays on DRAFT -----------------------------------


def _check_alias_version(context: RequestContext, request: ServiceRequest) -> ServiceRequest:
    operation = context.operation.name
    backend = _backend(context)
    bot_id = request["botId"]
    model = _model(context, bot_id)
    version = request.get("botVersion")
    if operation == "UpdateBotAlias":
        alias = backend.bot_aliases[request["botAliasId"]]
        is_test = alias.bot_alias_name == TEST_ALIAS_NAME
        if version is None:
            # moto would store None; keep the alias on the version it has (assumed).
            request = dict(request)
            request["botVersion"] = version = str(alias.bot_version)
        if is_test:
            if version != DRAFT:
                raise ValidationError(
                    f"The bot alias {TEST_ALIAS_NAME} ({TEST_ALIAS_ID}) must use the {DRAFT} version; "
                    f"it cannot be changed to version {version}."
                )
            return request
        if version == DRAFT:
            raise ValidationError(
                f"Only {TEST_ALIAS_NAME} can use the {DRAFT} version; choose a numbered version for "
                f"bot alias {request.get('botAliasName')}."
            )
    if version not in model.versions:
        raise _precondition(
            f"Failed to retrieve resource since it does not exist: version {version} of bot {bot_id}"
        )
    return request


def _check_delete_bot(context: RequestContext, request: ServiceRequest) -> None:
    if request.get("skipResourceInUseCheck"):
        return
    backend = _backend(context)
    bot_id = request["botId"]
    in_use = sorted(
        a.bot_alias_name for a in backend.bot_aliases.values()
        if a.bot_id == bot_id and a.bot_alias_name != TEST_ALIAS_NAME
    )
    if in_use:
        raise _in_use(
            f"Bot {bot_id} is used by bot alias(es) {', '.join(in_use)}; delete them first or set "
            "skipResourceInUseCheck"
        )


def _after_delete_bot(context: RequestContext, bot_id: str) -> None:
    backend = _backend(context)
    for alias_id in [a.id for a in backend.bot_aliases.values() if a.bot_id == bot_id]:
        backend.bot_aliases.pop(alias_id, None)
    models.forget_bot(context.account_id, context.region, bot_id)


# --- responses from moto ----------------------------------------------------------------------


def _mend_response(context: RequestContext, request: ServiceRequest, response: dict) -> dict:
    operation = context.operation.name
    backend = _backend(context)

    def mend_item(item: dict) -> None:
        for field in STATUS_FIELDS:
            if item.get(field) in ("Creating", "CREATING"):
                item[field] = "Available"
        alias = backend.bot_aliases.get(item.get("botAliasId"))
        if alias is not None and alias.bot_alias_name == TEST_ALIAS_NAME:
            item["botAliasId"] = TEST_ALIAS_ID

    if operation == "ListBotAliases":
        # Filter on the real ids before the test alias id is rewritten to TSTALIASID.
        bot_id = request["botId"]
        owned = {a.id for a in backend.bot_aliases.values() if a.bot_id == bot_id}
        response["botAliasSummaries"] = [
            s for s in response.get("botAliasSummaries") or [] if s.get("botAliasId") in owned
        ]
        response["botId"] = bot_id

    mend_item(response)
    for key in ("botSummaries", "botAliasSummaries"):
        for item in response.get(key) or []:
            mend_item(item)

    if operation == "ListBots":
        summaries = _filter_bots(request, response.get("botSummaries") or [])
        for summary in summaries:
            latest = models.latest_version(_model(context, summary["botId"]))
            if latest is None:
                summary.pop("latestBotVersion", None)
            else:
                summary["latestBotVersion"] = latest
        response["botSummaries"] = summaries
    return response


def _filter_bots(request: ServiceRequest, summaries: list) -> list:
    """Applies ListBots name filters (moto ignores them)."""
    for bot_filter in request.get("filters") or []:
        if bot_filter.get("name") != "BotName":
            continue
        values = bot_filter.get("values") or []
        operator = bot_filter.get("operator", "EQ")
        if operator == "EQ":
            summaries = [s for s in summaries if s.get("botName") in values]
        elif operator == "CO":
            summaries = [s for s in summaries if any(v in s.get("botName", "") for v in values)]
        elif operator == "NE":
            summaries = [s for s in summaries if s.get("botName") not in values]
    return summaries


def _after_create_bot(context: RequestContext, response: dict) -> None:
    """moto names the test alias `test` on version 1; AWS names it TestBotAlias on DRAFT."""
    backend = _backend(context)
    for alias in backend.bot_aliases.values():
        if alias.bot_id == response.get("botId") and alias.bot_alias_name == "test":
            alias.bot_alias_name = TEST_ALIAS_NAME
            alias.description = "test bot alias"
            alias.bot_version = DRAFT
            # moto stores {} for these; AWS omits what is unset ({} would not even pass validation
            # when a client sends back what it read).
            alias.bot_alias_locale_settings = None
            alias.conversation_log_settings = None
            alias.sentiment_analysis_settings = None


def _forward_to_moto(context: RequestContext, request: ServiceRequest):
    from localstack.services.moto import call_moto_with_request

    operation = context.operation.name
    if operation in ("CreateBot", "UpdateBot"):
        _check_role_propagated(context, request)
    elif operation in ("CreateBotAlias", "UpdateBotAlias"):
        request = _check_alias_version(context, request)
    elif operation == "DeleteBot":
        _check_delete_bot(context, request)
    try:
        # Re-serialising the request matters: the Rust SDK sends `/bots`, moto routes `/bots/`.
        response = call_moto_with_request(context, request)
    except KeyError as missing:
        raise _not_found(operation, f"Resource does not exist: {missing}") from None
    if operation == "CreateBot":
        _after_create_bot(context, response)
    elif operation == "DeleteBot":
        _after_delete_bot(context, request["botId"])
    return _mend_response(context, request, response)


# --- bot locales (plugin-owned) ---------------------------------------------------------------


def _locale_or_fail(context, model: models.BotModel, bot_id: str, version: str, locale_id: str):
    operation = context.operation.name
    locales = models.locales_of(model, version)
    if locales is None:
        raise _not_found(operation, f"Failed to retrieve resource since it does not exist: version {version} of bot {bot_id}")
    locale = locales.get(locale_id)
    if locale is None:
        raise _not_found(
            operation,
            f"Failed to retrieve resource since it does not exist: locale {locale_id} of version {version} of bot {bot_id}",
        )
    return locale


def _locale_fields(locale: models.Locale) -> dict:
    fields = {
        "localeId": locale.locale_id,
        "localeName": locale.locale_name,
        "description": locale.description,
        "nluIntentConfidenceThreshold": locale.nlu_intent_confidence_threshold,
        "voiceSettings": locale.voice_settings,
        "generativeAISettings": locale.generative_ai_settings,
        "botLocaleStatus": locale.current_status(),
    }
    return {k: v for k, v in fields.items() if v is not None}


def create_bot_locale(context, request):
    bot_id, locale_id = request["botId"], request["localeId"]
    model = _model(context, bot_id)
    if locale_id not in models.LOCALE_NAMES:
        raise ValidationError(f"The locale {locale_id} is not supported by Amazon Lex V2.")
    if locale_id in model.draft_locales:
        raise _error("ConflictException", f"Bot locale {locale_id} already exists in bot {bot_id}", 409)
    created = models.now()
    locale = models.Locale(
        locale_id=locale_id,
        locale_name=models.LOCALE_NAMES[locale_id],
        description=request.get("description"),
        nlu_intent_confidence_threshold=request["nluIntentConfidenceThreshold"],
        voice_settings=request.get("voiceSettings"),
        generative_ai_settings=request.get("generativeAISettings"),
        status="NotBuilt",
        created=created,
        updated=created,
    )
    model.draft_locales[locale_id] = locale
    response = {"botId": bot_id, "botVersion": DRAFT, **_locale_fields(locale), "creationDateTime": created}
    response["botLocaleStatus"] = "Creating"  # what CreateBotLocale answers; Describe then says NotBuilt
    return response


def describe_bot_locale(context, request):
    bot_id, version = request["botId"], request["botVersion"]
    locale = _locale_or_fail(context, _model(context, bot_id), bot_id, version, request["localeId"])
    response = {
        "botId": bot_id,
        "botVersion": version,
        **_locale_fields(locale),
        "intentsCount": 1,  # every locale has AMAZON.FallbackIntent
        "slotTypesCount": 0,
        "creationDateTime": locale.created,
        "lastUpdatedDateTime": locale.updated,
    }
    if locale.last_build_submitted is not None:
        response["lastBuildSubmittedDateTime"] = locale.last_build_submitted
    return response


def update_bot_locale(context, request):
    bot_id = request["botId"]
    locale = _locale_or_fail(context, _model(context, bot_id), bot_id, DRAFT, request["localeId"])
    locale.description = request.get("description")
    locale.nlu_intent_confidence_threshold = request["nluIntentConfidenceThreshold"]
    locale.voice_settings = request.get("voiceSettings")
    locale.generative_ai_settings = request.get("generativeAISettings")
    locale.updated = models.now()
    locale.status, locale.build_done_at = "NotBuilt", None  # a changed locale needs a new build
    return {"botId": bot_id, "botVersion": DRAFT, **_locale_fields(locale),
            "creationDateTime": locale.created, "lastUpdatedDateTime": locale.updated}


def list_bot_locales(context, request):
    bot_id, version = request["botId"], request["botVersion"]
    model = _model(context, bot_id)
    locales = models.locales_of(model, version)
    if locales is None:
        raise _not_found(context.operation.name, f"Failed to retrieve resource since it does not exist: version {version} of bot {bot_id}")
    items = list(locales.values())
    for locale_filter in request.get("filters") or []:
        values = locale_filter.get("values") or []
        if locale_filter.get("operator") == "CO":
            items = [i for i in items if any(v in i.locale_name for v in values)]
        else:
            items = [i for i in items if i.locale_name in values]
    sort = request.get("sortBy") or {}
    items.sort(key=lambda i: i.locale_name, reverse=sort.get("order") == "Descending")
    summaries = []
    for i in items:
        summary = {
            "localeId": i.locale_id,
            "localeName": i.locale_name,
            "botLocaleStatus": i.current_status(),
            "lastUpdatedDateTime": i.updated,
        }
        if i.description is not None:
            summary["description"] = i.description
        if i.last_build_submitted is not None:
            summary["lastBuildSubmittedDateTime"] = i.last_build_submitted
        summaries.append(summary)
    page, token = _page(summaries, request)
    response = {"botId": bot_id, "botVersion": version, "botLocaleSummaries": page}
    if token:
        response["nextToken"] = token
    return response


BUILD_SECONDS = 0.0  # how long a locale stays Building; the twin has no intents to train


def build_bot_locale(context, request):
    import time

    bot_id = request["botId"]
    locale = _locale_or_fail(context, _model(context, bot_id), bot_id, DRAFT, request["localeId"])
    if locale.current_status() == "Building":
        raise _error("ConflictException", f"Bot locale {locale.locale_id} is already building", 409)
    locale.status = "Building"
    locale.build_done_at = time.monotonic() + BUILD_SECONDS
    locale.last_build_submitted = models.now()
    return {
        "botId": bot_id,
        "botVersion": DRAFT,
        "localeId": locale.locale_id,
        "botLocaleStatus": "Building",  # what BuildBotLocale answers; Describe then says Built
        "lastBuildSubmittedDateTime": locale.last_build_submitted,
    }


def delete_bot_locale(context, request):
    bot_id, locale_id = request["botId"], request["localeId"]
    model = _model(context, bot_id)
    _locale_or_fail(context, model, bot_id, DRAFT, locale_id)
    del model.draft_locales[locale_id]
    return {"botId": bot_id, "botVersion": DRAFT, "localeId": locale_id, "botLocaleStatus": "Deleting"}


# --- bot versions (plugin-owned) --------------------------------------------------------------


def create_bot_version(context, request):
    bot_id = request["botId"]
    bot = _backend(context).bots[bot_id]
    model = _model(context, bot_id)
    spec = request["botVersionLocaleSpecification"]
    locales = {}
    for locale_id, details in spec.items():
        source = details["sourceBotVersion"]
        source_locales = models.locales_of(model, source)
        if source_locales is None:
            raise _precondition(
                f"Failed to retrieve resource since it does not exist: version {source} of bot {bot_id}"
            )
        locale = source_locales.get(locale_id)
        if locale is None:
            raise _precondition(
                f"Failed to retrieve resource since it does not exist: locale {locale_id} of version {source} of bot {bot_id}"
            )
        if locale.current_status() != "Built":
            raise _precondition(
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
        data_privacy=models._copy(bot.data_privacy),
        idle_session_ttl_in_seconds=bot.idle_session_ttl_in_seconds,
        bot_type=bot.bot_type,
        locales=locales,
        source=models._copy(spec),
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
        raise _not_found(
            context.operation.name,
            f"Failed to retrieve resource since it does not exist: version {version} of bot {bot_id}",
        )
    return snapshot


def describe_bot_version(context, request):
    bot_id, version = request["botId"], request["botVersion"]
    snapshot = _version_or_fail(context, _model(context, bot_id), bot_id, version)
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
    bot = _backend(context).bots[bot_id]
    model = _model(context, bot_id)
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
    page, token = _page(summaries, request)
    response = {"botId": bot_id, "botVersionSummaries": page}
    if token:
        response["nextToken"] = token
    return response


def delete_bot_version(context, request):
    bot_id, version = request["botId"], request["botVersion"]
    model = _model(context, bot_id)
    _version_or_fail(context, model, bot_id, version)
    if not request.get("skipResourceInUseCheck"):
        users = sorted(
            a.bot_alias_name for a in _backend(context).bot_aliases.values()
            if a.bot_id == bot_id and str(a.bot_version) == version
        )
        if users:
            raise _in_use(
                f"Version {version} of bot {bot_id} is used by bot alias(es) {', '.join(users)}; "
                "point them at another version first or set skipResourceInUseCheck"
            )
    del model.versions[version]
    return {"botId": bot_id, "botVersion": version, "botStatus": "Deleting"}


def _page(items: list, request: ServiceRequest) -> tuple[list, str | None]:
    start = 0
    token = request.get("nextToken")
    if token:
        try:
            start = int(token)
        except ValueError:
            raise ValidationError("The nextToken is not valid.") from None
    size = request.get("maxResults") or 100
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


PLUGIN_OPERATIONS = {
    "CreateBotLocale": create_bot_locale,
    "DescribeBotLocale": describe_bot_locale,
    "UpdateBotLocale": update_bot_locale,
    "ListBotLocales": list_bot_locales,
    "BuildBotLocale": build_bot_locale,
    "DeleteBotLocale": delete_bot_locale,
    "CreateBotVersion": create_bot_version,
    "DescribeBotVersion": describe_bot_version,
    "ListBotVersions": list_bot_versions,
    "DeleteBotVersion": delete_bot_version,
}


# --- dispatch ---------------------------------------------------------------------------------


def _handle(context: RequestContext, request: ServiceRequest):
    with LOCK:
        validate(context.operation.input_shape, request)
        request = _check_references(context, request)
        handler = PLUGIN_OPERATIONS.get(context.operation.name)
        if handler is not None:
            return handler(context, request)
        return _forward_to_moto(context, request)


def _dispatch_table(_provider) -> dict:
    service = load_service(SERVICE_NAME)
    return {name: _handle for name in service.operation_names}


@aws_provider(api=SERVICE_NAME)
def lexv2_models():
    _patch_moto_ids()
    return Service.for_provider(LexModelsV2Provider(), dispatch_table_factory=_dispatch_table)


@hooks.on_infra_start()
def route_lex_signing_name():
    """Requests signed for `lex` go to lexv2-models; without this the router sends them to S3."""
    from localstack.aws.protocol.service_router import signing_name_path_prefix_rules
    from localstack.aws.spec import ServiceModelIdentifier

    signing_name_path_prefix_rules["lex"] = {"*": ServiceModelIdentifier(SERVICE_NAME)}


@hooks.on_infra_start()
def install_iam_slr_and_settings():
    """IAM's service-linked role protection (iam_slr.py), STS AssumeRole decided by the role's trust
    policy (sts_assume.py), and /_lexlogs/settings (settings_api.py)."""
    from . import iam_slr, settings_api, sts_assume

    iam_slr.install()
    sts_assume.install()
    settings_api.install()

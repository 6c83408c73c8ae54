"""Bot locales, which moto lacks and the twin keeps itself (models.py): CreateBotLocale,
DescribeBotLocale, UpdateBotLocale, ListBotLocales, BuildBotLocale and DeleteBotLocale."""

from . import answers, models
from .models import DRAFT
from .validation import ValidationError


def _locale_or_fail(context, model: models.BotModel, bot_id: str, version: str, locale_id: str):
    operation = context.operation.name
    locales = models.locales_of(model, version)
    if locales is None:
        raise answers.not_found(operation, f"Failed to retrieve resource since it does not exist: version {version} of bot {bot_id}")
    locale = locales.get(locale_id)
    if locale is None:
        raise answers.not_found(
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
    model = answers.bot_model(context, bot_id)
    if locale_id not in models.LOCALE_NAMES:
        raise ValidationError(f"The locale {locale_id} is not supported by Amazon Lex V2.")
    if locale_id in model.draft_locales:
        raise answers.error("ConflictException", f"Bot locale {locale_id} already exists in bot {bot_id}", 409)
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
    locale = _locale_or_fail(context, answers.bot_model(context, bot_id), bot_id, version, request["localeId"])
    response = {
        "botId": bot_id,
        "botVersion": version,
        **_locale_fields(locale),
        "intentsCount": 1 + len(locale.intents),  # every locale has AMAZON.FallbackIntent
        "slotTypesCount": 0,
        "creationDateTime": locale.created,
        "lastUpdatedDateTime": locale.updated,
    }
    if locale.last_build_submitted is not None:
        response["lastBuildSubmittedDateTime"] = locale.last_build_submitted
    return response


def update_bot_locale(context, request):
    bot_id = request["botId"]
    locale = _locale_or_fail(context, answers.bot_model(context, bot_id), bot_id, DRAFT, request["localeId"])
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
    model = answers.bot_model(context, bot_id)
    locales = models.locales_of(model, version)
    if locales is None:
        raise answers.not_found(context.operation.name, f"Failed to retrieve resource since it does not exist: version {version} of bot {bot_id}")
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
    page, token = answers.page(summaries, request)
    response = {"botId": bot_id, "botVersion": version, "botLocaleSummaries": page}
    if token:
        response["nextToken"] = token
    return response


BUILD_SECONDS = 0.0  # how long a locale stays Building; the twin has no intents to train


def build_bot_locale(context, request):
    import time

    bot_id = request["botId"]
    locale = _locale_or_fail(context, answers.bot_model(context, bot_id), bot_id, DRAFT, request["localeId"])
    if locale.current_status() == "Building":
        raise answers.error("ConflictException", f"Bot locale {locale.locale_id} is already building", 409)
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
    model = answers.bot_model(context, bot_id)
    _locale_or_fail(context, model, bot_id, DRAFT, locale_id)
    del model.draft_locales[locale_id]
    return {"botId": bot_id, "botVersion": DRAFT, "localeId": locale_id, "botLocaleStatus": "Deleting"}

"""Intents and their slots, which moto lacks and the twin keeps in each locale (models.py):
CreateIntent, ListIntents, CreateSlot, ListSlots and DescribeSlot, on DRAFT (create) and on DRAFT
or a numbered version (reads; a version holds the intents and slots of its DRAFT when published).

Only what a slot's logging needs is kept: its name, type, elicitation setting and
`obfuscationSetting` (DescribeSlot returns it; ListSlots' SlotSummary has no such member). Every
locale also lists the built-in `FallbackIntent` (id `FALLBCKINT`), which has no slots."""

import random
import string

from . import answers, models
from .models import DRAFT

FALLBACK_INTENT_ID = "FALLBCKINT"
ID_ALPHABET = string.ascii_uppercase + string.digits


def _new_id(taken) -> str:
    while True:
        candidate = "".join(random.choices(ID_ALPHABET, k=10))
        if candidate != FALLBACK_INTENT_ID and candidate not in taken:
            return candidate


def _locale(context, request, version: str | None = None) -> models.Locale:
    bot_id = request["botId"]
    version = version or request["botVersion"]
    operation = context.operation.name
    locales = models.locales_of(answers.bot_model(context, bot_id), version)
    if locales is None:
        raise answers.not_found(operation, f"Failed to retrieve resource since it does not exist: version {version} of bot {bot_id}")
    locale = locales.get(request["localeId"])
    if locale is None:
        raise answers.not_found(
            operation,
            f"Failed to retrieve resource since it does not exist: locale {request['localeId']} of version {version} of bot {bot_id}",
        )
    return locale


def _intent(context, request, locale: models.Locale) -> models.Intent | None:
    """The intent of the request (None for FallbackIntent); fails like AWS when there is none."""
    intent_id = request["intentId"]
    if intent_id == FALLBACK_INTENT_ID:
        return None
    intent = locale.intents.get(intent_id)
    if intent is None:
        raise answers.not_found(context.operation.name, f"Failed to retrieve resource since it does not exist: intent {intent_id}")
    return intent


def _where(request, version: str) -> dict:
    return {"botId": request["botId"], "botVersion": version, "localeId": request["localeId"]}


def create_intent(context, request):
    locale = _locale(context, request, DRAFT)
    name = request["intentName"]
    if name == "FallbackIntent" or any(i.name == name for i in locale.intents.values()):
        raise answers.error("ConflictException", f"An intent named {name} already exists in locale {locale.locale_id}", 409)
    created = models.now()
    intent = models.Intent(_new_id(locale.intents), name, request.get("description"), created, created)
    locale.intents[intent.intent_id] = intent
    locale.status, locale.build_done_at = "NotBuilt", None  # a changed locale needs a new build
    response = {"intentId": intent.intent_id, "intentName": name, **_where(request, DRAFT), "creationDateTime": created}
    if intent.description is not None:
        response["description"] = intent.description
    return response


def list_intents(context, request):
    locale = _locale(context, request)
    fallback = {"intentId": FALLBACK_INTENT_ID, "intentName": "FallbackIntent",
                "parentIntentSignature": "AMAZON.FallbackIntent", "lastUpdatedDateTime": locale.created}
    summaries = [fallback] + [
        {"intentId": i.intent_id, "intentName": i.name, "lastUpdatedDateTime": i.updated}
        for i in locale.intents.values()
    ]
    summaries.sort(key=lambda s: s["intentName"])
    page, token = answers.page(summaries, request)
    response = {**_where(request, request["botVersion"]), "intentSummaries": page}
    if token:
        response["nextToken"] = token
    return response


def create_slot(context, request):
    locale = _locale(context, request, DRAFT)
    intent = _intent(context, request, locale)
    if intent is None:
        raise answers.precondition("FallbackIntent has no slots")
    name = request["slotName"]
    if any(s.name == name for s in intent.slots.values()):
        raise answers.error("ConflictException", f"A slot named {name} already exists in intent {intent.name}", 409)
    created = models.now()
    slot = models.Slot(
        slot_id=_new_id(intent.slots),
        name=name,
        description=request.get("description"),
        slot_type_id=request.get("slotTypeId"),
        value_elicitation_setting=models.deep_copy(request["valueElicitationSetting"]),
        obfuscation_setting=models.deep_copy(request.get("obfuscationSetting")),
        created=created,
        updated=created,
    )
    intent.slots[slot.slot_id] = slot
    locale.status, locale.build_done_at = "NotBuilt", None
    return {**_slot_fields(slot), **_where(request, DRAFT), "intentId": intent.intent_id, "creationDateTime": created}


def _slot_fields(slot: models.Slot) -> dict:
    fields = {
        "slotId": slot.slot_id,
        "slotName": slot.name,
        "description": slot.description,
        "slotTypeId": slot.slot_type_id,
        "valueElicitationSetting": slot.value_elicitation_setting,
        # A slot created without one is not obfuscated (assumed: Lex's default is "None").
        "obfuscationSetting": slot.obfuscation_setting or {"obfuscationSettingType": "None"},
    }
    return {k: v for k, v in fields.items() if v is not None}


def list_slots(context, request):
    locale = _locale(context, request)
    intent = _intent(context, request, locale)
    slots = [] if intent is None else list(intent.slots.values())
    summaries = [
        {k: v for k, v in {
            "slotId": s.slot_id,
            "slotName": s.name,
            "description": s.description,
            "slotTypeId": s.slot_type_id,
            "slotConstraint": s.value_elicitation_setting.get("slotConstraint"),
            "lastUpdatedDateTime": s.updated,
        }.items() if v is not None}
        for s in sorted(slots, key=lambda s: s.name)
    ]
    page, token = answers.page(summaries, request)
    response = {**_where(request, request["botVersion"]), "intentId": request["intentId"], "slotSummaries": page}
    if token:
        response["nextToken"] = token
    return response


def describe_slot(context, request):
    locale = _locale(context, request)
    intent = _intent(context, request, locale)
    slot = None if intent is None else intent.slots.get(request["slotId"])
    if slot is None:
        raise answers.not_found(context.operation.name, f"Failed to retrieve resource since it does not exist: slot {request['slotId']}")
    return {**_slot_fields(slot), **_where(request, request["botVersion"]), "intentId": request["intentId"],
            "creationDateTime": slot.created, "lastUpdatedDateTime": slot.updated}

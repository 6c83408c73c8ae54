"""Intents and slots, which moto lacks: CreateIntent, ListIntents, CreateSlot, ListSlots and
DescribeSlot, with each slot's obfuscationSetting (API reference: DescribeSlot, ObfuscationSetting;
ListSlots' SlotSummary has none), kept in a version as published. Against a running LocalStack
with the plugin (see test_model.py)."""

from test_model import built_locale, client, code_status_message, make_bot, publish, refused

ELICITATION = {"slotConstraint": "Required",
               "promptSpecification": {"messageGroups": [{"message": {"plainTextMessage": {"value": "Which?"}}}],
                                       "maxRetries": 1}}


def _slot(lex, bot_id, intent_id, name, obfuscation=None):
    extra = {} if obfuscation is None else {"obfuscationSetting": {"obfuscationSettingType": obfuscation}}
    return lex.create_slot(botId=bot_id, botVersion="DRAFT", localeId="en_US", intentId=intent_id,
                           slotName=name, slotTypeId="AMAZON.AlphaNumeric",
                           valueElicitationSetting=ELICITATION, **extra)


def test_slots_keep_their_obfuscation_and_a_version_keeps_its_slots():
    lex = client("lexv2-models")
    bot_id, _, _ = make_bot(lex)
    built_locale(lex, bot_id)
    intent = lex.create_intent(botId=bot_id, botVersion="DRAFT", localeId="en_US", intentName="Order")
    intent_id = intent["intentId"]
    assert len(intent_id) == 10 and intent["intentName"] == "Order"
    masked = _slot(lex, bot_id, intent_id, "CardNumber", "DefaultObfuscation")
    plain = _slot(lex, bot_id, intent_id, "Name")
    assert masked["obfuscationSetting"] == {"obfuscationSettingType": "DefaultObfuscation"}
    # A changed intent needs a new build, as a changed locale does.
    assert lex.describe_bot_locale(botId=bot_id, botVersion="DRAFT", localeId="en_US")["botLocaleStatus"] == "NotBuilt"
    lex.build_bot_locale(botId=bot_id, botVersion="DRAFT", localeId="en_US")
    version = publish(lex, bot_id)
    # DRAFT changes after publishing do not reach the version.
    _slot(lex, bot_id, intent_id, "Later")

    intents = lex.list_intents(botId=bot_id, botVersion=version, localeId="en_US")["intentSummaries"]
    assert [(i["intentName"], i.get("parentIntentSignature")) for i in intents] == [
        ("FallbackIntent", "AMAZON.FallbackIntent"), ("Order", None)]
    summaries = lex.list_slots(botId=bot_id, botVersion=version, localeId="en_US",
                               intentId=intent_id)["slotSummaries"]
    assert [s["slotName"] for s in summaries] == ["CardNumber", "Name"]
    assert all("obfuscationSetting" not in s for s in summaries), "only DescribeSlot says it"
    described = {
        s["slotName"]: lex.describe_slot(botId=bot_id, botVersion=version, localeId="en_US",
                                         intentId=intent_id, slotId=s["slotId"])
        for s in summaries
    }
    assert described["CardNumber"]["obfuscationSetting"] == {"obfuscationSettingType": "DefaultObfuscation"}
    assert described["Name"]["obfuscationSetting"] == {"obfuscationSettingType": "None"}
    assert described["Name"]["slotId"] == plain["slotId"] and described["Name"]["botVersion"] == version
    draft = lex.list_slots(botId=bot_id, botVersion="DRAFT", localeId="en_US", intentId=intent_id)
    assert [s["slotName"] for s in draft["slotSummaries"]] == ["CardNumber", "Later", "Name"]
    fallback = lex.list_slots(botId=bot_id, botVersion=version, localeId="en_US", intentId="FALLBCKINT")
    assert fallback["slotSummaries"] == []


def test_missing_intents_and_slots_are_not_found():
    lex = client("lexv2-models")
    bot_id, _, _ = make_bot(lex)
    built_locale(lex, bot_id)
    error = refused(lex.list_slots, botId=bot_id, botVersion="DRAFT", localeId="en_US", intentId="NOSUCHINT0")
    assert code_status_message(error)[:2] == ("ResourceNotFoundException", 404)
    intent_id = lex.create_intent(botId=bot_id, botVersion="DRAFT", localeId="en_US", intentName="Order")["intentId"]
    error = refused(lex.describe_slot, botId=bot_id, botVersion="DRAFT", localeId="en_US",
                    intentId=intent_id, slotId="NOSUCHSLOT")
    assert code_status_message(error)[:2] == ("ResourceNotFoundException", 404)
    error = refused(lex.create_slot, botId=bot_id, botVersion="DRAFT", localeId="en_US", intentId="NOSUCHINT0",
                    slotName="S", valueElicitationSetting=ELICITATION)
    assert code_status_message(error)[:2] == ("PreconditionFailedException", 412)
    error = refused(lex.create_intent, botId=bot_id, botVersion="DRAFT", localeId="en_US", intentName="Order")
    assert code_status_message(error)[:2] == ("ConflictException", 409)

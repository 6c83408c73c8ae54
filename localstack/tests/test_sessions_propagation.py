"""Tests of the twin's sessions, policy propagation and selective logging (sessions.py,
propagation.py), through boto3 against a running LocalStack (`LOCALSTACK_PORT`, default 4566):

- log settings bind at session start: a session begun before UpdateBotAlias keeps its settings;
- a policy written or attached to the role within the account's `iam_propagation_seconds` is not
  in effect for delivery until the window has passed;
- selective logging: with `selectiveLoggingEnabled`, only turns whose session attributes ask for
  it (x-amz-lex:enable-text-logging:<intent>:<slot> / enable-audio-logging) are logged.
"""

import json
import time
import uuid

import pytest

from test_runtime import PCM_SILENCE, World, logs_allowed

# The propagation window the timing tests set (seconds).
WINDOW = 3


@pytest.fixture
def world():
    return World()


def text_sessions(world):
    return {json.loads(e["message"])["sessionId"] for e in world.events()}


def update_logs(world, text_settings):
    world.lex.update_bot_alias(
        botId=world.bot_id, botAliasId=world.alias_id, botAliasName=f"alias-{world.uid}", botVersion="1",
        conversationLogSettings={"textLogSettings": text_settings},
    )


def text_setting(world, selective=None, enabled=True):
    setting = {
        "enabled": enabled,
        "destination": {"cloudWatch": {"cloudWatchLogGroupArn": world.group_arn, "logPrefix": "lexlogs/"}},
    }
    if selective is not None:
        setting["selectiveLoggingEnabled"] = selective
    return setting


# ---- log settings bind at session start ----------------------------------------------------------


def test_session_begun_before_update_bot_alias_keeps_its_log_settings(world):
    world.role().inline(logs_allowed(world)).log_group().bot()
    world.say(session_id="old")
    update_logs(world, [text_setting(world, enabled=False)])
    world.say(session_id="old")  # begun with logs on: still logged
    world.say(session_id="new")  # begins with logs off: not logged
    assert [json.loads(e["message"])["sessionId"] for e in world.events()] == ["old", "old"]

    update_logs(world, [text_setting(world)])
    world.say(session_id="old")  # begun with logs on: logged
    world.say(session_id="off")
    world.say(session_id="new")  # began with logs off: stays off
    assert text_sessions(world) == {"old", "off"}


# ---- propagation of policy writes ------------------------------------------------------------------


def test_inline_policy_written_within_the_window_is_not_yet_in_effect(world):
    # A window of WINDOW seconds: long enough that making the bot (several calls, slower on a
    # busy machine) still ends inside it.
    world.role().log_group()
    time.sleep(WINDOW + 0.2)  # the role itself is old enough
    world.settings(iam_propagation_seconds=WINDOW)
    world.inline(logs_allowed(world))
    world.bot()
    world.say(session_id="early")
    assert world.events() == []
    assert world.metric("ConversationLogsTextDeliveryFailure") == 1
    time.sleep(WINDOW + 0.2)
    world.say(session_id="late")
    assert text_sessions(world) == {"late"}


def test_rewritten_inline_policy_keeps_the_old_document_within_the_window(world):
    world.role().inline(logs_allowed(world)).log_group()
    time.sleep(WINDOW + 0.2)
    world.settings(iam_propagation_seconds=WINDOW)
    world.bot()
    # Rewritten to allow nothing: the old document (allowing the writes) applies for the window.
    world.inline({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    world.say(session_id="still-old-policy")
    time.sleep(WINDOW + 0.2)
    world.say(session_id="new-policy")
    assert text_sessions(world) == {"still-old-policy"}


def test_attached_policy_and_new_default_version_wait_for_the_window(world):
    world.role().log_group()
    time.sleep(WINDOW + 0.2)
    world.settings(iam_propagation_seconds=WINDOW)
    world.attach(logs_allowed(world))
    world.bot()
    world.say(session_id="attached-now")
    time.sleep(WINDOW + 0.2)
    world.say(session_id="attached-before")
    assert text_sessions(world) == {"attached-before"}

    # A new default version that no longer allows the writes: the old one applies for the window.
    arn = world.iam.list_attached_role_policies(RoleName=world.role_name)["AttachedPolicies"][0]["PolicyArn"]
    world.iam.create_policy_version(
        PolicyArn=arn, SetAsDefault=True,
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
    )
    world.say(session_id="old-version")
    time.sleep(WINDOW + 0.2)
    world.say(session_id="new-version")
    assert text_sessions(world) == {"attached-before", "old-version"}


def test_no_window_no_delay(world):
    world.settings(iam_propagation_seconds=0)
    world.role().inline(logs_allowed(world)).log_group().bot()
    world.say(session_id="at-once")
    assert text_sessions(world) == {"at-once"}


# ---- selective logging ----------------------------------------------------------------------------


def say_with(world, session_id, attributes):
    return world.say(session_id=session_id, sessionState={"sessionAttributes": attributes})


@pytest.mark.parametrize(
    "attributes, logged",
    [
        ({}, False),
        ({"x-amz-lex:enable-text-logging:*:*": "true"}, True),
        ({"x-amz-lex:enable-text-logging:FallbackIntent:*": "true"}, True),
        ({"x-amz-lex:enable-text-logging:OrderPizza:*": "true"}, False),
        ({"x-amz-lex:enable-text-logging:*:*": "false"}, False),
        ({"x-amz-lex:enable-text-logging:*:Size": "true"}, False),  # no slot in the turn
        ({"x-amz-lex:enable-audio-logging:*:*": "true"}, False),  # the other channel's attribute
    ],
)
def test_selective_text_logging_logs_only_turns_whose_attributes_ask(world, attributes, logged):
    world.role().inline(logs_allowed(world)).log_group().bot(text_logs=False)
    update_logs(world, [text_setting(world, selective=True)])
    session = f"s-{uuid.uuid4().hex[:8]}"
    say_with(world, session, attributes)
    assert text_sessions(world) == ({session} if logged else set())
    # A turn not selected is not a delivery failure.
    assert world.metric("ConversationLogsTextDeliveryFailure") == 0


def test_attributes_are_ignored_without_the_flag(world):
    world.role().inline(logs_allowed(world)).log_group().bot(text_logs=False)
    update_logs(world, [text_setting(world, selective=False)])
    say_with(world, "plain", {})
    say_with(world, "asked", {"x-amz-lex:enable-text-logging:*:*": "false"})
    assert text_sessions(world) == {"plain", "asked"}


def test_selective_audio_logging_needs_the_audio_attribute(world):
    bucket = f"audio-{world.uid}"
    world.s3.create_bucket(Bucket=bucket)
    world.role().inline(
        logs_allowed(world), {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    ).log_group().bot(audio={"s3BucketArn": f"arn:aws:s3:::{bucket}", "logPrefix": "a/"})
    world.lex.update_bot_alias(
        botId=world.bot_id, botAliasId=world.alias_id, botAliasName=f"alias-{world.uid}", botVersion="1",
        conversationLogSettings={
            "textLogSettings": [text_setting(world)],
            "audioLogSettings": [{"enabled": True, "selectiveLoggingEnabled": True,
                                  "destination": {"s3Bucket": {"s3BucketArn": f"arn:aws:s3:::{bucket}",
                                                               "logPrefix": "a/"}}}],
        },
    )

    def speak(session_id, attributes):
        import base64
        import gzip
        state = base64.b64encode(gzip.compress(json.dumps({"sessionAttributes": attributes}).encode())).decode()
        world.runtime.recognize_utterance(
            botId=world.bot_id, botAliasId=world.alias_id, localeId="en_US", sessionId=session_id,
            requestContentType="audio/l16; rate=16000; channels=1", inputStream=PCM_SILENCE, sessionState=state,
        )

    speak("unasked", {"x-amz-lex:enable-text-logging:*:*": "true"})
    speak("asked", {"x-amz-lex:enable-audio-logging:FallbackIntent:*": "true"})
    keys = [o["Key"] for o in world.s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert len(keys) == 1 and "/asked/" in keys[0], keys
    assert text_sessions(world) == {"unasked", "asked"}  # text is not selective here

"""Tests of the runtime side of the Lex V2 twin against a running LocalStack
(`LOCALSTACK_PORT`, default 4566): RecognizeText / RecognizeUtterance on an alias, and
conversation-log delivery decided by trust, identity policies, boundary and destinations.

Every test works in an account of its own (a random 12-digit access key), so metrics and settings
of one test never show in another.
"""

import base64
import gzip
import json
import os
import random
import time
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = f"http://127.0.0.1:{os.environ.get('LOCALSTACK_PORT', '4566')}"
REGION = "us-east-1"
LEX_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
PCM_SILENCE = b"\x00\x00" * 1600  # 0.1 s of 16 kHz mono 16-bit silence


def decode(header_value):
    return json.loads(gzip.decompress(base64.b64decode(header_value)))


class World:
    """One account with a role, a log group, a bot and an alias, seeded through the API."""

    def __init__(self):
        self.account = str(random.randint(10**11, 10**12 - 1))
        self.uid = uuid.uuid4().hex[:10]
        session = boto3.session.Session(
            aws_access_key_id=self.account, aws_secret_access_key="test", region_name=REGION
        )
        config = Config(retries={"max_attempts": 1})
        client = lambda name: session.client(name, endpoint_url=ENDPOINT, config=config)  # noqa: E731
        self.iam, self.logs, self.s3, self.kms = client("iam"), client("logs"), client("s3"), client("kms")
        self.lex, self.runtime, self.cloudwatch = client("lexv2-models"), client("lexv2-runtime"), client("cloudwatch")
        self.group = f"/lex/{self.uid}"
        self.group_arn = f"arn:aws:logs:{REGION}:{self.account}:log-group:{self.group}"
        self.role_name = f"lex-logs-{self.uid}"
        self.role_arn = None
        self.bot_id = None
        self.alias_id = None

    # -- seeding ------------------------------------------------------------------------------

    def role(self, trust=LEX_TRUST, boundary=None):
        kwargs = {"RoleName": self.role_name, "AssumeRolePolicyDocument": json.dumps(trust)}
        if boundary is not None:
            arn = self.managed_policy(boundary, name=f"boundary-{self.uid}")
            kwargs["PermissionsBoundary"] = arn
        self.role_arn = self.iam.create_role(**kwargs)["Role"]["Arn"]
        return self

    def inline(self, *statements, name="logs"):
        self.iam.put_role_policy(
            RoleName=self.role_name,
            PolicyName=name,
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}),
        )
        return self

    def managed_policy(self, document, name=None):
        return self.iam.create_policy(
            PolicyName=name or f"p-{uuid.uuid4().hex[:8]}", PolicyDocument=json.dumps(document)
        )["Policy"]["Arn"]

    def attach(self, *statements):
        arn = self.managed_policy({"Version": "2012-10-17", "Statement": list(statements)})
        self.iam.attach_role_policy(RoleName=self.role_name, PolicyArn=arn)
        return self

    def log_group(self):
        self.logs.create_log_group(logGroupName=self.group)
        return self

    def bot(self, text_logs=True, audio=None, sentiment=False, group_arn=None, prefix="lexlogs/"):
        self.bot_id = self.lex.create_bot(
            botName=f"bot-{self.uid}",
            roleArn=self.role_arn,
            dataPrivacy={"childDirected": False},
            idleSessionTTLInSeconds=300,
        )["botId"]
        # On AWS an alias other than TestBotAlias runs a published version, and a version needs a
        # built locale: en_US on DRAFT, built, published as version 1.
        self.lex.create_bot_locale(
            botId=self.bot_id, botVersion="DRAFT", localeId="en_US", nluIntentConfidenceThreshold=0.4
        )
        self.lex.build_bot_locale(botId=self.bot_id, botVersion="DRAFT", localeId="en_US")
        self.lex.create_bot_version(
            botId=self.bot_id,
            botVersionLocaleSpecification={"en_US": {"sourceBotVersion": "DRAFT"}},
        )
        settings = {}
        if text_logs:
            settings["textLogSettings"] = [{
                "enabled": True,
                "destination": {"cloudWatch": {"cloudWatchLogGroupArn": group_arn or self.group_arn, "logPrefix": prefix}},
            }]
        if audio is not None:
            settings["audioLogSettings"] = [{"enabled": True, "destination": {"s3Bucket": audio}}]
        kwargs = {"botId": self.bot_id, "botAliasName": f"alias-{self.uid}", "botVersion": "1"}
        if settings:
            kwargs["conversationLogSettings"] = settings
        if sentiment:
            kwargs["sentimentAnalysisSettings"] = {"detectSentiment": True}
        self.alias_id = self.lex.create_bot_alias(**kwargs)["botAliasId"]
        return self

    @property
    def alias_arn(self):
        return f"arn:aws:lex:{REGION}:{self.account}:bot-alias/{self.bot_id}/{self.alias_id}"

    def settings(self, **values):
        request = urllib.request.Request(
            f"{ENDPOINT}/_lexlogs/settings",
            data=json.dumps(dict(values, account=self.account)).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())

    # -- talking and observing ----------------------------------------------------------------

    def say(self, text="hello", session_id=None, **kwargs):
        return self.runtime.recognize_text(
            botId=self.bot_id, botAliasId=self.alias_id, localeId="en_US",
            sessionId=session_id or f"s-{uuid.uuid4().hex[:8]}", text=text, **kwargs,
        )

    def events(self):
        try:
            return self.logs.filter_log_events(logGroupName=self.group)["events"]
        except self.logs.exceptions.ResourceNotFoundException:
            return []

    def metric(self, name, operation="RecognizeText"):
        now = datetime.now(timezone.utc)
        points = self.cloudwatch.get_metric_statistics(
            Namespace="AWS/Lex",
            MetricName=name,
            Dimensions=[
                {"Name": "BotId", "Value": self.bot_id},
                {"Name": "BotAliasId", "Value": self.alias_id},
                {"Name": "LocaleId", "Value": "en_US"},
                {"Name": "Operation", "Value": operation},
            ],
            StartTime=now - timedelta(minutes=10),
            EndTime=now + timedelta(minutes=1),
            Period=60,
            Statistics=["Sum"],
        )["Datapoints"]
        return sum(p["Sum"] for p in points)


LOGS_STATEMENT = "logs-statement"


def logs_allowed(world, resource=None, actions=("logs:CreateLogStream", "logs:PutLogEvents")):
    return {"Effect": "Allow", "Action": list(actions), "Resource": resource or f"{world.group_arn}:*"}


@pytest.fixture
def world():
    return World()


# ---- RecognizeText ------------------------------------------------------------------------------


def test_recognize_text_answers_with_fallback_and_delivers_text_log(world):
    world.role().inline(logs_allowed(world)).log_group().bot()
    answer = world.say("I want a pizza", session_id="session-one", requestAttributes={"channel": "test"})

    assert answer["sessionId"] == "session-one"
    assert answer["sessionState"]["intent"]["name"] == "FallbackIntent"
    assert answer["sessionState"]["intent"]["state"] == "ReadyForFulfillment"
    assert answer["sessionState"]["dialogAction"]["type"] == "Close"
    assert answer["interpretations"][0]["intent"]["name"] == "FallbackIntent"
    assert "sentimentResponse" not in answer["interpretations"][0]
    assert answer["messages"][0]["contentType"] == "PlainText"
    assert answer["requestAttributes"] == {"channel": "test"}

    events = world.events()
    assert len(events) == 1
    assert events[0]["logStreamName"].startswith(f"lexlogs/{world.bot_id}/{world.alias_id}/en_US/")
    entry = json.loads(events[0]["message"])
    assert entry["messageVersion"] == "2.0"
    assert entry["bot"] == {
        "id": world.bot_id, "name": f"bot-{world.uid}", "aliasId": world.alias_id,
        "aliasName": f"alias-{world.uid}", "localeId": "en_US", "version": "1",
    }
    assert entry["sessionId"] == "session-one"
    assert entry["inputTranscript"] == "I want a pizza"
    assert entry["operationName"] == "RecognizeText"
    assert entry["inputMode"] == "Text"
    assert entry["missedUtterance"] is True
    assert entry["interpretations"] == answer["interpretations"]
    assert entry["sessionState"] == answer["sessionState"]
    assert entry["messages"] == answer["messages"]
    assert entry["requestAttributes"] == {"channel": "test"}
    assert entry["requestId"] == answer["ResponseMetadata"]["RequestId"]
    assert entry["timestamp"].endswith("Z")
    assert world.metric("ConversationLogsTextDeliverySuccess") == 1
    assert world.metric("ConversationLogsTextDeliveryFailure") == 0


def test_turns_of_a_session_land_in_the_same_stream(world):
    world.role().inline(logs_allowed(world)).log_group().bot()
    world.say("one", session_id="s-1")
    world.say("two", session_id="s-1")
    events = world.events()
    assert [json.loads(e["message"])["inputTranscript"] for e in events] == ["one", "two"]
    assert len({e["logStreamName"] for e in events}) == 1


def test_unknown_alias_and_bot_are_404(world):
    world.role().inline(logs_allowed(world)).log_group().bot()
    for bot_id, alias_id in [(world.bot_id, "NOSUCHALIAS"), ("NOSUCHBOT1", world.alias_id)]:
        with pytest.raises(ClientError) as error:
            world.runtime.recognize_text(botId=bot_id, botAliasId=alias_id, localeId="en_US", sessionId="s-1", text="hi")
        assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert world.events() == []


def test_locale_not_in_the_alias_version_is_refused(world):
    world.role().inline(logs_allowed(world)).log_group().bot()
    with pytest.raises(ClientError) as error:
        world.runtime.recognize_text(botId=world.bot_id, botAliasId=world.alias_id, localeId="fr_FR", sessionId="s-1", text="salut")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert world.events() == []


def test_test_alias_answers(world):
    world.role().inline(logs_allowed(world)).log_group().bot(text_logs=False)
    answer = world.runtime.recognize_text(botId=world.bot_id, botAliasId="TSTALIASID", localeId="en_US", sessionId="s-1", text="hi")
    assert answer["sessionState"]["intent"]["name"] == "FallbackIntent"


def test_no_log_settings_no_log_no_metric(world):
    world.role().inline(logs_allowed(world)).log_group().bot(text_logs=False)
    world.say()
    assert world.events() == []
    assert world.metric("ConversationLogsTextDeliveryFailure") == 0
    assert world.metric("ConversationLogsTextDeliverySuccess") == 0


# ---- delivered in these worlds -------------------------------------------------------------------


def test_delivered_with_trust_conditions_naming_this_alias(world):
    world.role(trust={
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "lexv2.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": world.account},
                "ArnLike": {"aws:SourceArn": f"arn:aws:lex:{REGION}:{world.account}:bot-alias/*"},
            },
        }],
    }).inline(logs_allowed(world)).log_group().bot()
    world.say()
    assert len(world.events()) == 1


def test_delivered_through_an_attached_managed_policy_within_a_boundary(world):
    boundary = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
    world.role(boundary=boundary).attach(logs_allowed(world)).log_group().bot()
    world.say()
    assert len(world.events()) == 1


# ---- not delivered: nothing written, failure counted --------------------------------------------


def trust_with(condition):
    statement = dict(LEX_TRUST["Statement"][0], Condition=condition)
    return {"Version": "2012-10-17", "Statement": [statement]}


def seed_trust_missing(w):
    w.role(trust={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    w.inline(logs_allowed(w)).log_group().bot()


def seed_trust_other_account(w):
    w.role(trust=trust_with({"StringEquals": {"aws:SourceAccount": "999999999999"}}))
    w.inline(logs_allowed(w)).log_group().bot()


def seed_trust_other_alias(w):
    # The SourceArn names an alias of this bot that is not the one being called.
    w.role(trust=LEX_TRUST).inline(logs_allowed(w)).log_group().bot()
    w.iam.update_assume_role_policy(RoleName=w.role_name, PolicyDocument=json.dumps(trust_with(
        {"ArnEquals": {"aws:SourceArn": f"arn:aws:lex:{REGION}:{w.account}:bot-alias/{w.bot_id}/OTHERALIAS"}})))


def seed_trust_deny(w):
    trust = json.loads(json.dumps(LEX_TRUST))
    trust["Statement"].append({"Effect": "Deny", "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    w.role(trust=trust).inline(logs_allowed(w)).log_group().bot()


def seed_missing_action(w):
    w.role().inline(logs_allowed(w, actions=["logs:CreateLogStream"])).log_group().bot()


def seed_group_arn_without_wildcard(w):
    w.role().inline(logs_allowed(w, resource=w.group_arn)).log_group().bot()


def seed_another_group(w):
    w.role().inline(logs_allowed(w, resource=f"arn:aws:logs:{REGION}:{w.account}:log-group:/lex/other:*"))
    w.log_group().bot()


def seed_explicit_deny(w):
    w.role().inline({"Effect": "Allow", "Action": "logs:*", "Resource": "*"})
    w.inline({"Effect": "Deny", "Action": "logs:PutLogEvents", "Resource": f"{w.group_arn}:*"}, name="deny")
    w.log_group().bot()


def seed_missing_log_group(w):
    w.role().inline(logs_allowed(w)).bot()


def seed_boundary_excludes(w):
    boundary = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    w.role(boundary=boundary).inline(logs_allowed(w)).log_group().bot()


def seed_role_too_young(w):
    w.role().inline(logs_allowed(w)).log_group().bot()
    # From now on a role younger than an hour cannot be assumed: this one was made seconds ago.
    w.settings(iam_propagation_seconds=3600)


def seed_role_deleted(w):
    w.role().inline(logs_allowed(w)).log_group().bot()
    w.iam.delete_role_policy(RoleName=w.role_name, PolicyName="logs")
    w.iam.delete_role(RoleName=w.role_name)


@pytest.mark.parametrize("seed", [
    seed_trust_missing, seed_trust_other_account, seed_trust_other_alias, seed_trust_deny,
    seed_missing_action, seed_group_arn_without_wildcard, seed_another_group, seed_explicit_deny,
    seed_missing_log_group, seed_boundary_excludes, seed_role_too_young, seed_role_deleted,
], ids=lambda f: f.__name__.removeprefix("seed_"))
def test_not_delivered(world, seed):
    seed(world)
    answer = world.say()
    assert answer["sessionState"]["intent"]["name"] == "FallbackIntent"  # the turn itself succeeds
    assert world.events() == []
    assert world.metric("ConversationLogsTextDeliveryFailure") == 1
    assert world.metric("ConversationLogsTextDeliverySuccess") == 0


def test_role_old_enough_is_assumed(world):
    world.settings(iam_propagation_seconds=1)
    world.role().inline(logs_allowed(world)).log_group()
    time.sleep(1.5)
    world.bot()
    world.say()
    assert len(world.events()) == 1


# ---- sentiment ----------------------------------------------------------------------------------


def test_sentiment_only_with_comprehend_permission(world):
    world.role().inline(logs_allowed(world)).log_group().bot(sentiment=True)
    assert "sentimentResponse" not in world.say()["interpretations"][0]
    world.inline({"Effect": "Allow", "Action": "comprehend:DetectSentiment", "Resource": "*"}, name="sentiment")
    sentiment = world.say()["interpretations"][0]["sentimentResponse"]
    assert sentiment["sentiment"] in ("POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED")
    assert set(sentiment["sentimentScore"]) == {"positive", "negative", "neutral", "mixed"}


def test_no_sentiment_when_alias_does_not_detect_it(world):
    world.role().inline(logs_allowed(world), {"Effect": "Allow", "Action": "comprehend:*", "Resource": "*"})
    world.log_group().bot(sentiment=False)
    assert "sentimentResponse" not in world.say()["interpretations"][0]


# ---- RecognizeUtterance and audio logs ----------------------------------------------------------


def test_recognize_utterance_text_headers(world):
    world.role().inline(logs_allowed(world)).log_group().bot()
    state = base64.b64encode(gzip.compress(json.dumps({"sessionAttributes": {"k": "v"}}).encode())).decode()
    response = world.runtime.recognize_utterance(
        botId=world.bot_id, botAliasId=world.alias_id, localeId="en_US", sessionId="utt",
        requestContentType="text/plain; charset=utf-8", responseContentType="text/plain; charset=utf-8",
        sessionState=state, inputStream=b"book a hotel",
    )
    assert response["sessionId"] == "utt"
    assert response["inputMode"] == "Text"
    assert response["contentType"].startswith("text/plain")
    assert decode(response["inputTranscript"]) == "book a hotel"
    assert decode(response["sessionState"])["intent"]["name"] == "FallbackIntent"
    assert decode(response["sessionState"])["sessionAttributes"] == {"k": "v"}
    assert decode(response["interpretations"])[0]["intent"]["name"] == "FallbackIntent"
    assert decode(response["messages"])[0]["contentType"] == "PlainText"
    entry = json.loads(world.events()[0]["message"])
    assert entry["operationName"] == "RecognizeUtterance"
    assert entry["inputTranscript"] == "book a hotel"
    assert world.metric("ConversationLogsTextDeliverySuccess", "RecognizeUtterance") == 1


class Audio:
    def __init__(self, world, kms=True, key_policy=None, grant_kms=True, grant_s3=True, bucket=True):
        self.bucket = f"lexaudio-{world.uid}"
        if bucket:
            world.s3.create_bucket(Bucket=self.bucket)
        self.key_arn = None
        statements = [logs_allowed(world)]
        if grant_s3:
            statements.append({"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{self.bucket}/*"})
        if kms:
            kwargs = {"Policy": json.dumps(key_policy)} if key_policy else {}
            self.key_arn = world.kms.create_key(**kwargs)["KeyMetadata"]["Arn"]
            world.kms.create_alias(AliasName=f"alias/lex-{world.uid}", TargetKeyId=self.key_arn)
            self.alias_arn = f"arn:aws:kms:{REGION}:{world.account}:alias/lex-{world.uid}"
            if grant_kms:
                statements.append({"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": self.key_arn})
        world.role().inline(*statements).log_group()
        destination = {"s3BucketArn": f"arn:aws:s3:::{self.bucket}", "logPrefix": "audio/"}
        if kms:
            destination["kmsKeyArn"] = self.alias_arn
        world.bot(audio=destination)
        self.world = world

    def speak(self):
        return self.world.runtime.recognize_utterance(
            botId=self.world.bot_id, botAliasId=self.world.alias_id, localeId="en_US", sessionId="voice",
            requestContentType="audio/l16; rate=16000; channels=1", responseContentType="text/plain; charset=utf-8",
            inputStream=PCM_SILENCE,
        )

    def objects(self):
        try:
            return self.world.s3.list_objects_v2(Bucket=self.bucket, Prefix="audio/").get("Contents", [])
        except ClientError:
            return []


def test_audio_delivered_encrypted_with_the_kms_key(world):
    audio = Audio(world)
    response = audio.speak()
    assert response["inputMode"] == "Speech"
    objects = audio.objects()
    assert len(objects) == 1
    key = objects[0]["Key"]
    assert key.startswith(f"audio/{world.bot_id}/{world.alias_id}/en_US/voice/")
    head = world.s3.head_object(Bucket=audio.bucket, Key=key)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == audio.key_arn  # the alias ARN resolved to the key
    body = world.s3.get_object(Bucket=audio.bucket, Key=key)["Body"].read()
    assert body[:4] == b"RIFF" and body.endswith(PCM_SILENCE)
    assert world.metric("ConversationLogsAudioDeliverySuccess", "RecognizeUtterance") == 1
    assert world.metric("ConversationLogsAudioDeliveryFailure", "RecognizeUtterance") == 0
    # the text log of the same turn is delivered too
    assert json.loads(world.events()[0]["message"])["inputMode"] == "Speech"


def test_text_input_writes_no_audio(world):
    audio = Audio(world)
    world.runtime.recognize_utterance(
        botId=world.bot_id, botAliasId=world.alias_id, localeId="en_US", sessionId="t-1",
        requestContentType="text/plain; charset=utf-8", inputStream=b"typed",
    )
    assert audio.objects() == []
    assert world.metric("ConversationLogsAudioDeliveryFailure", "RecognizeUtterance") == 0


def key_policy_without_root(world, role_name):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{world.account}:user/admin"},
        "Action": "kms:*", "Resource": "*"}]}


@pytest.mark.parametrize("case", ["no_kms_permission", "key_policy_does_not_delegate", "no_s3_permission", "no_bucket"])
def test_audio_not_delivered(world, case):
    kwargs = {
        "no_kms_permission": {"grant_kms": False},
        "key_policy_does_not_delegate": {"key_policy": key_policy_without_root(world, world.role_name)},
        "no_s3_permission": {"grant_s3": False},
        "no_bucket": {"bucket": False},
    }[case]
    audio = Audio(world, **kwargs)
    audio.speak()
    assert audio.objects() == []
    assert world.metric("ConversationLogsAudioDeliveryFailure", "RecognizeUtterance") == 1
    assert world.metric("ConversationLogsAudioDeliverySuccess", "RecognizeUtterance") == 0
    # text logging is independent of the audio destination
    assert world.metric("ConversationLogsTextDeliverySuccess", "RecognizeUtterance") == 1


def test_sentiment_on_a_service_linked_role_needs_its_inline_comprehend_policy(world):
    # AmazonLexV2BotPolicy (v1) grants polly:SynthesizeSpeech only
    # (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonLexV2BotPolicy.html);
    # sentiment on an SLR-backed bot comes from an inline comprehend:DetectSentiment policy on the SLR.
    slr = world.iam.create_service_linked_role(AWSServiceName="lexv2.amazonaws.com", CustomSuffix=world.uid)["Role"]
    world.role_arn, world.role_name = slr["Arn"], slr["RoleName"]
    world.bot(text_logs=False, sentiment=True)
    assert "sentimentResponse" not in world.say()["interpretations"][0]
    world.inline({"Effect": "Allow", "Action": "comprehend:DetectSentiment", "Resource": "*"}, name="sentiment")
    assert world.say()["interpretations"][0]["sentimentResponse"]["sentiment"] == "NEUTRAL"

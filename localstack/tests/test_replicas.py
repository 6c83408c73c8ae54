"""Tests of bot replicas (Lex V2 Global Resiliency) in the twin, through boto3 against a running
LocalStack (`LOCALSTACK_PORT`): the replica operations, the read-only replica in its region, and
the runtime there delivering to the log group of the same name in the replica region."""

import json
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from test_runtime import ENDPOINT, REGION, World, logs_allowed

REPLICA = "us-west-2"


class Replicated(World):
    """A World (test_runtime.py) whose bot may be replicated to us-west-2."""

    def __init__(self):
        super().__init__()
        session = boto3.session.Session(
            aws_access_key_id=self.account, aws_secret_access_key="test", region_name=REPLICA
        )
        config = Config(retries={"max_attempts": 1})
        self.lex_replica = session.client("lexv2-models", endpoint_url=ENDPOINT, config=config)
        self.runtime_replica = session.client("lexv2-runtime", endpoint_url=ENDPOINT, config=config)
        self.logs_replica = session.client("logs", endpoint_url=ENDPOINT, config=config)
        self.replica_group_arn = f"arn:aws:logs:{REPLICA}:{self.account}:log-group:{self.group}"

    def replicate(self):
        return self.lex.create_bot_replica(botId=self.bot_id, replicaRegion=REPLICA)

    def say_in_replica(self, text="hello"):
        return self.runtime_replica.recognize_text(
            botId=self.bot_id, botAliasId=self.alias_id, localeId="en_US",
            sessionId=f"s-{uuid.uuid4().hex[:8]}", text=text,
        )

    def replica_events(self):
        try:
            return self.logs_replica.filter_log_events(logGroupName=self.group)["events"]
        except self.logs_replica.exceptions.ResourceNotFoundException:
            return []


@pytest.fixture
def world():
    return Replicated()


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


# ---- the replica operations ------------------------------------------------------------------


def test_create_describe_list_delete_a_replica(world):
    world.role().bot()
    created = world.replicate()
    assert created["botReplicaStatus"] == "Enabling"
    assert (created["sourceRegion"], created["replicaRegion"]) == (REGION, REPLICA)

    described = world.lex.describe_bot_replica(botId=world.bot_id, replicaRegion=REPLICA)
    assert described["botReplicaStatus"] == "Enabled"
    assert described["sourceRegion"] == REGION

    listed = world.lex.list_bot_replicas(botId=world.bot_id)
    assert listed["sourceRegion"] == REGION
    assert [s["replicaRegion"] for s in listed["botReplicaSummaries"]] == [REPLICA]

    deleted = world.lex.delete_bot_replica(botId=world.bot_id, replicaRegion=REPLICA)
    assert deleted["botReplicaStatus"] == "Deleting"
    assert world.lex.list_bot_replicas(botId=world.bot_id)["botReplicaSummaries"] == []
    with pytest.raises(ClientError) as gone:
        world.lex.describe_bot_replica(botId=world.bot_id, replicaRegion=REPLICA)
    assert error_code(gone) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as no_bot:
        world.lex_replica.describe_bot(botId=world.bot_id)
    assert error_code(no_bot) == "ResourceNotFoundException"


def test_a_bot_without_replicas_lists_none(world):
    world.role().bot()
    assert world.lex.list_bot_replicas(botId=world.bot_id)["botReplicaSummaries"] == []


@pytest.mark.parametrize("region", ["eu-central-1", REGION])
def test_replica_only_in_the_paired_region(world, region):
    world.role().bot()
    with pytest.raises(ClientError) as refused:
        world.lex.create_bot_replica(botId=world.bot_id, replicaRegion=region)
    assert error_code(refused) == "ValidationException"
    assert "us-west-2" in str(refused.value)


def test_second_replica_in_the_same_region_conflicts(world):
    world.role().bot()
    world.replicate()
    with pytest.raises(ClientError) as refused:
        world.replicate()
    assert error_code(refused) == "ConflictException"


def test_alias_and_version_replicas_list_the_aliases_and_their_versions(world):
    world.role().bot()
    world.replicate()
    aliases = world.lex.list_bot_alias_replicas(botId=world.bot_id, replicaRegion=REPLICA)
    assert [(s["botAliasId"], s["botVersion"], s["botAliasReplicationStatus"])
            for s in aliases["botAliasReplicaSummaries"]] == [(world.alias_id, "1", "Available")]
    versions = world.lex.list_bot_version_replicas(botId=world.bot_id, replicaRegion=REPLICA)
    assert [(s["botVersion"], s["botVersionReplicationStatus"])
            for s in versions["botVersionReplicaSummaries"]] == [("1", "Available")]


# ---- the replica in its region ---------------------------------------------------------------


def test_replica_reads_have_the_same_ids_and_the_replica_region(world):
    world.role().bot()
    world.replicate()
    alias = world.lex_replica.describe_bot_alias(botId=world.bot_id, botAliasId=world.alias_id)
    assert alias["botAliasId"] == world.alias_id and alias["botVersion"] == "1"
    text = alias["conversationLogSettings"]["textLogSettings"][0]["destination"]["cloudWatch"]
    assert text["cloudWatchLogGroupArn"] == world.replica_group_arn
    assert world.lex_replica.describe_bot(botId=world.bot_id)["roleArn"] == world.role_arn
    ids = [s["botAliasId"] for s in world.lex_replica.list_bot_aliases(botId=world.bot_id)["botAliasSummaries"]]
    assert ids == [world.alias_id]  # TestBotAlias is not replicated
    assert world.lex_replica.describe_bot_version(botId=world.bot_id, botVersion="1")["botVersion"] == "1"


def test_source_alias_changes_show_in_the_replica(world):
    world.role().bot()
    world.replicate()
    world.lex.update_bot_alias(botId=world.bot_id, botAliasId=world.alias_id,
                               botAliasName=f"alias-{world.uid}", botVersion="1", description="changed")
    alias = world.lex_replica.describe_bot_alias(botId=world.bot_id, botAliasId=world.alias_id)
    assert alias["description"] == "changed"
    assert "conversationLogSettings" not in alias


@pytest.mark.parametrize("write", [
    lambda w: w.lex_replica.update_bot_alias(botId=w.bot_id, botAliasId=w.alias_id,
                                             botAliasName="x", botVersion="1"),
    lambda w: w.lex_replica.delete_bot_alias(botId=w.bot_id, botAliasId=w.alias_id),
    lambda w: w.lex_replica.create_bot_version(botId=w.bot_id, botVersionLocaleSpecification={
        "en_US": {"sourceBotVersion": "DRAFT"}}),
    lambda w: w.lex_replica.create_bot_replica(botId=w.bot_id, replicaRegion=REGION),
], ids=["UpdateBotAlias", "DeleteBotAlias", "CreateBotVersion", "CreateBotReplica"])
def test_replica_is_read_only(world, write):
    world.role().bot()
    world.replicate()
    with pytest.raises(ClientError) as refused:
        write(world)
    assert error_code(refused) == "ValidationException"
    assert "read-only" in str(refused.value) and REGION in str(refused.value)
    assert world.lex.describe_bot_alias(botId=world.bot_id, botAliasId=world.alias_id)["botAliasName"] == f"alias-{world.uid}"


def test_deleting_the_source_bot_removes_its_replica(world):
    world.role().bot()
    world.replicate()
    world.lex.delete_bot(botId=world.bot_id, skipResourceInUseCheck=True)
    with pytest.raises(ClientError):
        world.lex_replica.describe_bot(botId=world.bot_id)


# ---- the runtime in the replica region ---------------------------------------------------------


def grant_both_regions(world):
    return world.inline(logs_allowed(world, resource=[f"{world.group_arn}:*", f"{world.replica_group_arn}:*"]))


def test_replica_delivers_to_the_group_of_the_same_name_in_its_region(world):
    grant_both_regions(world.role()).log_group().bot()
    world.logs_replica.create_log_group(logGroupName=world.group)
    world.replicate()
    world.say("in the source")
    world.say_in_replica("in the replica")
    source = [json.loads(e["message"])["inputTranscript"] for e in world.events()]
    replica = [json.loads(e["message"])["inputTranscript"] for e in world.replica_events()]
    assert source == ["in the source"] and replica == ["in the replica"]


def test_replica_not_delivered_when_the_grant_covers_only_the_source_group(world):
    world.role().inline(logs_allowed(world)).log_group().bot()
    world.logs_replica.create_log_group(logGroupName=world.group)
    world.replicate()
    assert world.say_in_replica("lost")["sessionState"]["intent"]["name"] == "FallbackIntent"
    assert world.replica_events() == []
    world.say("kept")
    assert len(world.events()) == 1


def test_replica_not_delivered_without_the_group_in_its_region(world):
    grant_both_regions(world.role()).log_group().bot()
    world.replicate()
    world.say_in_replica("lost")
    assert world.replica_events() == []
    assert world.events() == []


def test_runtime_in_the_replica_region_needs_a_replica(world):
    grant_both_regions(world.role()).log_group().bot()
    with pytest.raises(ClientError) as refused:
        world.say_in_replica()
    assert error_code(refused) == "ResourceNotFoundException"
    world.replicate()
    with pytest.raises(ClientError) as test_alias:
        world.runtime_replica.recognize_text(botId=world.bot_id, botAliasId="TSTALIASID", localeId="en_US",
                                             sessionId="s-test", text="hi")
    assert error_code(test_alias) == "ResourceNotFoundException"


def test_replica_audio_goes_to_the_source_bucket_and_is_not_delivered(world):
    """An S3 bucket ARN names no region: the replica keeps the source's bucket, which is not in the
    replica region, so Lex there cannot deliver audio to it."""
    bucket = f"audio-{world.uid}"
    world.s3.create_bucket(Bucket=bucket)
    world.role().inline(
        logs_allowed(world, resource=[f"{world.group_arn}:*", f"{world.replica_group_arn}:*"]),
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
    ).bot(text_logs=False, audio={"s3BucketArn": f"arn:aws:s3:::{bucket}", "logPrefix": "a/"})
    world.replicate()
    alias = world.lex_replica.describe_bot_alias(botId=world.bot_id, botAliasId=world.alias_id)
    destination = alias["conversationLogSettings"]["audioLogSettings"][0]["destination"]["s3Bucket"]
    assert destination["s3BucketArn"] == f"arn:aws:s3:::{bucket}"
    world.runtime_replica.recognize_utterance(
        botId=world.bot_id, botAliasId=world.alias_id, localeId="en_US", sessionId="s-audio",
        requestContentType="audio/l16; rate=16000; channels=1", inputStream=b"\x00\x00" * 1600,
    )
    assert world.s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0

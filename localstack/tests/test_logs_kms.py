"""CloudWatch Logs' use of a log group's KMS key (logs_kms.py), against a running LocalStack
(`LOCALSTACK_PORT`, default 4566): CreateLogGroup with `kmsKeyId` and AssociateKmsKey refuse a key
whose policy does not admit `logs.REGION.amazonaws.com` for the group (AccessDeniedException, as
AWS answers), DisassociateKmsKey takes the key off a group, and a conversation log line reaches an encrypted group only while CloudWatch Logs
may use its key.
"""

import json

import pytest
from botocore.exceptions import ClientError

from test_runtime import REGION, World, logs_allowed


@pytest.fixture
def world():
    return World()


def root(world):
    return {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{world.account}:root"},
            "Action": "kms:*", "Resource": "*"}


def for_logs(group_arn, operator="ArnEquals"):
    """The statement of the CloudWatch Logs guide (encrypt-log-data-kms.html, step 2)."""
    return {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "Resource": "*", "Condition": {operator: {"kms:EncryptionContext:aws:logs:arn": group_arn}}}


def key(world, *statements):
    policy = {"Version": "2012-10-17", "Statement": [root(world), *statements]}
    return world.kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]


def group_key(world, name):
    groups = world.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return next(g for g in groups if g["logGroupName"] == name).get("kmsKeyId")


def assert_refused(excinfo, world, name):
    error = excinfo.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == (
        "The specified KMS key does not exist or is not allowed to be used with "
        f"Arn 'arn:aws:logs:{REGION}:{world.account}:log-group:{name}'"
    )


def test_create_log_group_with_a_key_that_admits_cloudwatch_logs(world):
    arn = key(world, for_logs(world.group_arn))
    world.logs.create_log_group(logGroupName=world.group, kmsKeyId=arn)
    assert group_key(world, world.group) == arn


def test_create_log_group_with_a_key_of_the_default_policy_is_refused(world):
    arn = key(world)
    with pytest.raises(ClientError) as excinfo:
        world.logs.create_log_group(logGroupName=world.group, kmsKeyId=arn)
    assert_refused(excinfo, world, world.group)
    assert world.logs.describe_log_groups(logGroupNamePrefix=world.group)["logGroups"] == []


def test_a_key_for_another_group_or_a_missing_key_is_refused(world):
    other = f"arn:aws:logs:{REGION}:{world.account}:log-group:/lex/other"
    with pytest.raises(ClientError) as excinfo:
        world.logs.create_log_group(logGroupName=world.group, kmsKeyId=key(world, for_logs(other)))
    assert_refused(excinfo, world, world.group)
    missing = f"arn:aws:kms:{REGION}:{world.account}:key/00000000-0000-0000-0000-000000000000"
    with pytest.raises(ClientError) as excinfo:
        world.logs.create_log_group(logGroupName=world.group, kmsKeyId=missing)
    assert_refused(excinfo, world, world.group)


def test_associate_kms_key_checks_the_key_policy(world):
    world.logs.create_log_group(logGroupName=world.group)
    with pytest.raises(ClientError) as excinfo:
        world.logs.associate_kms_key(logGroupName=world.group, kmsKeyId=key(world))
    assert_refused(excinfo, world, world.group)
    assert group_key(world, world.group) is None
    pattern = f"arn:aws:logs:{REGION}:{world.account}:log-group:/lex/*"
    arn = key(world, for_logs(pattern, "ArnLike"))
    world.logs.associate_kms_key(logGroupName=world.group, kmsKeyId=arn)
    assert group_key(world, world.group) == arn


def test_disassociate_kms_key_takes_the_key_off_the_group(world):
    arn = key(world, for_logs(world.group_arn))
    world.logs.create_log_group(logGroupName=world.group, kmsKeyId=arn)
    world.logs.disassociate_kms_key(logGroupName=world.group)
    assert group_key(world, world.group) is None
    # Again, on a group without a key: answered alike.
    world.logs.disassociate_kms_key(logGroupName=world.group)
    assert group_key(world, world.group) is None
    with pytest.raises(ClientError) as excinfo:
        world.logs.disassociate_kms_key(logGroupName=world.group + "-missing")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_conversation_log_reaches_an_encrypted_group_only_while_logs_may_use_the_key(world):
    arn = key(world, for_logs(world.group_arn))
    world.role().inline(logs_allowed(world))
    world.logs.create_log_group(logGroupName=world.group, kmsKeyId=arn)
    world.bot()
    world.say("hello")
    assert len(world.events()) == 1
    # The key policy loses the statement: CloudWatch Logs can no longer encrypt the group's events.
    world.kms.put_key_policy(KeyId=arn, PolicyName="default",
                             Policy=json.dumps({"Version": "2012-10-17", "Statement": [root(world)]}))
    world.say("hello again")
    assert len(world.events()) == 1

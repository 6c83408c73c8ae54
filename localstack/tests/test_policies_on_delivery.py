"""The twin's reading of what AWS reads on a conversation log's audio write, and IAM's role
quotas (iam_quotas.py), against a running LocalStack (`LOCALSTACK_PORT`, default 4566):
bucket policies evaluated for Lex's PutObject, key policies with the context S3 gives KMS
(kms:ViaService, kms:CallerAccount, the aws:s3:arn encryption context), the account's
AttachedPoliciesPerRoleQuota and the aggregate size of a role's inline policies.
"""

import json

import pytest
from botocore.exceptions import ClientError

from test_runtime import REGION, Audio, World, logs_allowed  # noqa: F401 (World: fixture's type)


@pytest.fixture
def world():
    return World()


def bucket_policy(audio, *statements):
    audio.world.s3.put_bucket_policy(
        Bucket=audio.bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    )


def deny(sid, condition, action="s3:PutObject"):
    return {"Sid": sid, "Effect": "Deny", "Principal": "*", "Action": action,
            "Resource": "arn:aws:s3:::BUCKET/*", "Condition": condition}


@pytest.mark.parametrize("statement,delivered", [
    (deny("OnlyThroughVpce", {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, "s3:*"), False),
    (deny("KmsOnly", {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}), True),
    (deny("TlsOnly", {"Bool": {"aws:SecureTransport": "false"}}), True),
    (deny("OtherKeyOnly", {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:000000000000:key/other"}}), False),
])
def test_bucket_policy_deny_is_evaluated_for_lex_put_object(world, statement, delivered):
    audio = Audio(world)
    statement["Resource"] = f"arn:aws:s3:::{audio.bucket}/*"
    bucket_policy(audio, statement)
    audio.speak()
    assert bool(audio.objects()) == delivered
    # the text log does not depend on the bucket
    assert len(world.events()) == 1


def test_bucket_policy_without_key_refuses_a_write_without_sse_headers(world):
    audio = Audio(world, kms=False)
    bucket_policy(audio, {**deny("KmsOnly", {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}),
                          "Resource": f"arn:aws:s3:::{audio.bucket}/*"})
    audio.speak()
    assert audio.objects() == []


def key_policy_via(world, service, condition_key="kms:ViaService"):
    """A key policy that lets the account administer the key but use it only through `service`,
    without delegating use to IAM policies."""
    root = f"arn:aws:iam::{world.account}:root"
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": root},
         "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:Put*", "kms:Create*"], "Resource": "*"},
        {"Sid": "UseThroughS3", "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {condition_key: service, "kms:CallerAccount": world.account}}},
    ]}


@pytest.mark.parametrize("service,delivered", [
    (f"s3.{REGION}.amazonaws.com", True),
    (f"ec2.{REGION}.amazonaws.com", False),
])
def test_key_policy_is_evaluated_with_kms_via_service(world, service, delivered):
    audio = Audio(world, key_policy=key_policy_via(world, service), grant_kms=False)
    audio.speak()
    assert bool(audio.objects()) == delivered


def test_key_policy_condition_on_the_s3_encryption_context(world):
    policy = key_policy_via(world, f"s3.{REGION}.amazonaws.com")
    policy["Statement"][1]["Condition"]["StringLike"] = {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::someone-else/*"}
    audio = Audio(world, key_policy=policy, grant_kms=False)
    audio.speak()
    assert audio.objects() == []


def managed(world, n):
    return [world.managed_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b{i}/*"}]}) for i in range(n)]


@pytest.mark.parametrize("quota", [10, 20])
def test_attached_policies_per_role_quota_is_the_accounts(world, quota):
    world.role()
    if quota != 10:
        world.settings(attached_policies_per_role_quota=quota)
    summary = world.iam.get_account_summary()["SummaryMap"]
    assert summary["AttachedPoliciesPerRoleQuota"] == quota
    arns = managed(world, 11)
    for arn in arns[:10]:
        world.iam.attach_role_policy(RoleName=world.role_name, PolicyArn=arn)
    # attaching one already attached is not one more
    world.iam.attach_role_policy(RoleName=world.role_name, PolicyArn=arns[0])
    if quota == 10:
        with pytest.raises(ClientError) as refused:
            world.iam.attach_role_policy(RoleName=world.role_name, PolicyArn=arns[10])
        assert refused.value.response["Error"]["Code"] == "LimitExceeded"
        assert "PoliciesPerRole: 10" in refused.value.response["Error"]["Message"]
    else:
        world.iam.attach_role_policy(RoleName=world.role_name, PolicyArn=arns[10])
    attached = world.iam.list_attached_role_policies(RoleName=world.role_name)["AttachedPolicies"]
    assert len(attached) == (10 if quota == 10 else 11)


def inline_of(chars):
    """A policy document of exactly `chars` characters without whitespace."""
    base = {"Version": "2012-10-17", "Statement": [{"Sid": "", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    size = len(json.dumps(base, separators=(",", ":")))
    base["Statement"][0]["Sid"] = "x" * (chars - size)
    return json.dumps(base, indent=2)  # whitespace IAM does not count


def test_role_inline_policies_share_10240_characters(world):
    world.role()
    put = lambda name, chars: world.iam.put_role_policy(  # noqa: E731
        RoleName=world.role_name, PolicyName=name, PolicyDocument=inline_of(chars))
    put("first", 6000)
    put("second", 4240)  # exactly 10,240 together
    put("second", 4240)  # replacing a policy does not count it twice
    with pytest.raises(ClientError) as refused:
        put("third", 100)
    assert refused.value.response["Error"]["Code"] == "LimitExceeded"
    assert world.role_name in refused.value.response["Error"]["Message"]
    names = world.iam.list_role_policies(RoleName=world.role_name)["PolicyNames"]
    assert sorted(names) == ["first", "second"]


def test_expected_bucket_owner_is_checked_on_every_bucket_call(world):
    other = World()
    bucket = f"owned-{world.uid}"
    other.s3.create_bucket(Bucket=bucket)
    for call in (world.s3.head_bucket, world.s3.get_bucket_location, world.s3.get_bucket_encryption):
        with pytest.raises(ClientError) as refused:
            call(Bucket=bucket, ExpectedBucketOwner=world.account)
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403, call
        call(Bucket=bucket, ExpectedBucketOwner=other.account)
    # without the condition, S3 answers as before
    world.s3.head_bucket(Bucket=bucket)


def test_audio_to_a_bucket_of_another_account_is_not_delivered(world):
    other = World()
    foreign = f"foreign-{world.uid}"
    other.s3.create_bucket(Bucket=foreign)
    world.role().inline(
        logs_allowed(world),
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{foreign}/*"},
    ).log_group()
    world.bot(audio={"s3BucketArn": f"arn:aws:s3:::{foreign}", "logPrefix": "audio/"})
    world.runtime.recognize_utterance(
        botId=world.bot_id, botAliasId=world.alias_id, localeId="en_US", sessionId="voice",
        requestContentType="audio/l16; rate=16000; channels=1", responseContentType="text/plain; charset=utf-8",
        inputStream=b"\x00\x00" * 1600,
    )
    assert other.s3.list_objects_v2(Bucket=foreign).get("KeyCount", 0) == 0
    assert len(world.events()) == 1  # the text log is delivered

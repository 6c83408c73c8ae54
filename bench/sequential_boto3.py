#!/usr/bin/env python3
"""The bench's sequential boto3 baseline: what a careful user writes instead of lex-logs-setup.

It makes the calls the tool makes for a fresh apply (text logs to CloudWatch, a PassRole grant
to a user, and with --audio-bucket and --kms-key audio to S3 with a KMS key), one after another:
it reads the bot, its role and the role's policies, the user, the alias, the log group (and the
bucket and the key), checks what is missing, writes the grants, re-reads the alias and updates
it. The names and documents are the tool's (policies named after --setup, the tool's default
role name), the tags are its own. The endpoint, credentials and region come from the environment
(AWS_ENDPOINT_URL, ...), as for the tool. Run by tests/bench (scripts/bench); it is not a test.

It leaves out the reads the tool makes only because it makes them at once, on a guess, before it
knows whether it needs them: the role named after --setup (the tool's dedicated role, which these
worlds do not have), our managed policies' versions and attachments before the policies are known
to exist, the bot name tried as a bot id, the log group's tags before the group is known to
exist. So it makes fewer calls than the tool (the bench prints both counts): its time is a lower
bound.
"""

import argparse
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

PASS_ROLE_PREFIX = "LexLogsPassRole-"
LEX_SERVICE = "lexv2.amazonaws.com"
OUR_POLICIES = ("CloudWatchLogs", "S3AudioLogs", "KmsAudioLogs")
TAGS = {"managed-by": "sequential-boto3"}
TEXT_PREFIX = "lex/"
AUDIO_PREFIX = "lex-audio/"


def missing(call, *codes):
    """The answer of `call`, or None when AWS says the thing does not exist."""
    try:
        return call()
    except ClientError as e:
        if e.response["Error"]["Code"] in codes:
            return None
        raise


def document(statements):
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bot", required=True)
    p.add_argument("--alias", required=True)
    p.add_argument("--user", required=True, help="the IAM user granted iam:PassRole")
    p.add_argument("--log-group", required=True)
    p.add_argument("--setup", required=True, help="names our policies: <setup>-CloudWatchLogs")
    p.add_argument("--audio-bucket")
    p.add_argument("--kms-key")
    a = p.parse_args()

    config = Config(
        retries={"max_attempts": 2, "mode": "standard"}, s3={"addressing_style": "path"}
    )
    session = boto3.session.Session()
    sts, iam, lex, logs = (
        session.client(s, config=config) for s in ("sts", "iam", "lexv2-models", "logs")
    )
    region = session.region_name

    # Who am I; the bot by name; its role.
    account = sts.get_caller_identity()["Account"]
    bots = lex.list_bots(
        filters=[{"name": "BotName", "values": [a.bot], "operator": "EQ"}]
    )["botSummaries"]
    bot_id = next(b["botId"] for b in bots if b["botName"] == a.bot)
    bot = lex.describe_bot(botId=bot_id)
    role_arn = bot["roleArn"]
    role_name = role_arn.rsplit("/", 1)[1]
    service_linked = "/aws-service-role/" in role_arn
    bot_arn = f"arn:aws:lex:{region}:{account}:bot/{bot_id}"
    lex.list_tags_for_resource(resourceARN=bot_arn)
    lex.list_bot_replicas(botId=bot_id)

    # The role and what it already grants: inline and attached policies, and ours by name.
    iam.get_role(RoleName=role_name)
    inline = iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    for name in inline:
        iam.get_role_policy(RoleName=role_name, PolicyName=name)
    attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    # A service-linked role takes no managed policies of ours (one inline policy instead).
    ours = {
        s: f"arn:aws:iam::{account}:policy/{a.setup}-{s}"
        for s in OUR_POLICIES
        if not service_linked and (s == "CloudWatchLogs" or a.audio_bucket)
    }
    for arn in [p["PolicyArn"] for p in attached] + list(ours.values()):
        policy = missing(lambda: iam.get_policy(PolicyArn=arn), "NoSuchEntity")
        if policy:
            iam.get_policy_version(
                PolicyArn=arn, VersionId=policy["Policy"]["DefaultVersionId"]
            )
            iam.list_entities_for_policy(PolicyArn=arn)
    inline_name = f"{a.setup}-ConversationLogs"

    # The user to grant, and its grant if it has one.
    grant_name = f"{PASS_ROLE_PREFIX}{a.setup}"
    iam.get_user(UserName=a.user)
    missing(
        lambda: iam.get_user_policy(UserName=a.user, PolicyName=grant_name),
        "NoSuchEntity",
    )

    # The alias, the version it runs, its tags.
    aliases = lex.list_bot_aliases(botId=bot_id)["botAliasSummaries"]
    alias_id = next(x["botAliasId"] for x in aliases if x["botAliasName"] == a.alias)
    alias = lex.describe_bot_alias(botId=bot_id, botAliasId=alias_id)
    lex.describe_bot_version(botId=bot_id, botVersion=alias["botVersion"])
    alias_arn = f"arn:aws:lex:{region}:{account}:bot-alias/{bot_id}/{alias_id}"
    lex.list_tags_for_resource(resourceARN=alias_arn)

    # The log group (and the bucket and the key).
    group_arn = f"arn:aws:logs:{region}:{account}:log-group:{a.log_group}"
    groups = logs.describe_log_groups(logGroupNamePrefix=a.log_group)["logGroups"]
    group_exists = any(g["logGroupName"] == a.log_group for g in groups)
    if group_exists:
        logs.list_tags_for_resource(resourceArn=group_arn)
    if a.audio_bucket:
        s3, kms = (session.client(s, config=config) for s in ("s3", "kms"))
        s3.head_bucket(Bucket=a.audio_bucket)
        s3.get_bucket_location(Bucket=a.audio_bucket)
        missing(lambda: s3.get_bucket_policy(Bucket=a.audio_bucket), "NoSuchBucketPolicy")
        missing(
            lambda: s3.get_bucket_encryption(Bucket=a.audio_bucket),
            "ServerSideEncryptionConfigurationNotFoundError",
        )
        key_arn = kms.describe_key(KeyId=a.kms_key)["KeyMetadata"]["Arn"]
        kms.get_key_policy(KeyId=a.kms_key, PolicyName="default")

    # What the role needs: write to the group (and the bucket, with the key).
    statements = {
        "CloudWatchLogs": [
            {
                "Sid": "WriteConversationLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{group_arn}:*",
            }
        ]
    }
    if a.audio_bucket:
        statements["S3AudioLogs"] = [
            {
                "Sid": "WriteAudioLogs",
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": f"arn:aws:s3:::{a.audio_bucket}/{AUDIO_PREFIX}*",
            }
        ]
        statements["KmsAudioLogs"] = [
            {
                "Sid": "EncryptAudioLogs",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": key_arn,
            }
        ]

    # Write: the group, the role's grant, the user's PassRole grant, the alias's tag.
    if not group_exists:
        logs.create_log_group(logGroupName=a.log_group, tags=TAGS)
    if service_linked:
        current = missing(
            lambda: iam.get_role_policy(RoleName=role_name, PolicyName=inline_name),
            "NoSuchEntity",
        )
        if current is None:
            iam.put_role_policy(
                RoleName=role_name,
                PolicyName=inline_name,
                PolicyDocument=document(
                    [s for concern in statements.values() for s in concern]
                ),
            )
    else:
        attached_arns = {p["PolicyArn"] for p in attached}
        for concern, arn in ours.items():
            if arn not in attached_arns:
                iam.create_policy(
                    PolicyName=f"{a.setup}-{concern}",
                    PolicyDocument=document(statements[concern]),
                    Description="Conversation logs for Amazon Lex V2",
                    Tags=[{"Key": k, "Value": v} for k, v in TAGS.items()],
                )
        for concern, arn in ours.items():
            if arn not in attached_arns:
                iam.attach_role_policy(RoleName=role_name, PolicyArn=arn)
    if missing(
        lambda: iam.get_user_policy(UserName=a.user, PolicyName=grant_name),
        "NoSuchEntity",
    ) is None:
        iam.put_user_policy(
            UserName=a.user,
            PolicyName=grant_name,
            PolicyDocument=document(
                [
                    {
                        "Sid": "PassLexLogsRole",
                        "Effect": "Allow",
                        "Action": "iam:PassRole",
                        "Resource": role_arn,
                        "Condition": {"StringEquals": {"iam:PassedToService": LEX_SERVICE}},
                    }
                ]
            ),
        )
    # Record on the bot who may pass its role (as the tool does, to undo it later).
    tags = lex.list_tags_for_resource(resourceARN=bot_arn).get("tags", {})
    if tags.get("pass-role-principals") != f"user/{a.user}":
        lex.tag_resource(resourceARN=bot_arn, tags={"pass-role-principals": f"user/{a.user}"})

    # The alias: read it again (someone may have changed it), then replace it with logging on.
    alias = lex.describe_bot_alias(botId=bot_id, botAliasId=alias_id)
    settings = {
        "textLogSettings": [
            {
                "enabled": True,
                "destination": {
                    "cloudWatch": {"cloudWatchLogGroupArn": group_arn, "logPrefix": TEXT_PREFIX}
                },
            }
        ]
    }
    if a.audio_bucket:
        settings["audioLogSettings"] = [
            {
                "enabled": True,
                "destination": {
                    "s3Bucket": {
                        "s3BucketArn": f"arn:aws:s3:::{a.audio_bucket}",
                        "logPrefix": AUDIO_PREFIX,
                        "kmsKeyArn": key_arn,
                    }
                },
            }
        ]
    kept = {
        k: alias[k]
        for k in (
            "description",
            "botVersion",
            "botAliasLocaleSettings",
            "sentimentAnalysisSettings",
        )
        if k in alias
    }
    lex.update_bot_alias(
        botId=bot_id,
        botAliasId=alias_id,
        botAliasName=alias["botAliasName"],
        conversationLogSettings=settings,
        **kept,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

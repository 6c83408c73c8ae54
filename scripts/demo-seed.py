"""Seeds the emulator with a demo bot, its alias and an IAM user who deploys it (idempotent).
Run with localstack/.venv's Python, which has boto3. Usage: demo-seed.py BOT_NAME ALIAS_NAME USER"""

import os
import sys

import boto3

bot_name, alias_name, user_name = sys.argv[1], sys.argv[2], sys.argv[3]
endpoint = os.environ["AWS_ENDPOINT_URL"]
lex = boto3.client("lexv2-models", endpoint_url=endpoint, region_name=os.environ.get("AWS_REGION", "us-east-1"))
account = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1").get_caller_identity()["Account"]

bots = lex.list_bots(filters=[{"name": "BotName", "values": [bot_name], "operator": "EQ"}])["botSummaries"]
if bots:
    bot_id = bots[0]["botId"]
else:
    bot_id = lex.create_bot(
        botName=bot_name,
        description="Demo bot seeded by scripts/demo",
        roleArn=f"arn:aws:iam::{account}:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_{bot_name}",
        dataPrivacy={"childDirected": False},
        idleSessionTTLInSeconds=300,
    )["botId"]

aliases = lex.list_bot_aliases(botId=bot_id)["botAliasSummaries"]
if not any(a["botAliasName"] == alias_name for a in aliases):
    lex.create_bot_alias(
        botId=bot_id,
        botAliasName=alias_name,
        description="Demo alias",
        botVersion="1",
        botAliasLocaleSettings={"en_US": {"enabled": True}},
    )
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
try:
    iam.create_user(UserName=user_name)
except iam.exceptions.EntityAlreadyExistsException:
    pass
print(f"seeded bot {bot_name} ({bot_id}) with alias {alias_name}, and IAM user {user_name}")

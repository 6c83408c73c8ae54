"""Seeds the emulator with a realistic demo world (idempotent):
- the bot's own service-linked role (CreateServiceLinkedRole, CustomSuffix = bot name), with the
  inline policy Lex adds for sentiment analysis (comprehend:DetectSentiment);
- the bot on that role, locale en_US created and built, version 1 published;
- the alias ALIAS_NAME on version 1 (sentiment analysis on), TestBotAlias on DRAFT;
- an IAM user who deploys it.
Run with localstack/.venv's Python, which has boto3. Usage: demo-seed.py BOT_NAME ALIAS_NAME USER"""

import json
import os
import sys
import time

import boto3

bot_name, alias_name, user_name = sys.argv[1], sys.argv[2], sys.argv[3]
endpoint = os.environ["AWS_ENDPOINT_URL"]
region = os.environ.get("AWS_REGION", "us-east-1")
lex = boto3.client("lexv2-models", endpoint_url=endpoint, region_name=region)
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
account = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1").get_caller_identity()["Account"]
locale_id = "en_US"

# The bot's service-linked role.
role_name = f"AWSServiceRoleForLexV2Bots_{bot_name}"
try:
    role_arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]
except iam.exceptions.NoSuchEntityException:
    role_arn = iam.create_service_linked_role(
        AWSServiceName="lexv2.amazonaws.com", CustomSuffix=bot_name,
        Description=f"Service-linked role for the Lex V2 bot {bot_name}",
    )["Role"]["Arn"]
iam.put_role_policy(  # idempotent: replaces the policy of the same name
    RoleName=role_name,
    PolicyName="AmazonLexV2BotSentimentAnalysis",
    PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["comprehend:DetectSentiment"], "Resource": "*"}],
    }),
)

# The bot, on that role.
bots = lex.list_bots(filters=[{"name": "BotName", "values": [bot_name], "operator": "EQ"}])["botSummaries"]
if bots:
    bot_id = bots[0]["botId"]
else:
    bot_id = lex.create_bot(
        botName=bot_name,
        description="Demo bot seeded by scripts/demo",
        roleArn=role_arn,
        dataPrivacy={"childDirected": False},
        idleSessionTTLInSeconds=300,
    )["botId"]

# Locale en_US, built.
locales = lex.list_bot_locales(botId=bot_id, botVersion="DRAFT")["botLocaleSummaries"]
if not any(l["localeId"] == locale_id for l in locales):
    lex.create_bot_locale(botId=bot_id, botVersion="DRAFT", localeId=locale_id,
                          description="English (US)", nluIntentConfidenceThreshold=0.40)
status = lex.describe_bot_locale(botId=bot_id, botVersion="DRAFT", localeId=locale_id)["botLocaleStatus"]
if status not in ("Built", "Building"):
    lex.build_bot_locale(botId=bot_id, botVersion="DRAFT", localeId=locale_id)
deadline = time.monotonic() + 60
while lex.describe_bot_locale(botId=bot_id, botVersion="DRAFT", localeId=locale_id)["botLocaleStatus"] != "Built":
    if time.monotonic() > deadline:
        sys.exit(f"locale {locale_id} of bot {bot_name} did not become Built")
    time.sleep(0.5)

# Version 1.
versions = [v["botVersion"] for v in lex.list_bot_versions(botId=bot_id)["botVersionSummaries"]]
if "1" not in versions:
    lex.create_bot_version(botId=bot_id, description="Version 1 (demo)",
                           botVersionLocaleSpecification={locale_id: {"sourceBotVersion": "DRAFT"}})

# The alias on version 1; TestBotAlias stays on DRAFT (Lex creates it with the bot).
aliases = lex.list_bot_aliases(botId=bot_id)["botAliasSummaries"]
if not any(a["botAliasName"] == alias_name for a in aliases):
    lex.create_bot_alias(
        botId=bot_id,
        botAliasName=alias_name,
        description="Demo alias",
        botVersion="1",
        botAliasLocaleSettings={locale_id: {"enabled": True}},
        sentimentAnalysisSettings={"detectSentiment": True},
    )

try:
    iam.create_user(UserName=user_name)
except iam.exceptions.EntityAlreadyExistsException:
    pass
print(f"seeded bot {bot_name} ({bot_id}) on {role_arn}: {locale_id} built, version 1, "
      f"alias {alias_name} on version 1, TestBotAlias on DRAFT; IAM user {user_name}")

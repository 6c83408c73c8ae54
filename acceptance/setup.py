"""The world the questions run in: log groups, a bucket, roles trusting Lex, a bot with a built
locale, version 1 on one role while the bot moved on to another, and an alias on version 1 with
text and audio logs. Everything carries the run's tag (service-linked roles cannot be tagged:
they are found by their name)."""

import time
import uuid

from botocore.exceptions import ClientError

from world import LOCALE, TAG_KEY, Names, Target, logs_grant, retry, trust_policy, wait_until


class World:
    def __init__(self, target: Target, names: Names):
        self.t, self.n = target, names
        self.lex = target.client("lexv2-models")
        self.runtime = target.client("lexv2-runtime")
        self.iam, self.logs = target.client("iam"), target.client("logs")
        self.s3, self.cw = target.client("s3"), target.client("cloudwatch")
        self.tags = {TAG_KEY: names.run_id}
        self.iam_tags = [{"Key": TAG_KEY, "Value": names.run_id}]
        self.bot_id = self.alias_id = None
        self.role_arns: dict[str, str] = {}

    # -- creation -------------------------------------------------------------------------------
    def create(self):
        n, t = self.n, self.t
        for group in n.groups.values():
            self.logs.create_log_group(logGroupName=group, tags=self.tags)
        bucket_args = {} if t.region == "us-east-1" else {
            "CreateBucketConfiguration": {"LocationConstraint": t.region}}
        self.s3.create_bucket(Bucket=n.bucket, **bucket_args)
        self.s3.put_bucket_tagging(Bucket=n.bucket, ExpectedBucketOwner=t.account, Tagging={
            "TagSet": [{"Key": TAG_KEY, "Value": n.run_id}]})
        g = n.groups
        self.role(n.role_version, None, [g["version-role"], g["timing"]], audio=True)
        self.role(n.role_current, None, [g["current-role"], g["timing"]], audio=True)
        self.bot_id = self.create_bot(n.bot, self.role_arns[n.role_version])
        self.create_trust_roles()
        self.build_draft()
        self.lex.create_bot_version(botId=self.bot_id, botVersionLocaleSpecification={
            LOCALE: {"sourceBotVersion": "DRAFT"}})
        wait_until(lambda: self.version_available("1"), 120, self.t.poll)
        self.switch_bot_role(self.role_arns[n.role_current])
        self.alias_id = self.lex.create_bot_alias(
            botId=self.bot_id, botAliasName=n.alias, botVersion="1",
            botAliasLocaleSettings={LOCALE: {"enabled": True}}, tags=self.tags,
            conversationLogSettings=self.log_settings(g["version-role"], audio=True))["botAliasId"]
        wait_until(lambda: self.alias_available(self.alias_id), 120, self.t.poll)

    def role(self, name, condition, groups, audio=False):
        arn = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy(condition),
                                   Tags=self.iam_tags)["Role"]["Arn"]
        self.iam.put_role_policy(RoleName=name, PolicyName="conversation-logs",
                                 PolicyDocument=logs_grant(self.t, groups,
                                                           self.n.bucket if audio else None,
                                                           self.n.audio_prefix))
        self.role_arns[name] = arn

    def create_trust_roles(self):
        t, bot_arn = self.t, f"arn:aws:lex:{self.t.region}:{self.t.account}:bot/{self.bot_id}"
        alias_arns = f"arn:aws:lex:{t.region}:{t.account}:bot-alias/{self.bot_id}/*"
        conditions = {
            "plain": None,
            "source-account": {"StringEquals": {"aws:SourceAccount": t.account}},
            "source-arn-present": {"Null": {"aws:SourceArn": "false"}},
            "source-arn-alias": {"ArnLike": {"aws:SourceArn": alias_arns}},
            "source-arn-bot": {"ArnEquals": {"aws:SourceArn": bot_arn}},
            "control": {"StringEquals": {"aws:SourceAccount": "000000000000"}},
        }
        for variant, name in self.n.trust_roles.items():
            self.role(name, conditions[variant], [self.n.groups["trust"]])

    def create_bot(self, name, role_arn):
        bot_id = retry(f"CreateBot {name}", lambda: self.lex.create_bot(
            botName=name, roleArn=role_arn, dataPrivacy={"childDirected": False},
            idleSessionTTLInSeconds=300, botTags=self.tags,
            description="lex-logs-setup acceptance suite; removed at the end of the run"),
            seconds=90, codes=("ValidationException", "AccessDeniedException"),
            target=self.t)["botId"]
        wait_until(lambda: self.lex.describe_bot(botId=bot_id)["botStatus"] == "Available", 120,
                   self.t.poll)
        return bot_id

    def build_draft(self):
        lex, bot = self.lex, self.bot_id
        locales = lex.list_bot_locales(botId=bot, botVersion="DRAFT")["botLocaleSummaries"]
        if not locales:
            lex.create_bot_locale(botId=bot, botVersion="DRAFT", localeId=LOCALE,
                                  nluIntentConfidenceThreshold=0.4)
            wait_until(lambda: self.locale_status() not in ("Creating",), 60, self.t.poll)
            if not self.t.twin:  # a real locale needs an intent of its own to build
                lex.create_intent(botId=bot, botVersion="DRAFT", localeId=LOCALE,
                                  intentName="Hello",
                                  sampleUtterances=[{"utterance": "hello"}, {"utterance": "hi"}])
        lex.build_bot_locale(botId=bot, botVersion="DRAFT", localeId=LOCALE)
        status = wait_until(lambda: self.locale_status() in ("Built", "Failed"), 300, self.t.poll)
        if self.locale_status() != "Built":
            raise RuntimeError(f"locale {LOCALE} of bot {self.n.bot} did not build ({status})")

    def locale_status(self):
        return self.lex.describe_bot_locale(botId=self.bot_id, botVersion="DRAFT",
                                            localeId=LOCALE)["botLocaleStatus"]

    def version_available(self, version):
        try:
            return self.lex.describe_bot_version(botId=self.bot_id,
                                                 botVersion=version)["botStatus"] == "Available"
        except ClientError:
            return False

    def alias_available(self, alias_id):
        return self.lex.describe_bot_alias(botId=self.bot_id,
                                           botAliasId=alias_id)["botAliasStatus"] == "Available"

    def switch_bot_role(self, role_arn):
        """UpdateBot to another role (DRAFT and TestBotAlias follow it); rebuilds the DRAFT
        locale if AWS marks it unbuilt. Raises ClientError if Lex refuses the role."""
        bot = self.lex.describe_bot(botId=self.bot_id)
        retry("UpdateBot", lambda: self.lex.update_bot(
            botId=self.bot_id, botName=bot["botName"], roleArn=role_arn,
            dataPrivacy=bot["dataPrivacy"], idleSessionTTLInSeconds=bot["idleSessionTTLInSeconds"],
            description=bot.get("description", "")),
            seconds=90, codes=("ValidationException", "AccessDeniedException"), target=self.t,
            messages=("role", "assume", "passrole", "permission"))
        wait_until(lambda: self.lex.describe_bot(botId=self.bot_id)["botStatus"] == "Available",
                   120, self.t.poll)
        if self.locale_status() != "Built":
            self.build_draft()

    # -- alias settings and turns --------------------------------------------------------------
    def log_settings(self, group, audio=False, text=True):
        settings = {"textLogSettings": [{"enabled": text, "destination": {"cloudWatch": {
            "cloudWatchLogGroupArn":
                f"arn:aws:logs:{self.t.region}:{self.t.account}:log-group:{group}",
            "logPrefix": "lex/"}}}]}
        if audio:
            settings["audioLogSettings"] = [{"enabled": True, "destination": {"s3Bucket": {
                "s3BucketArn": f"arn:aws:s3:::{self.n.bucket}", "logPrefix": self.n.audio_prefix}}}]
        return settings

    def set_alias_logs(self, alias_id, group, audio=False):
        alias = self.lex.describe_bot_alias(botId=self.bot_id, botAliasId=alias_id)
        args = {"botId": self.bot_id, "botAliasId": alias_id, "botAliasName": alias["botAliasName"],
                "conversationLogSettings": self.log_settings(group, audio=audio)}
        if alias_id != "TSTALIASID":
            args["botVersion"] = alias["botVersion"]
            args["botAliasLocaleSettings"] = alias["botAliasLocaleSettings"]
        self.lex.update_bot_alias(**args)
        updated = time.monotonic()
        wait_until(lambda: self.alias_available(alias_id), 120, self.t.poll)
        return updated

    def turn(self, alias_id, text="hello") -> str:
        """One RecognizeText turn on a fresh session; returns the session id."""
        session = f"lexacc-{uuid.uuid4().hex}"
        # A real alias or locale can answer "not found / not ready" for a while after a change.
        retry("RecognizeText", lambda: self.runtime.recognize_text(
            botId=self.bot_id, botAliasId=alias_id, localeId=LOCALE, sessionId=session, text=text),
            seconds=60, codes=("ResourceNotFoundException", "BadRequestException",
                               "ConflictException"), target=self.t)
        return session

    def logged(self, group, session=None) -> bool:
        """Whether the group holds an event (of this session, if given)."""
        for page in self.logs.get_paginator("filter_log_events").paginate(logGroupName=group):
            for event in page.get("events", []):
                if session is None or session in event.get("message", ""):
                    return True
        return False

    def delivered(self, alias_id, group) -> tuple[bool, float]:
        """Send one turn and wait (up to the target's delivery wait) for its log line."""
        start = time.monotonic()
        session = self.turn(alias_id)
        ok = wait_until(lambda: self.logged(group, session), self.t.delivery_wait, self.t.poll)
        return bool(ok), time.monotonic() - start

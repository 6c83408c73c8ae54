"""The acceptance suite's resources: clients for one target (the twin or a real account), the
names every resource of a run gets (derived from the run id, so `--cleanup RUN_ID` finds what a
killed run left), creation with the run's tag, and removal of everything a run may have made."""

import json
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

TAG_KEY = "lex-logs-acceptance"
LOCALE = "en_US"


def error_code(err: ClientError) -> str:
    return err.response.get("Error", {}).get("Code", "?")


def http_status(err: ClientError) -> int:
    return err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)


def twin_account(run_id: str) -> str:
    """The twin run's own account (LocalStack takes a 12-digit access key id as the account)."""
    return "7" + str(int(run_id, 16) % 10**11).zfill(11)


class Target:
    """Where the suite runs: clients plus how patient to be (the twin delivers synchronously)."""

    def __init__(self, *, twin: bool, region: str, endpoint: str | None, profile: str | None,
                 run_id: str, delivery_wait: float, metrics_wait: float):
        self.twin, self.region, self.endpoint, self.profile = twin, region, endpoint, profile
        self.delivery_wait, self.metrics_wait = delivery_wait, metrics_wait
        self.poll = 0.2 if twin else 5.0
        if twin:
            self.session = boto3.Session(aws_access_key_id=twin_account(run_id),
                                         aws_secret_access_key="test", region_name=region)
        else:
            self.session = boto3.Session(profile_name=profile, region_name=region)
        self.config = Config(retries={"max_attempts": 8, "mode": "standard"})
        self.account = self.client("sts").get_caller_identity()["Account"]

    def client(self, service: str, session=None):
        region = "us-east-1" if service == "iam" else self.region
        return (session or self.session).client(service, region_name=region,
                                                endpoint_url=self.endpoint, config=self.config)

    def where(self) -> str:
        if self.twin:
            return f"the twin at {self.endpoint} (account {self.account}, {self.region})"
        return f"AWS account {self.account}, {self.region} (profile {self.profile})"

    def tool_env(self) -> dict:
        """Environment for lex-logs-setup so it talks to the same target with the same identity."""
        if self.twin:
            creds = self.session.get_credentials()
            return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_REGION": self.region,
                    "AWS_ACCESS_KEY_ID": creds.access_key,
                    "AWS_SECRET_ACCESS_KEY": creds.secret_key,
                    "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
        return {"AWS_PROFILE": self.profile, "AWS_REGION": self.region}


class Names:
    """Every name a run uses, from its run id alone."""

    def __init__(self, run_id: str, account: str):
        p = f"lexacc-{run_id}"
        self.run_id = run_id
        self.bot = p                       # the bot of questions 2-7
        self.slr_bot = f"{p}-slr"          # a bot on its own service-linked role (question 1)
        self.slr_role = f"AWSServiceRoleForLexV2Bots_{self.slr_bot}"
        self.role_version = f"{p}-version-role"
        self.role_current = f"{p}-current-role"
        self.trust_roles = {v: f"{p}-trust-{v}" for v in
                            ("plain", "source-account", "source-arn-present", "source-arn-alias",
                             "source-arn-bot", "control")}
        self.operator_policy = f"{p}-operator"
        self.operator_user = f"{p}-operator"
        self.alias = "acceptance"
        self.group_prefix = f"/lexacc/{run_id}/"
        self.groups = {g: f"{self.group_prefix}{g}" for g in
                       ("version-role", "current-role", "trust", "timing", "no-grant")}
        self.bucket = f"{p}-{account}"
        self.audio_prefix = "audio/"

    def all_roles(self):
        return [self.role_version, self.role_current, *self.trust_roles.values()]


def trust_policy(condition: dict | None = None) -> str:
    stmt = {"Effect": "Allow", "Principal": {"Service": "lexv2.amazonaws.com"},
            "Action": "sts:AssumeRole"}
    if condition:
        stmt["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [stmt]})


def logs_grant(target: Target, groups: list[str], bucket: str | None, prefix: str) -> str:
    resources = [f"arn:aws:logs:{target.region}:{target.account}:log-group:{g}:*" for g in groups]
    stmts = [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
              "Resource": resources}]
    if bucket:
        stmts.append({"Effect": "Allow", "Action": "s3:PutObject",
                      "Resource": f"arn:aws:s3:::{bucket}/{prefix}*"})
    return json.dumps({"Version": "2012-10-17", "Statement": stmts})


def retry(what, action, *, seconds: float, codes: tuple, target: Target, messages=()):
    """Run action, retrying the given error codes (IAM propagation on a real account) up to
    `seconds`; a message filter narrows which errors count."""
    deadline = time.monotonic() + (0 if target.twin else seconds)
    while True:
        try:
            return action()
        except ClientError as err:
            text = str(err).lower()
            matches = error_code(err) in codes and (
                not messages or any(m in text for m in messages))
            if not matches or time.monotonic() > deadline:
                raise
            print(f"  … {what}: {error_code(err)}, retrying (IAM propagation)", flush=True)
            time.sleep(5)


def wait_until(check, seconds: float, poll: float):
    """Call check until it returns something truthy or `seconds` pass; returns the last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(poll)


def cleanup(target: Target, names: Names) -> list[str]:
    """Remove everything a run with these names may have created; returns what could not be
    removed (empty when the account is clean)."""
    left: list[str] = []
    lex, iam = target.client("lexv2-models"), target.client("iam")
    logs, s3 = target.client("logs"), target.client("s3")

    def attempt(what, action, absent=()):
        try:
            action()
            print(f"  removed {what}", flush=True)
        except ClientError as err:
            if error_code(err) in ("NoSuchEntity", "ResourceNotFoundException", "NoSuchBucket",
                                   "404", "NotFound", *absent):
                return
            left.append(f"{what}: {error_code(err)} {err}")
        except Exception as err:  # anything else: report it, go on removing the rest
            left.append(f"{what}: {type(err).__name__}: {err}")

    bot_ids = []
    for bot_name in (names.bot, names.slr_bot):
        found = lex.list_bots(filters=[{"name": "BotName", "values": [bot_name],
                                        "operator": "EQ"}])["botSummaries"]
        for bot in found:
            bot_ids.append(bot["botId"])
            attempt(f"bot {bot_name}", lambda b=bot: lex.delete_bot(
                botId=b["botId"], skipResourceInUseCheck=True))
    for bot_id in bot_ids:
        def gone(b=bot_id):
            try:
                lex.describe_bot(botId=b)
                return False
            except ClientError:
                return True
        if not wait_until(gone, 0 if target.twin else 180, target.poll):
            left.append(f"bot {bot_id}: still deleting after 180 s")
    # If IAM protects the role's inline policies, question 1's probe policy was never written.
    attempt(f"inline policy of {names.slr_role}", lambda: iam.delete_role_policy(
        RoleName=names.slr_role, PolicyName=f"lexacc-{names.run_id}-probe"),
        absent=("UnmodifiableEntity",))
    attempt(f"service-linked role {names.slr_role}",
            lambda: _delete_slr(iam, names.slr_role, target))
    for role in names.all_roles():
        attempt(f"role {role}", lambda r=role: _delete_role(iam, r))
    attempt(f"user {names.operator_user}", lambda: _delete_user(iam, names.operator_user))
    policy_arn = f"arn:aws:iam::{target.account}:policy/{names.operator_policy}"
    attempt(f"policy {names.operator_policy}", lambda: iam.delete_policy(PolicyArn=policy_arn))
    for page in logs.get_paginator("describe_log_groups").paginate(
            logGroupNamePrefix=names.group_prefix):
        for group in page["logGroups"]:
            attempt(f"log group {group['logGroupName']}",
                    lambda g=group: logs.delete_log_group(logGroupName=g["logGroupName"]))
    attempt(f"bucket {names.bucket}", lambda: _delete_bucket(s3, names.bucket, target.account))
    return left


def _delete_slr(iam, role: str, target: Target):
    """DeleteServiceLinkedRole is a task: wait for it, and fail if IAM says it failed (AWS fails it
    while Lex still uses the role)."""
    task = iam.delete_service_linked_role(RoleName=role)["DeletionTaskId"]

    def finished():
        status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
        return status if status["Status"] in ("SUCCEEDED", "FAILED") else None
    status = wait_until(finished, 0 if target.twin else 120, target.poll)
    if status and status["Status"] == "FAILED":
        raise RuntimeError(f"deletion task {task} failed: {status.get('Reason')}")


def _delete_role(iam, role: str):
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        iam.delete_role_policy(RoleName=role, PolicyName=name)
    for pol in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=role, PolicyArn=pol["PolicyArn"])
    iam.delete_role(RoleName=role)


def _delete_user(iam, user: str):
    for key in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    for name in iam.list_user_policies(UserName=user)["PolicyNames"]:
        iam.delete_user_policy(UserName=user, PolicyName=name)
    for pol in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]:
        iam.detach_user_policy(UserName=user, PolicyArn=pol["PolicyArn"])
    iam.delete_user(UserName=user)


def _delete_bucket(s3, bucket: str, account: str):
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                            ExpectedBucketOwner=account):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys}, ExpectedBucketOwner=account)
    s3.delete_bucket(Bucket=bucket, ExpectedBucketOwner=account)

"""Conversation-log delivery, decided the way Lex V2 decides it.

After answering, Lex assumes the role of the version the alias points at and writes with it:
text logs to the CloudWatch Logs group of the alias's textLogSettings, audio to the S3 bucket of
its audioLogSettings (encrypted with its KMS key, if any). When it cannot, nothing is written and
the failure is counted in the `AWS/Lex` CloudWatch metrics
`ConversationLogsTextDeliveryFailure` / `ConversationLogsAudioDeliveryFailure`
(https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-monitoring.html).

Every decision reads IAM, CloudWatch Logs, S3 and KMS through LocalStack's internal clients for the
alias's account and region; the policy logic is iam_eval.py.
"""

from __future__ import annotations

import io
import json
import logging
import re
import struct
from datetime import datetime, timezone

from localstack.aws.connect import connect_to

from . import iam_eval, logs_kms, propagation, service_metrics, sessions, settings
from .state import AliasView

LOG = logging.getLogger(__name__)

LEX_SERVICE_PRINCIPAL = "lexv2.amazonaws.com"
MESSAGE_VERSION = "2.0"

_LOG_GROUP_ARN = re.compile(r"^arn:aws[\w-]*:logs:([^:]+):(\d{12}):log-group:([^:]+)(:\*)?$")
_S3_BUCKET_ARN = re.compile(r"^arn:aws[\w-]*:s3:::([^/]+)$")
_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/(?:.*/)?([^/]+)$")


class NotDelivered(Exception):
    """Why a log was not delivered (the message goes to the LocalStack log)."""


def _clients(account_id: str, region: str):
    return connect_to(aws_access_key_id=account_id, region_name=region)


# ---- the role Lex assumes ---------------------------------------------------------------------


class RoleFacts:
    """What IAM says about a role: trust policy, age, identity policies, permissions boundary."""

    def __init__(self, role_arn: str):
        match = _ROLE_ARN.match(role_arn or "")
        if not match:
            raise NotDelivered(f"role ARN {role_arn!r} is not a role ARN")
        self.arn = role_arn
        self.account_id, self.name = match.group(1), match.group(2)
        iam = _clients(self.account_id, "us-east-1").iam
        try:
            role = iam.get_role(RoleName=self.name)["Role"]
        except iam.exceptions.NoSuchEntityException:
            raise NotDelivered(f"role {role_arn} does not exist") from None
        if role["Arn"] != role_arn:
            raise NotDelivered(f"role {role_arn} does not exist (a role named {self.name} is {role['Arn']})")
        self.trust_policy = role.get("AssumeRolePolicyDocument") or {}
        self.create_date = role["CreateDate"]
        self.identity_policies: list = []
        # A policy written or attached within the account's propagation window is not in effect yet
        # (propagation.py): the document it replaced applies, or none.
        for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=self.name):
            for attached in page["AttachedPolicies"]:
                arn = attached["PolicyArn"]
                document = propagation.effective(
                    self.account_id, ("managed", arn), _managed_policy_document(iam, arn))
                if propagation.effective(self.account_id, ("attach", self.name, arn), document) is not None:
                    self.identity_policies.append(document)
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=self.name):
            for policy_name in page["PolicyNames"]:
                document = iam.get_role_policy(RoleName=self.name, PolicyName=policy_name)["PolicyDocument"]
                document = propagation.effective(self.account_id, ("inline", self.name, policy_name), document)
                if document is not None:
                    self.identity_policies.append(document)
        boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        self.boundary = _managed_policy_document(iam, boundary) if boundary else None

    def check_assumable(self, view: AliasView) -> None:
        """Lex assumes the role as lexv2.amazonaws.com, with the alias as the source."""
        context = {"aws:SourceAccount": view.account_id, "aws:SourceArn": view.alias_arn}
        decision = iam_eval.resource_policy_allows(
            self.trust_policy,
            iam_eval.Principal("Service", frozenset([LEX_SERVICE_PRINCIPAL])),
            "sts:AssumeRole",
            self.arn,
            context,
        )
        if not decision.allowed:
            raise NotDelivered(
                f"{LEX_SERVICE_PRINCIPAL} may not assume role {self.arn} "
                f"(trust policy: {'; '.join(decision.reasons)}; context {context})"
            )
        propagation = settings.get(self.account_id).iam_propagation_seconds
        if propagation > 0:
            created = self.create_date
            if created.tzinfo is None:
                created = created.replace(tzinfo=timezone.utc)
            age = (datetime.now(timezone.utc) - created).total_seconds()
            if age < propagation:
                raise NotDelivered(
                    f"role {self.arn} was created {age:.1f}s ago; IAM has not propagated it yet "
                    f"(iam_propagation_seconds={propagation:g})"
                )

    def check_allowed(self, action: str, resource: str, context: dict | None = None) -> None:
        decision = iam_eval.identity_allows(self.identity_policies, action, resource, context, self.boundary)
        if not decision.allowed:
            raise NotDelivered(f"role {self.arn} lacks {action} on {resource} ({'; '.join(decision.reasons)})")


def _managed_policy_document(iam, policy_arn: str) -> dict:
    policy = iam.get_policy(PolicyArn=policy_arn)["Policy"]
    version = iam.get_policy_version(PolicyArn=policy_arn, VersionId=policy["DefaultVersionId"])
    return version["PolicyVersion"]["Document"]


def role_may(view: AliasView, action: str, resource: str) -> tuple[bool, str]:
    """May the alias's version role do this (identity policies and boundary only)?"""
    try:
        RoleFacts(view.role_arn).check_allowed(action, resource)
    except NotDelivered as why:
        return False, str(why)
    return True, ""


# ---- text logs --------------------------------------------------------------------------------


def text_log_event(view: AliasView, *, operation, locale_id, request_id, input_mode, input_transcript, answer,
                   timestamp: datetime) -> dict:
    """The log entry, with the fields of https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-cw.html"""
    intent = ((answer.get("sessionState") or {}).get("intent") or {}).get("name")
    event = {
        "messageVersion": MESSAGE_VERSION,
        "bot": {
            "id": view.bot_id,
            "name": view.bot_name,
            "aliasId": view.alias_id,
            "aliasName": view.alias_name,
            "localeId": locale_id,
            "version": view.bot_version,
        },
        "operationName": operation,
        "inputMode": input_mode,
        "inputTranscript": input_transcript,
        "interpretations": answer.get("interpretations") or [],
        "sessionState": answer.get("sessionState") or {},
        "messages": answer.get("messages") or [],
        "requestAttributes": answer.get("requestAttributes") or {},
        "sessionId": answer["sessionId"],
        "requestId": request_id,
        "timestamp": timestamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{timestamp.microsecond // 1000:03d}Z",
        "missedUtterance": intent == "FallbackIntent",
        "developerOverride": False,
        "responseContentType": "text/plain; charset=utf-8",
    }
    return event


def text_log_stream_name(log_prefix: str, view: AliasView, locale_id: str, when: datetime) -> str:
    """Assumed naming (AWS documents only that streams start with the alias's logPrefix)."""
    return f"{log_prefix}{view.bot_id}/{view.alias_id}/{locale_id}/{when:%Y/%m/%d}"


def _deliver_text(view: AliasView, setting: dict, role: RoleFacts, locale_id: str, event: dict, when: datetime):
    destination = (setting.get("destination") or {}).get("cloudWatch") or {}
    group_arn = destination.get("cloudWatchLogGroupArn") or ""
    match = _LOG_GROUP_ARN.match(group_arn)
    if not match:
        raise NotDelivered(f"log group ARN {group_arn!r} is not a CloudWatch Logs log-group ARN")
    region, account, group = match.groups()[:3]
    if region != view.region or account != view.account_id:
        raise NotDelivered(f"log group {group_arn} is not in the bot's account and region")
    stream = text_log_stream_name(destination.get("logPrefix") or "", view, locale_id, when)
    stream_arn = f"arn:aws:logs:{region}:{account}:log-group:{group}:log-stream:{stream}"
    role.check_allowed("logs:CreateLogStream", stream_arn)
    role.check_allowed("logs:PutLogEvents", stream_arn)

    logs = _clients(account, region).logs
    groups = logs.describe_log_groups(logGroupNamePrefix=group).get("logGroups", [])
    found = next((g for g in groups if g["logGroupName"] == group), None)
    if found is None:
        raise NotDelivered(f"log group {group} does not exist in {account}/{region} (Lex does not create it)")
    key_id = found.get("kmsKeyId")
    bare_arn = f"arn:aws:logs:{region}:{account}:log-group:{group}"
    if key_id and not logs_kms.key_usable(account, region, key_id, bare_arn):
        raise NotDelivered(f"CloudWatch Logs may not use KMS key {key_id} of log group {group} (key policy or key state)")
    try:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": int(when.timestamp() * 1000), "message": json.dumps(event)}],
    )
    service_metrics.count_incoming(account, region, group, 1)
    return f"{group}/{stream}"


# ---- audio logs -------------------------------------------------------------------------------


def audio_object_key(log_prefix: str, view: AliasView, locale_id: str, session_id: str, request_id: str) -> str:
    """Assumed naming (AWS documents only that objects go under the alias's logPrefix)."""
    return f"{log_prefix}{view.bot_id}/{view.alias_id}/{locale_id}/{session_id}/{request_id}.wav"


def _wav(pcm: bytes, rate: int = 16000) -> bytes:
    header = b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + b"data" + struct.pack("<I", len(pcm)) + pcm


def kms_via_s3_context(view: AliasView, object_arn: str) -> dict:
    """The context of the GenerateDataKey S3 makes for Lex's object: kms:ViaService, kms:CallerAccount
    (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html) and S3's encryption
    context aws:s3:arn, the object's ARN (AmazonS3 UsingKMSEncryption.html#encryption-context)."""
    return {
        "kms:ViaService": f"s3.{view.region}.amazonaws.com",
        "kms:CallerAccount": view.account_id,
        "kms:EncryptionContext:aws:s3:arn": object_arn,
        "kms:EncryptionContextKeys": "aws:s3:arn",
    }


def _check_kms(view: AliasView, role: RoleFacts, key_arn: str, object_arn: str) -> str:
    """The role may GenerateDataKey with the key through S3: key policy and IAM, as KMS evaluates
    it (https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html), with the
    context S3's request carries. Returns the key ARN (an alias ARN resolves to its key)."""
    kms = _clients(view.account_id, view.region).kms
    try:
        metadata = kms.describe_key(KeyId=key_arn)["KeyMetadata"]
    except kms.exceptions.NotFoundException:
        raise NotDelivered(f"KMS key {key_arn} does not exist") from None
    if metadata.get("KeyState") != "Enabled":
        raise NotDelivered(f"KMS key {metadata['Arn']} is {metadata.get('KeyState')}")
    resolved = metadata["Arn"]
    key_policy = json.loads(kms.get_key_policy(KeyId=resolved, PolicyName="default")["Policy"])
    action = "kms:GenerateDataKey"
    context = kms_via_s3_context(view, object_arn)
    root = f"arn:aws:iam::{role.account_id}:root"
    everyone = iam_eval.Principal("AWS", frozenset([role.arn, root]))
    denied = iam_eval.evaluate([key_policy], action, resolved, context, everyone)
    if denied.result == iam_eval.EXPLICIT_DENY:
        raise NotDelivered(f"the key policy of {resolved} denies {action} to {role.arn}")
    direct = iam_eval.evaluate([key_policy], action, resolved, context, iam_eval.Principal("AWS", frozenset([role.arn])))
    if direct.allowed:
        # Still subject to an explicit Deny in the role's own policies.
        identity = iam_eval.identity_allows(role.identity_policies, action, resolved, context, role.boundary)
        if identity.result == iam_eval.EXPLICIT_DENY:
            raise NotDelivered(f"role {role.arn} denies itself {action} on {resolved}")
        return resolved
    delegated = iam_eval.evaluate([key_policy], action, resolved, context, iam_eval.Principal("AWS", frozenset([root])))
    if not delegated.allowed:
        raise NotDelivered(f"the key policy of {resolved} neither allows {role.arn} nor delegates to IAM")
    role.check_allowed(action, resolved, context)
    return resolved


def _check_bucket_policy(view: AliasView, role: RoleFacts, bucket: str, object_arn: str, key_arn: str | None):
    """A Deny statement of the bucket policy that matches Lex's PutObject stops it. The request as
    the twin sends it: by the role Lex assumed, over TLS (aws:SecureTransport true), not through a
    VPC endpoint of the account (no aws:SourceVpce), with the SSE-KMS headers when the alias names a
    key (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)."""
    s3 = _clients(view.account_id, view.region).s3
    try:
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket, ExpectedBucketOwner=view.account_id)["Policy"])
    except Exception:  # NoSuchBucketPolicy: nothing to deny
        return
    context = {"aws:SecureTransport": "true", "aws:PrincipalArn": role.arn, "aws:PrincipalAccount": view.account_id}
    if key_arn:
        context["s3:x-amz-server-side-encryption"] = "aws:kms"
        context["s3:x-amz-server-side-encryption-aws-kms-key-id"] = key_arn
    principal = iam_eval.Principal("AWS", frozenset([role.arn, f"arn:aws:iam::{view.account_id}:root"]))
    decision = iam_eval.evaluate([policy], "s3:PutObject", object_arn, context, principal)
    if decision.result == iam_eval.EXPLICIT_DENY:
        sid = (decision.statement or {}).get("Sid") or "without Sid"
        raise NotDelivered(f"statement {sid!r} of the policy of bucket {bucket} denies s3:PutObject on {object_arn} to {role.arn}")


def _deliver_audio(view: AliasView, setting: dict, role: RoleFacts, locale_id: str, session_id: str,
                   request_id: str, audio: tuple[bytes, str]):
    destination = (setting.get("destination") or {}).get("s3Bucket") or {}
    bucket_arn = destination.get("s3BucketArn") or ""
    match = _S3_BUCKET_ARN.match(bucket_arn)
    if not match:
        raise NotDelivered(f"bucket ARN {bucket_arn!r} is not an S3 bucket ARN")
    bucket = match.group(1)
    key = audio_object_key(destination.get("logPrefix") or "", view, locale_id, session_id, request_id)
    object_arn = f"arn:aws:s3:::{bucket}/{key}"
    role.check_allowed("s3:PutObject", object_arn)
    key_arn = destination.get("kmsKeyArn")
    resolved_key = _check_kms(view, role, key_arn, object_arn) if key_arn else None

    s3 = _clients(view.account_id, view.region).s3
    try:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=view.account_id)
        location = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"
    except Exception as error:  # 404 / 403 from S3
        raise NotDelivered(f"bucket {bucket} does not exist in account {view.account_id} ({error})") from None
    if location != view.region:
        raise NotDelivered(f"bucket {bucket} is in {location}, not in the bot's region {view.region}")
    _check_bucket_policy(view, role, bucket, object_arn, resolved_key)
    pcm, _content_type = audio
    extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": resolved_key} if resolved_key else {}
    s3.put_object(Bucket=bucket, Key=key, Body=io.BytesIO(_wav(pcm)), ContentType="audio/wav", **extra)
    return f"s3://{bucket}/{key}"


# ---- entry point ------------------------------------------------------------------------------


def _first_enabled(settings_list) -> dict | None:
    for setting in settings_list or []:
        if setting.get("enabled"):
            return setting
    return None


def deliver(view: AliasView, *, operation: str, locale_id: str, request_id: str, input_mode: str,
            input_transcript: str, answer: dict, audio: tuple[bytes, str] | None) -> dict:
    """Delivers the text log and (for audio input) the audio log of one turn; never raises.
    Returns {"text": "delivered"/reason/None, "audio": ...} for tests and debugging."""
    # The settings the session began with (sessions.py), and only the turns selective logging picks.
    log_settings = sessions.log_settings(view, answer["sessionId"]) or {}
    text_setting = _first_enabled(log_settings.get("textLogSettings"))
    audio_setting = _first_enabled(log_settings.get("audioLogSettings")) if audio is not None else None
    outcome = {"text": None, "audio": None}
    state = answer.get("sessionState") or {}
    attributes, intent = state.get("sessionAttributes"), (state.get("intent") or {}).get("name")
    if text_setting is not None and not sessions.selected("text", text_setting, attributes, intent):
        text_setting, outcome["text"] = None, "not selected"
    if audio_setting is not None and not sessions.selected("audio", audio_setting, attributes, intent):
        audio_setting, outcome["audio"] = None, "not selected"
    if text_setting is None and audio_setting is None:
        return outcome

    when = datetime.now(timezone.utc)
    role = None
    role_error = None
    try:
        role = RoleFacts(view.role_arn)
        role.check_assumable(view)
    except NotDelivered as why:
        role_error = why
    except Exception as error:  # anything unexpected is a failed delivery, not a failed turn
        LOG.exception("lexlogs: reading role %s", view.role_arn)
        role_error = NotDelivered(f"could not read role {view.role_arn}: {error}")

    def attempt(kind: str, metric_kind: str, run) -> None:
        try:
            if role_error is not None:
                raise role_error
            where = run()
        except NotDelivered as why:
            LOG.warning("lexlogs: %s log for alias %s (bot %s) not delivered: %s", kind, view.alias_id, view.bot_id, why)
            service_metrics.count_lex(view, f"ConversationLogs{metric_kind}DeliveryFailure", operation, locale_id)
            outcome[kind] = str(why)
        except Exception as error:
            LOG.exception("lexlogs: %s log for alias %s not delivered", kind, view.alias_id)
            service_metrics.count_lex(view, f"ConversationLogs{metric_kind}DeliveryFailure", operation, locale_id)
            outcome[kind] = f"error: {error}"
        else:
            LOG.debug("lexlogs: %s log for alias %s delivered to %s", kind, view.alias_id, where)
            service_metrics.count_lex(view, f"ConversationLogs{metric_kind}DeliverySuccess", operation, locale_id)
            outcome[kind] = "delivered"

    if text_setting is not None:
        event = text_log_event(
            view, operation=operation, locale_id=locale_id, request_id=request_id, input_mode=input_mode,
            input_transcript=input_transcript, answer=answer, timestamp=when,
        )
        attempt("text", "Text", lambda: _deliver_text(view, text_setting, role, locale_id, event, when))
    if audio_setting is not None:
        attempt("audio", "Audio", lambda: _deliver_audio(
            view, audio_setting, role, locale_id, answer["sessionId"], request_id, audio))
    return outcome

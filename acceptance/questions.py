"""The seven open questions of issue 21, each an experiment on the World that returns
(answer, how it was observed). The answers are facts as seen; nothing here decides what they
should be (twin_expectations.py does, for the twin only)."""

import json
import re
import os
import subprocess
import time
import uuid

import boto3
from botocore.exceptions import ClientError

from setup import World
from world import LOCALE, error_code, http_status, retry, wait_until

PROBE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"}]})


def q1_operator_puts_slr_inline_policy(w: World, tool: str) -> tuple[str, str]:
    """A user holding only the operator policy tries PutRolePolicy on a Lex service-linked role."""
    t, n = w.t, w.n
    w.iam.create_service_linked_role(AWSServiceName="lexv2.amazonaws.com", CustomSuffix=n.slr_bot,
                                     Description="lex-logs-setup acceptance suite (removed)")
    slr_arn = retry("GetRole (service-linked)", lambda: w.iam.get_role(RoleName=n.slr_role),
                    seconds=60, codes=("NoSuchEntity",), target=t)["Role"]["Arn"]
    w.create_bot(n.slr_bot, slr_arn)
    out = subprocess.run([tool, "policy", "--bot", n.slr_bot, "--alias", "TestBotAlias",
                          "--operator-only", "--output", "json", "-q"] + tool_target_args(t),
                         env=tool_env(t), capture_output=True, text=True, check=True).stdout
    document = json.loads(out)["documents"][0]["document"]
    granted = [s["Sid"] for s in document["Statement"] if "iam:PutRolePolicy" in s["Action"]
               and slr_arn in s["Resource"]]
    compact = json.dumps(document, separators=(",", ":"))  # a managed policy holds 6144 chars
    arn = w.iam.create_policy(PolicyName=n.operator_policy, Tags=w.iam_tags,
                              PolicyDocument=compact)["Policy"]["Arn"]
    w.iam.create_user(UserName=n.operator_user, Tags=w.iam_tags)
    w.iam.attach_user_policy(UserName=n.operator_user, PolicyArn=arn)
    key = w.iam.create_access_key(UserName=n.operator_user)["AccessKey"]
    user = boto3.Session(aws_access_key_id=key["AccessKeyId"],
                         aws_secret_access_key=key["SecretAccessKey"], region_name=t.region)
    user_iam = t.client("iam", session=user)
    retry("the new access key", lambda: t.client("sts", session=user).get_caller_identity(),
          seconds=60, codes=("InvalidClientTokenId", "SignatureDoesNotMatch"), target=t)
    enforced = True
    try:
        t.client("s3", session=user).list_buckets()
        enforced = False
    except ClientError:
        pass
    how = (f"user {n.operator_user} holding only `lex-logs-setup policy --operator-only` for a "
           f"bot on {n.slr_role} (statement {', '.join(granted) or 'none'} names "
           f"iam:PutRolePolicy on it) called PutRolePolicy on that role")
    try:
        retry("PutRolePolicy as the operator", lambda: user_iam.put_role_policy(
            RoleName=n.slr_role, PolicyName=f"lexacc-{n.run_id}-probe",
            PolicyDocument=PROBE_POLICY),
            seconds=120, codes=("AccessDenied",), target=t)
        outcome = "allowed (PutRolePolicy answered 200)"
    except ClientError as err:
        outcome = f"refused: {error_code(err)} (HTTP {http_status(err)})"
    if not enforced:
        return (f"not enforced by the twin (caller policies are not evaluated); the twin's "
                f"service-linked-role model: {outcome}",
                how + "; the same keys could also call s3:ListBuckets, which the policy does not "
                "grant, so the twin does not evaluate the caller's policies")
    return outcome, how


def tool_target_args(t) -> list[str]:
    return [] if t.twin else ["--profile", t.profile, "--region", t.region]


def tool_env(t) -> dict:
    env = dict(os.environ)
    env.update(t.tool_env())
    return env


def q2_which_role_delivers(w: World) -> tuple[str, str]:
    """Version 1 runs role A, the bot now runs role B; A may write group 1 only, B group 2 only."""
    n = w.n
    by_version, t1 = w.delivered(w.alias_id, n.groups["version-role"])
    w.set_alias_logs(w.alias_id, n.groups["current-role"], audio=True)
    by_current, t2 = w.delivered(w.alias_id, n.groups["current-role"])
    answer = {(True, False): "the published version's own roleArn",
              (False, True): "the bot's current roleArn",
              (True, True): "both delivered (unexpected: each role may write only its own group)",
              (False, False): "neither delivered"}[(by_version, by_current)]
    def seen(ok, seconds):
        return ("delivered" if ok else "nothing") + ("" if w.t.twin else f" ({seconds:.0f} s)")
    how = (f"alias on version 1 (role {n.role_version}); bot moved to {n.role_current}; each role "
           f"may write only its own log group; one turn per group: version's group "
           f"{seen(by_version, t1)}, current's group {seen(by_current, t2)}")
    return answer, how


def q3_trust_condition_keys(w: World) -> tuple[str, str]:
    """TestBotAlias (DRAFT, the bot's current role) on roles whose trust asks for each key."""
    n = w.n
    w.set_alias_logs("TSTALIASID", n.groups["trust"])
    seen = {}
    for variant, role in n.trust_roles.items():
        try:
            w.switch_bot_role(w.role_arns[role])
        except ClientError as err:
            seen[variant] = f"UpdateBot refused ({error_code(err)})"
            continue
        ok, _ = w.delivered("TSTALIASID", n.groups["trust"])
        seen[variant] = "delivered" if ok else "not delivered"
    if seen["control"] == "delivered" or seen["plain"] != "delivered":
        answer = "inconclusive (the control or the unconditioned role did not behave)"
    else:
        def key(variant):
            if seen[variant] == "delivered":
                return "presented"
            if seen[variant] == "not delivered":
                return "not presented"
            return f"unknown, {seen[variant]}"
        form = ("the alias ARN bot-alias/BOT/ALIAS" if seen["source-arn-alias"] == "delivered"
                else "the bot ARN bot/BOT" if seen["source-arn-bot"] == "delivered"
                else "neither the alias nor the bot ARN")
        arn = key("source-arn-present")
        answer = (f"aws:SourceAccount {key('source-account')}; aws:SourceArn "
                  + (f"presented, {form}" if arn == "presented" else arn))
    how = ("TestBotAlias logging to one group, the bot switched to a role per trust form: "
           + ", ".join(f"{v}: {r}" for v, r in seen.items()))
    return answer, how


def q4_send_failing_turn(w: World) -> str:
    """Starts question 4: a turn whose log cannot be delivered (no role may write the group)."""
    w.set_alias_logs(w.alias_id, w.n.groups["no-grant"])
    return w.turn(w.alias_id)


def q4_metric_dimensions(w: World) -> tuple[str, str]:
    def listed():
        found = set()
        for name in ("ConversationLogsTextDeliveryFailure", "ConversationLogsTextDeliverySuccess"):
            for page in w.cw.get_paginator("list_metrics").paginate(Namespace="AWS/Lex",
                                                                    MetricName=name):
                for metric in page["Metrics"]:
                    dims = metric["Dimensions"]
                    if any(d["Value"] == w.bot_id for d in dims):
                        found.add((name, ", ".join(sorted(d["Name"] for d in dims))))
        return found if any("Failure" in m for m, _ in found) else None
    found = wait_until(listed, w.t.metrics_wait, max(w.t.poll, 0 if w.t.twin else 30))
    if not found:
        return ("no ConversationLogsTextDeliveryFailure metric of the bot listed",
                f"ListMetrics namespace AWS/Lex for {w.t.metrics_wait:.0f} s after a turn whose "
                "log group no role may write")
    failure = sorted(dims for m, dims in found if "Failure" in m)
    return ("; ".join(f"[{d}]" for d in failure),
            "ListMetrics namespace AWS/Lex, metric ConversationLogsTextDeliveryFailure, after a "
            "turn whose log group no role may write (sets carrying the bot's id)")


def q5_audio_key_layout(w: World) -> tuple[str, str]:
    n = w.n
    session = f"lexacc-{uuid.uuid4().hex}"
    audio, source = speech(w)
    answer = w.runtime.recognize_utterance(
        botId=w.bot_id, botAliasId=w.alias_id, localeId=LOCALE, sessionId=session,
        requestContentType="audio/l16; rate=16000; channels=1",
        responseContentType="text/plain; charset=utf-8", inputStream=audio)
    request_id = answer["ResponseMetadata"]["RequestId"]

    def keys():  # only this turn sends audio to the run's own bucket
        page = w.s3.list_objects_v2(Bucket=n.bucket, Prefix=n.audio_prefix,
                                    ExpectedBucketOwner=w.t.account)
        return [o["Key"] for o in page.get("Contents", [])] or None
    found = wait_until(keys, w.t.delivery_wait, w.t.poll) or []
    how = (f"RecognizeUtterance ({source}, PCM 16 kHz) on the alias with audio logs to "
           f"s3://{n.bucket}/{n.audio_prefix}, then ListObjectsV2 of that prefix; the run's ids "
           "replaced by their names")
    if not found:
        return f"no object within {w.t.delivery_wait:.0f} s", how
    names = {n.audio_prefix: "{logPrefix}", w.bot_id: "{botId}", w.alias_id: "{botAliasId}",
             LOCALE: "{localeId}", session: "{sessionId}", request_id: "{requestId}"}
    layouts = []
    for key in found:
        for value, name in sorted(names.items(), key=lambda kv: -len(kv[0])):
            key = key.replace(value, name) if value else key
        layouts.append(re.sub(r"\d{4}/\d{2}/\d{2}", "{YYYY}/{MM}/{DD}", key))
    return "; ".join(sorted(set(layouts))), how


def speech(w: World) -> tuple[bytes, str]:
    """A spoken "hello" from Polly on a real account; one second of silence on the twin."""
    if not w.t.twin:
        try:
            return w.t.client("polly").synthesize_speech(
                Text="hello", OutputFormat="pcm", SampleRate="16000",
                VoiceId="Joanna")["AudioStream"].read(), "Polly's spoken hello"
        except Exception as err:  # no Polly here: silence still makes an audio log
            print(f"   (Polly: {err}; sending silence)", flush=True)
    return b"\x00\x00" * 16000, "one second of silence"


def q6_first_log_after_update(w: World) -> tuple[str, str]:
    group = w.n.groups["timing"]
    start, attempts = w.set_alias_logs(w.alias_id, group), 0
    how = ("UpdateBotAlias to a log group both roles could already write, then a turn on a fresh "
           f"session every {w.t.poll:g} s until the group held a line; seconds from "
           "UpdateBotAlias's answer to the line's arrival")
    while time.monotonic() - start <= w.t.delivery_wait:
        attempts += 1
        w.turn(w.alias_id)
        if wait_until(lambda: w.logged(group), w.t.poll, w.t.poll / 4):
            if w.t.twin:
                return f"at once: the first turn's log (attempt {attempts})", how
            return f"{time.monotonic() - start:.0f} s ({turns(attempts)} sent)", how
    return f"nothing within {w.t.delivery_wait:.0f} s ({turns(attempts)} sent)", how


def turns(count: int) -> str:
    return f"{count} turn" + ("" if count == 1 else "s")


def q7_delete_version_in_use(w: World) -> tuple[str, str]:
    how = f"DeleteBotVersion of version 1 (alias {w.n.alias} on it), no skipResourceInUseCheck"
    try:
        w.lex.delete_bot_version(botId=w.bot_id, botVersion="1")
        return "deleted without an error", how
    except ClientError as err:
        return f"{error_code(err)} (HTTP {http_status(err)})", how


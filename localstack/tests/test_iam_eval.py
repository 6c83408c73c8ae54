"""Unit tests of the twin's IAM policy evaluator (pure; no LocalStack): the cases it shares with the
tool's evaluator (tests/data/iam_eval_cases.json, also run by `cargo test`), and what only this one
has (documents as JSON strings, the decision's reasons)."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lexv2_plugin"))

from lexlogs_lexv2 import iam_eval  # noqa: E402
from lexlogs_lexv2.iam_eval import Principal, identity_allows, resource_policy_allows  # noqa: E402

SHARED_CASES = Path(__file__).resolve().parents[2] / "tests" / "data" / "iam_eval_cases.json"
ACCOUNT = "123456789012"
GROUP = "my-group"
STREAM_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{GROUP}:log-stream:pre/x/y"
LEX = Principal("Service", frozenset(["lexv2.amazonaws.com"]))


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra):
    return dict({"Effect": "Allow", "Action": action, "Resource": resource}, **extra)


def deny(action, resource="*", **extra):
    return dict({"Effect": "Deny", "Action": action, "Resource": resource}, **extra)


# ---- the cases shared with the tool's evaluator (src/iam_eval) ----------------------------------

DECISION_NAMES = {iam_eval.ALLOW: "allow", iam_eval.EXPLICIT_DENY: "explicit_deny", iam_eval.IMPLICIT_DENY: "implicit_deny"}


def shared_cases():
    cases = json.loads(SHARED_CASES.read_text())["cases"]
    assert len(cases) > 100, "the shared cases were lost"
    return cases


def shared_case_decision(case):
    request = case["request"]
    action, resource, context = request["action"], request["resource"], request.get("context") or {}
    if "resource_policy" in case:
        ((kind, identifiers),) = request["principal"].items()
        ids = identifiers if isinstance(identifiers, list) else [identifiers]
        return resource_policy_allows(case["resource_policy"], Principal(kind, frozenset(ids)), action, resource, context)
    return identity_allows(case["identity"], action, resource, context, boundary=case.get("boundary"))


@pytest.mark.parametrize("case", shared_cases(), ids=lambda case: case["name"])
def test_shared_case(case):
    decision = shared_case_decision(case)
    assert DECISION_NAMES[decision.result] == case["expected"], decision.reasons


# ---- what only the twin's evaluator has ---------------------------------------------------------


def test_json_string_documents_and_single_statement_objects():
    doc = json.dumps({"Version": "2012-10-17", "Statement": allow("s3:PutObject")})
    assert identity_allows([doc], "s3:PutObject", "arn:aws:s3:::b/k").allowed
    assert identity_allows([doc.encode()], "s3:PutObject", "arn:aws:s3:::b/k").allowed


def test_reasons_say_which_policy_refused():
    allowing = policy(allow("logs:*"))
    assert identity_allows([], "logs:PutLogEvents", STREAM_ARN).reasons == ["no identity policy allows it"]
    denied = identity_allows([allowing, policy(deny("logs:*"))], "logs:PutLogEvents", STREAM_ARN)
    assert denied.reasons == ["explicitly denied by an identity policy"]
    assert denied.statement["Effect"] == "Deny"
    bounded = identity_allows([allowing], "logs:PutLogEvents", STREAM_ARN, boundary=policy(allow("s3:*")))
    assert bounded.reasons == ["not allowed by the permissions boundary"]
    boundary_deny = identity_allows([allowing], "logs:PutLogEvents", STREAM_ARN, boundary=policy(allow("*"), deny("logs:*")))
    assert boundary_deny.reasons == ["explicitly denied by the permissions boundary"]
    trust = policy({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    refused = resource_policy_allows(trust, LEX, "sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/r", {})
    assert refused.reasons == ["no statement of the resource policy allows it"]

"""Unit tests of the twin's IAM policy evaluator (pure; no LocalStack)."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lexv2_plugin"))

from lexlogs_lexv2 import iam_eval  # noqa: E402
from lexlogs_lexv2.iam_eval import Principal, identity_allows, resource_policy_allows  # noqa: E402

ACCOUNT = "123456789012"
GROUP = "my-group"
STREAM_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{GROUP}:log-stream:pre/x/y"
ALIAS_ARN = f"arn:aws:lex:us-east-1:{ACCOUNT}:bot-alias/BOTID/ALIASID"
LEX = Principal("Service", frozenset(["lexv2.amazonaws.com"]))


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra):
    return dict({"Effect": "Allow", "Action": action, "Resource": resource}, **extra)


def deny(action, resource="*", **extra):
    return dict({"Effect": "Deny", "Action": action, "Resource": resource}, **extra)


# ---- actions and resources --------------------------------------------------------------------


def test_documented_lex_policy_allows_put_log_events_on_a_stream():
    doc = policy(allow(["logs:CreateLogStream", "logs:PutLogEvents"], f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{GROUP}:*"))
    assert identity_allows([doc], "logs:PutLogEvents", STREAM_ARN).allowed
    assert identity_allows([doc], "logs:CreateLogStream", STREAM_ARN).allowed


def test_log_group_arn_without_wildcard_does_not_cover_its_streams():
    doc = policy(allow("logs:PutLogEvents", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{GROUP}"))
    assert not identity_allows([doc], "logs:PutLogEvents", STREAM_ARN).allowed


def test_another_group_does_not_match():
    doc = policy(allow("logs:PutLogEvents", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:other:*"))
    assert not identity_allows([doc], "logs:PutLogEvents", STREAM_ARN).allowed


def test_group_name_prefix_is_not_the_group():
    # "my-group*" would also match "my-group-2"; "my-group:*" must not match "my-group-2".
    doc = policy(allow("logs:PutLogEvents", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{GROUP}:*"))
    other = STREAM_ARN.replace(GROUP, GROUP + "-2")
    assert not identity_allows([doc], "logs:PutLogEvents", other).allowed


def test_action_wildcards_and_case():
    assert identity_allows([policy(allow("logs:*"))], "logs:PutLogEvents", STREAM_ARN).allowed
    assert identity_allows([policy(allow("LOGS:put*"))], "logs:PutLogEvents", STREAM_ARN).allowed
    assert identity_allows([policy(allow("logs:Put?ogEvents"))], "logs:PutLogEvents", STREAM_ARN).allowed
    assert not identity_allows([policy(allow("logs:Create*"))], "logs:PutLogEvents", STREAM_ARN).allowed
    assert identity_allows([policy(allow("*"))], "s3:PutObject", "arn:aws:s3:::b/k").allowed


def test_resources_are_case_sensitive():
    doc = policy(allow("s3:PutObject", "arn:aws:s3:::Bucket/*"))
    assert not identity_allows([doc], "s3:PutObject", "arn:aws:s3:::bucket/k").allowed


def test_not_action_and_not_resource():
    doc = policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert identity_allows([doc], "logs:PutLogEvents", STREAM_ARN).allowed
    assert not identity_allows([doc], "iam:PassRole", "*").allowed
    doc = policy({"Effect": "Allow", "Action": "s3:PutObject", "NotResource": "arn:aws:s3:::secret/*"})
    assert identity_allows([doc], "s3:PutObject", "arn:aws:s3:::logs/a").allowed
    assert not identity_allows([doc], "s3:PutObject", "arn:aws:s3:::secret/a").allowed


def test_statement_without_action_or_resource_never_applies():
    assert not identity_allows([policy({"Effect": "Allow", "Resource": "*"})], "s3:PutObject", "x").allowed
    assert not identity_allows([policy({"Effect": "Allow", "Action": "*"})], "s3:PutObject", "x").allowed


def test_explicit_deny_wins_across_policies():
    allowing = policy(allow("logs:*"))
    denying = policy(deny("logs:PutLogEvents", f"arn:aws:logs:*:*:log-group:{GROUP}:*"))
    decision = identity_allows([allowing, denying], "logs:PutLogEvents", STREAM_ARN)
    assert decision.result == iam_eval.EXPLICIT_DENY
    assert identity_allows([allowing, denying], "logs:CreateLogStream", STREAM_ARN).allowed


def test_implicit_deny_without_policies():
    assert identity_allows([], "logs:PutLogEvents", STREAM_ARN).result == iam_eval.IMPLICIT_DENY


def test_json_string_documents_and_single_statement_objects():
    doc = json.dumps({"Version": "2012-10-17", "Statement": allow("s3:PutObject")})
    assert identity_allows([doc], "s3:PutObject", "arn:aws:s3:::b/k").allowed


# ---- permissions boundary ---------------------------------------------------------------------


def test_boundary_intersects_identity():
    identity = policy(allow("logs:*"))
    assert identity_allows([identity], "logs:PutLogEvents", STREAM_ARN, boundary=policy(allow("logs:*"))).allowed
    assert not identity_allows([identity], "logs:PutLogEvents", STREAM_ARN, boundary=policy(allow("s3:*"))).allowed


def test_boundary_alone_grants_nothing():
    assert not identity_allows([], "logs:PutLogEvents", STREAM_ARN, boundary=policy(allow("*"))).allowed


def test_boundary_deny_wins():
    boundary = policy(allow("*"), deny("logs:PutLogEvents"))
    decision = identity_allows([policy(allow("*"))], "logs:PutLogEvents", STREAM_ARN, boundary=boundary)
    assert decision.result == iam_eval.EXPLICIT_DENY


# ---- trust policies (principal and conditions) ------------------------------------------------


def trust(*conditions_or_statements, principal=None):
    statement = {
        "Effect": "Allow",
        "Principal": principal or {"Service": "lexv2.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    if conditions_or_statements:
        statement["Condition"] = conditions_or_statements[0]
    return policy(statement)


CTX = {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": ALIAS_ARN}


def assumable(doc, context=CTX):
    return resource_policy_allows(doc, LEX, "sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/r", context).allowed


def test_trust_for_lex_service():
    assert assumable(trust())
    assert assumable(trust(principal={"Service": ["lambda.amazonaws.com", "lexv2.amazonaws.com"]}))
    assert not assumable(trust(principal={"Service": "lex.amazonaws.com"}))
    assert not assumable(trust(principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
    assert assumable(trust(principal="*"))
    assert assumable(trust(principal={"AWS": "*"}))


def test_trust_statement_without_principal_does_not_apply():
    assert not assumable(policy({"Effect": "Allow", "Action": "sts:AssumeRole"}))


def test_not_principal():
    doc = policy({"Effect": "Allow", "NotPrincipal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    assert not assumable(doc)


def test_trust_source_account_condition():
    assert assumable(trust({"StringEquals": {"aws:SourceAccount": ACCOUNT}}))
    assert not assumable(trust({"StringEquals": {"aws:SourceAccount": "999999999999"}}))
    # condition keys are case-insensitive
    assert assumable(trust({"StringEquals": {"AWS:sourceaccount": ACCOUNT}}))


def test_trust_source_arn_condition():
    assert assumable(trust({"ArnEquals": {"aws:SourceArn": ALIAS_ARN}}))
    assert assumable(trust({"ArnLike": {"aws:SourceArn": f"arn:aws:lex:us-east-1:{ACCOUNT}:bot-alias/BOTID/*"}}))
    assert assumable(trust({"StringLike": {"aws:SourceArn": "arn:aws:lex:*"}}))
    assert not assumable(trust({"ArnLike": {"aws:SourceArn": f"arn:aws:lex:us-east-1:{ACCOUNT}:bot-alias/BOTID/OTHER"}}))
    assert not assumable(trust({"ArnLike": {"aws:SourceArn": f"arn:aws:lex:eu-west-1:{ACCOUNT}:bot-alias/*"}}))


def test_condition_missing_key():
    assert not assumable(trust({"StringEquals": {"aws:SourceVpc": "vpc-1"}}))
    assert assumable(trust({"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}))
    assert assumable(trust({"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}))
    assert assumable(trust({"Null": {"aws:SourceVpc": "true"}}))
    assert not assumable(trust({"Null": {"aws:SourceAccount": "true"}}))
    assert assumable(trust({"Null": {"aws:SourceAccount": "false"}}))


def test_condition_operators_and_between_blocks():
    both = {"StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnLike": {"aws:SourceArn": "arn:aws:lex:*:*:bot-alias/OTHER/*"}}
    assert not assumable(trust(both))
    either_value = {"StringEquals": {"aws:SourceAccount": ["999999999999", ACCOUNT]}}
    assert assumable(trust(either_value))
    assert not assumable(trust({"StringNotEquals": {"aws:SourceAccount": ACCOUNT}}))
    assert assumable(trust({"StringEqualsIgnoreCase": {"aws:SourceArn": ALIAS_ARN.upper()}}))
    assert not assumable(trust({"StringNotLike": {"aws:SourceArn": "arn:aws:lex:*"}}))
    assert not assumable(trust({"ArnNotEquals": {"aws:SourceArn": ALIAS_ARN}}))


def test_deny_in_trust_wins():
    doc = trust()
    doc["Statement"].append({
        "Effect": "Deny",
        "Principal": {"Service": "lexv2.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    })
    decision = resource_policy_allows(doc, LEX, "sts:AssumeRole", "arn:aws:iam::1:role/r", CTX)
    assert decision.result == iam_eval.EXPLICIT_DENY


def test_numeric_date_bool_ip_and_set_operators():
    ctx = {
        "n": "5", "d": "2026-01-01T00:00:00Z", "b": "true", "ip": "10.0.0.7",
        "tags": ["a", "b"],
    }
    cases = [
        ({"NumericLessThan": {"n": "6"}}, True),
        ({"NumericGreaterThanEquals": {"n": "6"}}, False),
        ({"NumericNotEquals": {"n": "5"}}, False),
        ({"DateGreaterThan": {"d": "2025-12-31T23:59:59Z"}}, True),
        ({"DateLessThan": {"d": "2025-12-31T23:59:59Z"}}, False),
        ({"Bool": {"b": "true"}}, True),
        ({"Bool": {"b": "false"}}, False),
        ({"IpAddress": {"ip": "10.0.0.0/24"}}, True),
        ({"NotIpAddress": {"ip": "10.0.0.0/24"}}, False),
        ({"ForAnyValue:StringEquals": {"tags": ["b", "z"]}}, True),
        ({"ForAllValues:StringEquals": {"tags": ["a", "z"]}}, False),
        ({"ForAllValues:StringEquals": {"tags": ["a", "b", "c"]}}, True),
        ({"ForAllValues:StringEquals": {"absent": ["a"]}}, True),
        ({"ForAnyValue:StringEquals": {"absent": ["a"]}}, False),
        ({"StringLike": {"ip": "10.0.?.*"}}, True),
    ]
    for condition, expected in cases:
        doc = policy(allow("s3:GetObject", Condition=condition))
        assert identity_allows([doc], "s3:GetObject", "x", ctx).allowed is expected, condition


def test_unknown_operator_makes_statement_not_apply():
    doc = policy(allow("s3:GetObject", Condition={"StringSortaEquals": {"a": "b"}}))
    assert not identity_allows([doc], "s3:GetObject", "x", {"a": "b"}).allowed


# ---- key policies -------------------------------------------------------------------------------


def test_key_policy_root_principal_is_the_account():
    role = f"arn:aws:iam::{ACCOUNT}:role/r"
    default = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"})
    root = Principal("AWS", frozenset([f"arn:aws:iam::{ACCOUNT}:root"]))
    only_role = Principal("AWS", frozenset([role]))
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k"
    assert resource_policy_allows(default, root, "kms:GenerateDataKey", key).allowed
    assert not resource_policy_allows(default, only_role, "kms:GenerateDataKey", key).allowed
    by_account_id = policy({"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "kms:*", "Resource": "*"})
    assert resource_policy_allows(by_account_id, root, "kms:GenerateDataKey", key).allowed

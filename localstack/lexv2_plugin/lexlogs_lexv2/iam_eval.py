"""A small, pure IAM policy evaluator: what the twin needs to decide whether Lex may deliver a log.

Pure functions over policy documents (dicts or JSON strings); no LocalStack, no moto. It follows the
AWS policy evaluation logic for a single account
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):

- an explicit Deny in any applicable policy wins;
- identity policies (managed and inline) must Allow; a permissions boundary, if set, must Allow as
  well (effective permissions = identity ∩ boundary);
- a resource policy (trust policy, key policy) matches on Principal / NotPrincipal too.

Covered: Action / NotAction and Resource / NotResource with `*` and `?` wildcards (actions are
case-insensitive, resources case-sensitive); Principal / NotPrincipal (`*`, AWS, Service, account
ids and `arn:aws:iam::ACCOUNT:root`); Condition with the String*, Numeric*, Date*, Bool, Arn*,
IpAddress / NotIpAddress and Null operators, the `...IfExists` suffix and the
`ForAnyValue:` / `ForAllValues:` set qualifiers; condition keys are case-insensitive
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).

Not covered: policy variables (`${aws:username}`) are compared literally; SCPs, RCPs and session
policies do not exist in the twin.

It mirrors the tool's evaluator (src/iam_eval in the repository root); both run the cases of
tests/data/iam_eval_cases.json (pytest: localstack/tests/test_iam_eval.py), so they cannot disagree.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Iterable

ALLOW = "Allow"
EXPLICIT_DENY = "ExplicitDeny"
IMPLICIT_DENY = "ImplicitDeny"


@dataclass(frozen=True)
class Principal:
    """Who is asking, as a resource policy sees it: `kind` is "AWS" or "Service"."""

    kind: str
    identifiers: frozenset


@dataclass
class Decision:
    result: str  # ALLOW, EXPLICIT_DENY or IMPLICIT_DENY
    statement: dict | None = None  # the statement that decided (the Deny, or one Allow)
    reasons: list = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.result == ALLOW


def load_policy(document: Any) -> dict:
    """A policy document as a dict: accepts a dict or a JSON string."""
    if isinstance(document, (bytes, bytearray)):
        document = document.decode("utf-8")
    if isinstance(document, str):
        return json.loads(document)
    return document or {}


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


@lru_cache(maxsize=4096)
def _wildcard_regex(pattern: str, ignore_case: bool) -> re.Pattern:
    regex = "".join(
        ".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern
    )
    return re.compile(f"^{regex}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return bool(_wildcard_regex(str(pattern), ignore_case).match(str(value)))


def _action_matches(patterns: Iterable, action: str) -> bool:
    return any(wildcard_match(p, action, ignore_case=True) for p in patterns)


def _resource_matches(patterns: Iterable, resource: str) -> bool:
    return any(wildcard_match(p, resource) for p in patterns)


def _principal_matches(element: Any, principal: Principal) -> bool:
    """Does a Principal element name this principal?"""
    if element == "*":
        return True
    if not isinstance(element, dict):
        return False
    for kind, values in element.items():
        for value in _as_list(values):
            if value == "*" and kind == "AWS":
                return True  # {"AWS": "*"} is everyone, as "*"
            if kind != principal.kind:
                continue
            if value in principal.identifiers:
                return True
            if kind == "AWS" and re.fullmatch(r"\d{12}", str(value)):
                # An account id means the account root.
                if f"arn:aws:iam::{value}:root" in principal.identifiers:
                    return True
    return False


# ---- conditions -----------------------------------------------------------------------------


def _to_number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _to_date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    text = str(value)
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), tz=timezone.utc)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _to_bool(value: Any) -> str:
    return str(value).lower()


def _text(value: Any) -> str:
    """A policy or context value as the text IAM compares: quotes are optional around numbers and
    Booleans in a policy (IAM policy grammar), so JSON `true` is the text "true", not Python's "True"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _compare(base: str, ctx: Any, cond: Any) -> bool:
    """The positive form of an operator on one context value and one condition value."""
    ctx, cond = _text(ctx), _text(cond)
    if base == "StringEquals":
        return str(ctx) == str(cond)
    if base == "StringEqualsIgnoreCase":
        return str(ctx).lower() == str(cond).lower()
    if base == "StringLike":
        return wildcard_match(cond, ctx)
    if base in ("ArnEquals", "ArnLike"):
        # Both accept wildcards, matched per ARN component (a component cannot swallow a colon...
        # except the last one, the resource, which may itself contain colons).
        ctx_parts = str(ctx).split(":", 5)
        cond_parts = str(cond).split(":", 5)
        if len(cond_parts) != 6:
            return wildcard_match(cond, ctx)  # e.g. "*"
        if len(ctx_parts) != 6:
            return False
        return all(wildcard_match(c, v) for c, v in zip(cond_parts, ctx_parts))
    if base == "Bool":
        return _to_bool(ctx) == _to_bool(cond)
    if base.startswith("Numeric"):
        a, b = _to_number(ctx), _to_number(cond)
        if a is None or b is None:
            return False
        return {
            "NumericEquals": a == b,
            "NumericLessThan": a < b,
            "NumericLessThanEquals": a <= b,
            "NumericGreaterThan": a > b,
            "NumericGreaterThanEquals": a >= b,
        }[base]
    if base.startswith("Date"):
        a, b = _to_date(ctx), _to_date(cond)
        if a is None or b is None:
            return False
        return {
            "DateEquals": a == b,
            "DateLessThan": a < b,
            "DateLessThanEquals": a <= b,
            "DateGreaterThan": a > b,
            "DateGreaterThanEquals": a >= b,
        }[base]
    if base == "IpAddress":
        try:
            return ipaddress.ip_address(str(ctx)) in ipaddress.ip_network(str(cond), strict=False)
        except ValueError:
            return False
    if base == "BinaryEquals":
        return str(ctx) == str(cond)
    raise UnsupportedCondition(base)


class UnsupportedCondition(ValueError):
    """An operator the evaluator does not know: the statement is treated as not matching (AWS
    rejects such a policy at write time)."""


_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _context_get(context: dict, key: str) -> Any:
    lowered = key.lower()
    for k, v in context.items():
        if k.lower() == lowered:
            return v
    return None


def _condition_block_matches(operator: str, block: dict, context: dict) -> bool:
    qualifier = None
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
        if qualifier not in ("ForAnyValue", "ForAllValues"):
            raise UnsupportedCondition(f"{qualifier}:{operator}")
    if_exists = operator.endswith("IfExists")
    if if_exists:
        operator = operator[: -len("IfExists")]

    for key, cond_values in block.items():
        cond_values = _as_list(cond_values)
        present = _context_get(context, key)
        ctx_values = [] if present is None else _as_list(present)

        if operator == "Null":
            want_absent = any(_to_bool(v) == "true" for v in cond_values)
            if want_absent != (len(ctx_values) == 0):
                return False
            continue

        negated = operator in _NEGATED
        base = _NEGATED.get(operator, operator)

        def single(value: Any) -> bool:
            hit = any(_compare(base, value, c) for c in cond_values)
            return not hit if negated else hit

        if not ctx_values:
            if qualifier == "ForAllValues":
                continue  # vacuously true
            if if_exists or (negated and qualifier is None):
                continue  # a missing key satisfies IfExists and the negated operators
            return False
        if qualifier == "ForAllValues":
            ok = all(single(v) for v in ctx_values)
        elif qualifier == "ForAnyValue":
            ok = any(single(v) for v in ctx_values)
        elif negated:
            ok = all(single(v) for v in ctx_values)
        else:
            ok = any(single(v) for v in ctx_values)
        if not ok:
            return False
    return True


def conditions_match(condition: dict | None, context: dict) -> bool:
    for operator, block in (condition or {}).items():
        if not _condition_block_matches(operator, block or {}, context):
            return False
    return True


# ---- statements and policies ----------------------------------------------------------------


def statement_applies(
    statement: dict,
    action: str,
    resource: str,
    context: dict | None = None,
    principal: Principal | None = None,
) -> bool:
    """Does this statement apply to the request (whatever its Effect)?"""
    context = context or {}
    if "Action" in statement:
        if not _action_matches(_as_list(statement["Action"]), action):
            return False
    elif "NotAction" in statement:
        if _action_matches(_as_list(statement["NotAction"]), action):
            return False
    else:
        return False

    if "Resource" in statement:
        if not _resource_matches(_as_list(statement["Resource"]), resource):
            return False
    elif "NotResource" in statement:
        if _resource_matches(_as_list(statement["NotResource"]), resource):
            return False
    elif principal is None:
        return False  # an identity policy statement needs a Resource
    # (in a resource policy, a missing Resource means the resource the policy is attached to)

    if principal is not None:
        if "Principal" in statement:
            if not _principal_matches(statement["Principal"], principal):
                return False
        elif "NotPrincipal" in statement:
            if _principal_matches(statement["NotPrincipal"], principal):
                return False
        else:
            return False

    try:
        return conditions_match(statement.get("Condition"), context)
    except UnsupportedCondition:
        return False


def evaluate(
    policies: Iterable[Any],
    action: str,
    resource: str,
    context: dict | None = None,
    principal: Principal | None = None,
) -> Decision:
    """Evaluates a set of policies of one kind (identity, boundary, or one resource policy)."""
    allow = None
    for document in policies:
        policy = load_policy(document)
        for statement in _as_list(policy.get("Statement")):
            if not statement_applies(statement, action, resource, context, principal):
                continue
            if statement.get("Effect") == "Deny":
                return Decision(EXPLICIT_DENY, statement)
            if statement.get("Effect") == "Allow" and allow is None:
                allow = statement
    if allow is not None:
        return Decision(ALLOW, allow)
    return Decision(IMPLICIT_DENY)


def identity_allows(
    identity_policies: Iterable[Any],
    action: str,
    resource: str,
    context: dict | None = None,
    boundary: Any | None = None,
) -> Decision:
    """Identity-based evaluation with an optional permissions boundary: explicit Deny anywhere
    wins; otherwise both the identity policies and the boundary (if any) must Allow."""
    identity = evaluate(list(identity_policies), action, resource, context)
    if identity.result == EXPLICIT_DENY:
        identity.reasons.append("explicitly denied by an identity policy")
        return identity
    if boundary is not None:
        bound = evaluate([boundary], action, resource, context)
        if bound.result == EXPLICIT_DENY:
            bound.reasons.append("explicitly denied by the permissions boundary")
            return bound
        if identity.result == ALLOW and bound.result != ALLOW:
            return Decision(IMPLICIT_DENY, None, ["not allowed by the permissions boundary"])
    if identity.result != ALLOW:
        identity.reasons.append("no identity policy allows it")
    return identity


def resource_policy_allows(
    policy: Any,
    principal: Principal,
    action: str,
    resource: str,
    context: dict | None = None,
) -> Decision:
    """Evaluates one resource-based policy (a trust policy, a key policy) for a principal."""
    decision = evaluate([policy], action, resource, context, principal)
    if decision.result == EXPLICIT_DENY:
        decision.reasons.append("explicitly denied by the resource policy")
    elif decision.result == IMPLICIT_DENY:
        decision.reasons.append("no statement of the resource policy allows it")
    return decision

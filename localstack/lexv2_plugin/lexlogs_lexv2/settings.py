"""Emulator settings that choose between behaviours AWS has not settled for us, per account, so
that tests running at once in different accounts can each choose.

Defaults come from the environment LocalStack starts with; a test changes its own account's with
`POST /_lexlogs/settings` (body: {"account": "...", "<name>": value, ...}); `GET` shows them.
"""

import os
import threading
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Settings:
    # May a user put inline policies on a Lex V2 service-linked role (AWSServiceRoleForLexV2Bots_*)?
    # The Lex V2 guide documents iam:PutRolePolicy on it; IAM protects most SLRs (UnmodifiableEntity).
    slr_inline_policies: bool = True
    # A role younger than this many seconds cannot be assumed yet (IAM eventual consistency).
    iam_propagation_seconds: float = 0.0
    # IAM's AttachedPoliciesPerRoleQuota of the account (10 by default; accounts may raise it).
    attached_policies_per_role_quota: int = 10


def _from_env() -> Settings:
    return Settings(
        slr_inline_policies=os.environ.get("LEXLOGS_SLR_INLINE_POLICIES", "allow") != "deny",
        iam_propagation_seconds=float(os.environ.get("LEXLOGS_IAM_PROPAGATION_SECONDS", "0")),
        attached_policies_per_role_quota=int(os.environ.get("LEXLOGS_ATTACHED_POLICIES_PER_ROLE_QUOTA", "10")),
    )


_lock = threading.Lock()
_by_account: dict[str, Settings] = {}


def get(account_id: str) -> Settings:
    with _lock:
        return _by_account.get(account_id) or _from_env()


def update(account_id: str, **changes) -> Settings:
    with _lock:
        current = _by_account.get(account_id) or _from_env()
        updated = replace(current, **changes)
        _by_account[account_id] = updated
        return updated


def as_dict(settings: Settings) -> dict:
    return {"slr_inline_policies": settings.slr_inline_policies,
            "iam_propagation_seconds": settings.iam_propagation_seconds,
            "attached_policies_per_role_quota": settings.attached_policies_per_role_quota}


def _find_role(account_id: str, role_arn: str):
    """moto's IAM role with this ARN in the account, or None."""
    from moto.iam.models import iam_backends

    partition = role_arn.split(":")[1] if role_arn.count(":") >= 5 else "aws"
    try:
        backend = iam_backends[account_id][partition]
    except KeyError:
        return None
    return next((r for r in list(backend.roles.values()) if r.arn == role_arn), None)


def role_age_seconds(account_id: str, role_arn: str) -> float | None:
    """Seconds since the role was created, or None when the account has no role with that ARN."""
    from datetime import datetime, timezone

    role = _find_role(account_id, role_arn)
    if role is None:
        return None
    created = role.create_date
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return (datetime.now(timezone.utc) - created).total_seconds()


def role_assumable_yet(account_id: str, role_arn: str) -> bool:
    """False while a role is younger than the account's `iam_propagation_seconds` (IAM is eventually
    consistent: a service cannot assume a role it has just been given), True after that.

    Only propagation is judged here: a role that does not exist is True (whether it exists, and
    whether its trust policy lets the service assume it, are separate checks)."""
    window = get(account_id).iam_propagation_seconds
    if window <= 0:
        return True
    age = role_age_seconds(account_id, role_arn)
    return age is None or age >= window

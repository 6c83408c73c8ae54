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


def _from_env() -> Settings:
    return Settings(
        slr_inline_policies=os.environ.get("LEXLOGS_SLR_INLINE_POLICIES", "allow") != "deny",
        iam_propagation_seconds=float(os.environ.get("LEXLOGS_IAM_PROPAGATION_SECONDS", "0")),
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

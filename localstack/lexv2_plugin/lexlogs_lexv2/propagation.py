"""IAM eventual consistency for policies: a policy written to a role, or attached to it, or a new
default version of a managed policy, becomes effective for Lex's log delivery only after the
account's `iam_propagation_seconds` (settings.py). Until then the policy as it was before the
write applies (none, for a new inline policy or a new attachment).

AWS: "Changes that I make are not always immediately visible ... IAM ... is eventually
consistent" (IAM User Guide, troubleshoot_general.html#troubleshoot_general_eventual-consistency);
how long is not documented (seconds to minutes). A new role's own delay is in delivery.py
(`RoleFacts.check_assumable`) and moto_mends.py (CreateBot/UpdateBot).

Writes are recorded by a request handler in LocalStack's chain (as iam_slr.py does), before IAM's
provider runs, with the document they replace; delivery asks `effective` for each policy of the
role it writes with. Removals (DeleteRolePolicy, DetachRolePolicy) take effect at once (not
modelled as delayed).
"""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import unquote

from . import settings

WRITES = {"PutRolePolicy", "AttachRolePolicy", "CreatePolicyVersion", "SetDefaultPolicyVersion"}

_lock = threading.Lock()
# (account, kind, *names) -> (when written, the document it replaced or None)
_pending: dict[tuple, tuple[float, dict | None]] = {}


def _document(text) -> dict | None:
    if text is None:
        return None
    if isinstance(text, dict):
        return text
    try:
        return json.loads(unquote(text) if text.lstrip().startswith("%") else text)
    except ValueError:
        return None


def _backend(account_id: str, partition: str):
    from moto.iam.models import iam_backends

    try:
        return iam_backends[account_id][partition]
    except KeyError:
        return None


def _default_document(backend, policy_arn: str) -> dict | None:
    policy = getattr(backend, "managed_policies", {}).get(policy_arn) if backend else None
    if policy is None:
        return None
    for version in getattr(policy, "versions", []):
        if getattr(version, "is_default", False):
            return _document(version.document)
    return None


def _inline_document(backend, role_name: str, policy_name: str) -> dict | None:
    role = next((r for r in list(backend.roles.values()) if r.name == role_name), None) if backend else None
    return _document((role.policies or {}).get(policy_name)) if role is not None else None


def record(account_id: str, partition: str, operation: str, request: dict, now: float | None = None) -> None:
    """Notes a policy write (one of WRITES) and what it replaces."""
    if operation not in WRITES:
        return
    now = time.time() if now is None else now
    backend = _backend(account_id, partition)
    if operation == "PutRolePolicy":
        role, name = request.get("RoleName"), request.get("PolicyName")
        key, previous = ("inline", role, name), _inline_document(backend, role, name)
    elif operation == "AttachRolePolicy":
        key, previous = ("attach", request.get("RoleName"), request.get("PolicyArn")), None
    elif operation == "CreatePolicyVersion" and not request.get("SetAsDefault"):
        return
    else:
        arn = request.get("PolicyArn")
        key, previous = ("managed", arn), _default_document(backend, arn)
    with _lock:
        earlier = _pending.get((account_id, *key))
        # Two writes within one window: what applies until then is what was there before the first.
        if earlier is not None and now - earlier[0] < settings.get(account_id).iam_propagation_seconds:
            previous = earlier[1]
        _pending[(account_id, *key)] = (now, previous)


def effective(account_id: str, key: tuple, current: dict | None, now: float | None = None) -> dict | None:
    """The document that applies now: `current`, or, while the write of `key` (("inline", role,
    name), ("attach", role, arn) or ("managed", arn)) is younger than the account's window, the
    one it replaced (None: no policy yet)."""
    window = settings.get(account_id).iam_propagation_seconds
    if window <= 0:
        return current
    now = time.time() if now is None else now
    with _lock:
        written = _pending.get((account_id, *key))
    if written is None or now - written[0] >= window:
        return current
    return written[1]


def handler(chain, context, response) -> None:
    """LocalStack request handler: runs after the request is parsed, before the IAM provider."""
    service = context.service
    if service is None or service.service_name != "iam" or context.operation is None:
        return
    if context.operation.name in WRITES:
        record(context.account_id, context.partition or "aws", context.operation.name, context.service_request or {})


def install() -> None:
    from localstack.aws import handlers

    if handler not in handlers.serve_custom_service_request_handlers.handlers:
        handlers.serve_custom_service_request_handlers.append(handler)

"""IAM's quotas on a role that moto does not enforce, and the account summary that reports them.

AWS (IAM User Guide, "IAM and AWS STS quotas",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
- "Managed policies attached to an IAM role": 10 by default, adjustable up to 20 (Service Quotas);
  AttachRolePolicy past it answers `LimitExceeded` (HTTP 409) "Cannot exceed quota for
  PoliciesPerRole: 10". GetAccountSummary reports the quota as `AttachedPoliciesPerRoleQuota`.
- "Role policy size cannot exceed 10,240 characters" for all inline policies of a role together,
  whitespace not counted: PutRolePolicy past it answers `LimitExceeded` "Maximum policy size of
  10240 bytes exceeded for role NAME".
moto 5.1 reports a fixed AttachedPoliciesPerRoleQuota of 10 and enforces neither limit. Here the
quota is the account's setting `attached_policies_per_role_quota` (settings.py; a test raises it
with POST /_lexlogs/settings, as an account raises it through Service Quotas), reported by
GetAccountSummary and enforced by AttachRolePolicy; PutRolePolicy counts every inline policy of
the role, the one being replaced left out.

DeletePolicy (IAM API Reference, DeletePolicy,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicy.html: "Before you can delete
a managed policy, you must first detach the policy from all users, groups, and roles that it is
attached to. In addition, you must delete all the policy's versions"): AWS answers `DeleteConflict`
(HTTP 409) to a policy still attached or with more than one version; moto deletes it anyway.

Implemented as a request handler in LocalStack's chain (after the request is parsed, before IAM's
provider runs), like iam_slr.py.
"""

import json
import urllib.parse

from localstack.aws.api import CommonServiceException

from . import settings

ROLE_POLICY_SIZE_QUOTA = 10240


class DeleteConflict(CommonServiceException):
    def __init__(self, message: str):
        super().__init__("DeleteConflict", message, status_code=409, sender_fault=True)


def check_delete_policy(backend, arn: str) -> None:
    """Raises DeleteConflict when IAM would refuse to delete the managed policy `arn`."""
    policy = backend.managed_policies.get(arn)
    if policy is None:
        return
    if policy.attachment_count > 0:
        raise DeleteConflict("Cannot delete a policy attached to entities.")
    if len(policy.versions) > 1:
        raise DeleteConflict(
            "This policy has more than one version. Before you delete a policy, you must delete "
            "the policy's versions. The default version is deleted with the policy."
        )


class LimitExceeded(CommonServiceException):
    def __init__(self, message: str):
        super().__init__("LimitExceeded", message, status_code=409, sender_fault=True)


def _backend(account_id: str, partition: str):
    from moto.iam.models import iam_backends

    try:
        return iam_backends[account_id][partition]
    except KeyError:
        return None


def _role(backend, role_name: str):
    return next((r for r in list(backend.roles.values()) if r.name == role_name), None)


def policy_chars(document: str) -> int:
    """The size IAM counts: the document's characters, whitespace not counted (a URL-encoded
    document as IAM returns it is decoded first)."""
    text = document if isinstance(document, str) else json.dumps(document)
    if text.lstrip().startswith("%7B"):
        text = urllib.parse.unquote(text)
    return sum(1 for c in text if not c.isspace())


def check(account_id: str, partition: str, operation: str, request: dict) -> None:
    """Raises LimitExceeded when IAM would; keeps moto's account summary on the setting."""
    if operation not in ("AttachRolePolicy", "PutRolePolicy", "GetAccountSummary", "DeletePolicy"):
        return
    backend = _backend(account_id, partition)
    if backend is None:
        return
    if operation == "DeletePolicy":
        check_delete_policy(backend, request.get("PolicyArn") or "")
        return
    quota = settings.get(account_id).attached_policies_per_role_quota
    if operation == "GetAccountSummary":
        backend.account_summary._attached_policies_per_role_quota = quota
        return
    role = _role(backend, request.get("RoleName") or "")
    if role is None:
        return
    if operation == "AttachRolePolicy":
        attached = role.managed_policies
        if request.get("PolicyArn") not in attached and len(attached) >= quota:
            raise LimitExceeded(f"Cannot exceed quota for PoliciesPerRole: {quota}")
        return
    name = request.get("PolicyName")
    others = sum(policy_chars(doc) for n, doc in role.policies.items() if n != name)
    if others + policy_chars(request.get("PolicyDocument") or "") > ROLE_POLICY_SIZE_QUOTA:
        raise LimitExceeded(f"Maximum policy size of {ROLE_POLICY_SIZE_QUOTA} bytes exceeded for role {role.name}")


def handler(chain, context, response) -> None:
    """LocalStack request handler: runs after the request is parsed, before the IAM provider."""
    service = context.service
    if service is None or service.service_name != "iam" or context.operation is None:
        return
    check(context.account_id, context.partition or "aws", context.operation.name, context.service_request or {})


def install() -> None:
    from localstack.aws import handlers

    if handler not in handlers.serve_custom_service_request_handlers.handlers:
        handlers.serve_custom_service_request_handlers.append(handler)

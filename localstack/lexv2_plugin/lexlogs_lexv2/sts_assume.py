"""STS AssumeRole as AWS decides it, which LocalStack's STS does not: it hands out credentials for
any role ARN, even one that does not exist.

AWS (IAM User Guide, "Granting a user permissions to switch roles" and "How to use an external ID";
STS API reference, AssumeRole): the role must exist, and its trust policy must allow the caller
(`Principal` naming the caller's ARN or its account) to `sts:AssumeRole`, with its conditions met
(`sts:ExternalId` from the request's ExternalId); an explicit Deny wins. Otherwise STS answers
`AccessDenied` (HTTP 403):
    User: CALLER is not authorized to perform: sts:AssumeRole on resource: ROLE_ARN

Modelled: role existence, the trust policy with the twin's evaluator (iam_eval.py), the context keys
`sts:ExternalId`, `aws:PrincipalAccount` and `aws:PrincipalArn`. Assumed: the caller's own identity
policies allow sts:AssumeRole (not evaluated); the caller is its account's root unless it is an
assumed role (LocalStack's test credentials are a root).
"""

from localstack.aws.api import CommonServiceException

from . import iam_eval


class AccessDenied(CommonServiceException):
    def __init__(self, caller: str, role_arn: str):
        super().__init__(
            "AccessDenied",
            f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            status_code=403,
            sender_fault=True,
        )


def _role(role_arn: str):
    """The role an ARN names, from moto's IAM backend of its account, or None."""
    from moto.iam.models import iam_backends

    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    partition, account = parts[1], parts[4]
    try:
        backend = iam_backends[account][partition]
    except KeyError:
        return None
    return next((r for r in list(backend.roles.values()) if r.arn == role_arn), None)


def check(caller_account: str, partition: str, caller_arn: str | None, request: dict) -> None:
    """Raises AccessDenied when STS would refuse this AssumeRole."""
    role_arn = request.get("RoleArn") or ""
    root = f"arn:{partition}:iam::{caller_account}:root"
    caller = caller_arn or root
    role = _role(role_arn)
    if role is None:
        raise AccessDenied(caller, role_arn)
    principal = iam_eval.Principal("AWS", frozenset({caller, root}))
    context = {
        "aws:PrincipalAccount": caller_account,
        "aws:PrincipalArn": caller,
    }
    if request.get("ExternalId") is not None:
        context["sts:ExternalId"] = request["ExternalId"]
    decision = iam_eval.resource_policy_allows(
        role.assume_role_policy_document, principal, "sts:AssumeRole", role_arn, context
    )
    if not decision.allowed:
        raise AccessDenied(caller, role_arn)


def handler(chain, context, response) -> None:
    """LocalStack request handler: runs after the request is parsed, before the STS provider."""
    service = context.service
    if service is None or service.service_name != "sts" or context.operation is None:
        return
    if context.operation.name != "AssumeRole":
        return
    check(context.account_id, context.partition or "aws", None, context.service_request or {})


def install() -> None:
    from localstack.aws import handlers

    if handler not in handlers.serve_custom_service_request_handlers.handlers:
        handlers.serve_custom_service_request_handlers.append(handler)

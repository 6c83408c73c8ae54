"""IAM's protection of service-linked roles, which LocalStack's IAM lacks.

AWS: a service-linked role is owned by its service. IAM refuses to change its trust policy, its
managed policies, its permissions boundary or to delete it with DeleteRole (DeleteServiceLinkedRole
is the way), answering `UnmodifiableEntity` (HTTP 400):
    Cannot perform the operation on the protected role 'NAME' - this role is only modifiable by AWS
(IAM User Guide, "Using service-linked roles" / "Update a service-linked role"; the message as IAM
returns it, e.g. rebuy-de/aws-nuke#331, gruntwork-io/cloud-nuke#880). Its description stays editable.

Inline policies on a Lex V2 bot role (AWSServiceRoleForLexV2Bots_*): Lex itself adds them (for
example comprehend:DetectSentiment when an alias turns on sentiment analysis); whether a caller may
put or delete one directly is governed per account by `settings.slr_inline_policies` (default
allowed). On any other service-linked role they are refused like the rest.

Implemented as a request handler in LocalStack's chain (after the request is parsed, before IAM's
provider runs), so it covers every path into IAM's backend the same way.
"""

from localstack.aws.api import CommonServiceException

from . import settings

SLR_PATH_PREFIX = "/aws-service-role/"
LEX_BOTS_SLR_PREFIX = "AWSServiceRoleForLexV2Bots"
# Operations IAM refuses on any service-linked role.
PROTECTED = {
    "UpdateAssumeRolePolicy",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "DeleteRole",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
}
# Operations on inline policies: governed by the setting on Lex V2 bot roles, refused on others.
INLINE = {"PutRolePolicy", "DeleteRolePolicy"}


class UnmodifiableEntity(CommonServiceException):
    def __init__(self, role_name: str):
        super().__init__(
            "UnmodifiableEntity",
            f"Cannot perform the operation on the protected role '{role_name}' - "
            "this role is only modifiable by AWS",
            status_code=400,
            sender_fault=True,
        )


def _role(account_id: str, partition: str, role_name: str):
    from moto.iam.models import iam_backends

    try:
        backend = iam_backends[account_id][partition]
    except KeyError:
        return None
    return next((r for r in list(backend.roles.values()) if r.name == role_name), None)


def is_service_linked(role) -> bool:
    return (role.path or "").startswith(SLR_PATH_PREFIX)


def check(account_id: str, partition: str, operation: str, request: dict) -> None:
    """Raises UnmodifiableEntity when IAM would refuse `operation` on a service-linked role."""
    if operation not in PROTECTED and operation not in INLINE and operation not in ("UpdateRole", "DeleteServiceLinkedRole"):
        return
    role_name = request.get("RoleName")
    if not role_name:
        return
    role = _role(account_id, partition, role_name)
    if role is None or not is_service_linked(role):
        return
    if operation in PROTECTED:
        raise UnmodifiableEntity(role_name)
    if operation == "UpdateRole":
        # The description of any role is editable; its maximum session duration is not (assumed).
        if request.get("MaxSessionDuration") is not None:
            raise UnmodifiableEntity(role_name)
        return
    if operation == "DeleteServiceLinkedRole":
        # The service owns the role's inline policies and removes them with it.
        role.policies.clear()
        return
    if role_name.startswith(LEX_BOTS_SLR_PREFIX) and settings.get(account_id).slr_inline_policies:
        return
    raise UnmodifiableEntity(role_name)


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

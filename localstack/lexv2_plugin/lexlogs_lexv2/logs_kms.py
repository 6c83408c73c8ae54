"""CloudWatch Logs' use of a customer managed KMS key for a log group, which LocalStack's logs
provider does not check: it stores any `kmsKeyId` it is given.

AWS: a log group is encrypted with a KMS key given to CreateLogGroup (`kmsKeyId`) or AssociateKmsKey.
The key policy must let the service principal `logs.REGION.amazonaws.com` use the key, conditioned
on the encryption context `kms:EncryptionContext:aws:logs:arn` = the log group's ARN (CloudWatch Logs
User Guide, "Encrypt log data in CloudWatch Logs using AWS Key Management Service", step 2,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html). Otherwise the
call fails with `AccessDeniedException` (HTTP 400):
    The specified KMS key does not exist or is not allowed to be used with Arn 'arn:aws:logs:REGION:ACCOUNT:log-group:NAME'
(the message as AWS returns it: hashicorp/terraform-provider-aws#29282, aws/aws-cdk#28304). The same
message answers a key that does not exist. A group whose key CloudWatch Logs may no longer use gets
no events (the guide: "CloudWatch Logs must have permissions for the KMS key whenever encrypted
data is requested"); delivery.py asks `logs_may_use` before writing a conversation log line.

Implemented as a request handler in LocalStack's chain, before the logs provider runs (as iam_slr.py).
AssociateKmsKey and DisassociateKmsKey, which LocalStack's logs provider does not implement, are
served here.
"""

import json

from localstack.aws.api import CommonServiceException

from . import iam_eval

# The cryptographic operations CloudWatch Logs makes with the key, with the group's ARN as context.
LOGS_KEY_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey")


class KeyNotAllowed(CommonServiceException):
    def __init__(self, group_arn: str):
        super().__init__(
            "AccessDeniedException",
            f"The specified KMS key does not exist or is not allowed to be used with Arn '{group_arn}'",
            status_code=400,
            sender_fault=True,
        )


def _key(account_id: str, region: str, key_id: str):
    """The KMS key (LocalStack's store) for a key id, key ARN, alias name or alias ARN; None if missing."""
    from localstack.services.kms.models import kms_stores
    from localstack.services.kms.provider import KmsProvider

    try:
        resolved = KmsProvider._get_key_id_from_any_id(account_id, region, key_id)
    except Exception:  # noqa: BLE001 - NotFound, or a malformed id: AWS answers both alike
        return None
    return kms_stores[account_id][region].keys.get(resolved)


def logs_may_use(key_policy: dict, key_arn: str, region: str, group_arn: str) -> bool:
    """True when the key policy lets CloudWatch Logs in `region` use the key for `group_arn`."""
    context = {
        "kms:EncryptionContext:aws:logs:arn": group_arn,
        "kms:EncryptionContextKeys": "aws:logs:arn",
    }
    principal = iam_eval.Principal("Service", frozenset([f"logs.{region}.amazonaws.com"]))
    return all(
        iam_eval.evaluate([key_policy], action, key_arn, context, principal).allowed for action in LOGS_KEY_ACTIONS
    )


def key_usable(account_id: str, region: str, key_id: str, group_arn: str) -> bool:
    """The key exists, is enabled, and its policy lets CloudWatch Logs use it for the group."""
    key = _key(account_id, region, key_id)
    if key is None or key.metadata.get("KeyState") != "Enabled":
        return False
    return logs_may_use(json.loads(key.policy), key.metadata["Arn"], region, group_arn)


def check(account_id: str, region: str, operation: str, request: dict) -> None:
    """Raises AccessDeniedException when CloudWatch Logs could not use the key for the group."""
    if operation not in ("CreateLogGroup", "AssociateKmsKey"):
        return
    key_id = request.get("kmsKeyId")
    name = request.get("logGroupName")
    if not key_id or not name:
        return
    group_arn = f"arn:aws:logs:{region}:{account_id}:log-group:{name}"
    if not key_usable(account_id, region, key_id, group_arn):
        raise KeyNotAllowed(group_arn)


class GroupNotFound(CommonServiceException):
    def __init__(self):
        super().__init__("ResourceNotFoundException", "The specified log group does not exist.",
                         status_code=400, sender_fault=True)


def associate(account_id: str, region: str, request: dict) -> None:
    """AssociateKmsKey, which neither LocalStack nor moto serve: the group's `kmsKeyId` becomes the
    key as given (DescribeLogGroups shows it). Called after `check`."""
    from localstack.services.logs.models import get_moto_logs_backend

    group = get_moto_logs_backend(account_id, region).groups.get(request.get("logGroupName"))
    if group is None:
        raise GroupNotFound()
    group.kms_key_id = request["kmsKeyId"]


def disassociate(account_id: str, region: str, request: dict) -> None:
    """DisassociateKmsKey (API_DisassociateKmsKey.html): the group keeps no `kmsKeyId` (DescribeLogGroups
    shows none); new events are no longer encrypted with the key. Asks nothing of the key policy (the
    key may be gone). A missing group is `ResourceNotFoundException`; a group without a key answers
    200 as well (assumed: the API reference lists no error for it)."""
    from localstack.services.logs.models import get_moto_logs_backend

    group = get_moto_logs_backend(account_id, region).groups.get(request.get("logGroupName"))
    if group is None:
        raise GroupNotFound()
    group.kms_key_id = None


def handler(chain, context, response) -> None:
    """LocalStack request handler: runs after the request is parsed, before the logs provider."""
    service = context.service
    if service is None or service.service_name != "logs" or context.operation is None:
        return
    request = context.service_request or {}
    check(context.account_id, context.region, context.operation.name, request)
    if context.operation.name == "AssociateKmsKey":
        associate(context.account_id, context.region, request)
        chain.respond(200, {})
    elif context.operation.name == "DisassociateKmsKey":
        disassociate(context.account_id, context.region, request)
        chain.respond(200, {})


def install() -> None:
    from localstack.aws import handlers

    if handler not in handlers.serve_custom_service_request_handlers.handlers:
        handlers.serve_custom_service_request_handlers.append(handler)

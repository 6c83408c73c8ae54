"""What every operation of the model-building API shares: AWS's error answers, pages of results,
and where a request's bot lives (moto's backend, and the twin's own model of its locales and
versions, models.py)."""

from localstack.aws.api import CommonServiceException, RequestContext, ServiceRequest

from . import models
from .validation import ValidationError

# Operations whose "does not exist" is PreconditionFailedException (the model lists no
# ResourceNotFoundException for them); reads and lists answer ResourceNotFoundException.
MUTATING_PREFIXES = ("Update", "Delete", "Create", "Build")


def error(code: str, message: str, status: int) -> CommonServiceException:
    return CommonServiceException(code, message, status_code=status, sender_fault=True)


def precondition(message: str) -> CommonServiceException:
    return error("PreconditionFailedException", message, 412)


def not_found(operation: str, message: str) -> CommonServiceException:
    if operation.startswith(MUTATING_PREFIXES):
        return precondition(message)
    return error("ResourceNotFoundException", message, 404)


def in_use(message: str) -> CommonServiceException:
    # The API reference names ResourceInUseException (DeleteBot, DeleteBotVersion); the botocore
    # model does not define it, so its HTTP status is assumed (400, as Lex V1's ResourceInUseException).
    return error("ResourceInUseException", message, 400)


def backend(context: RequestContext):
    from moto.lexv2models.models import lexv2models_backends

    return lexv2models_backends[context.account_id][context.region]


def bot_model(context: RequestContext, bot_id: str) -> models.BotModel:
    return models.bot_model(context.account_id, context.region, bot_id)


def page(items: list, request: ServiceRequest) -> tuple[list, str | None]:
    start = 0
    token = request.get("nextToken")
    if token:
        try:
            start = int(token)
        except ValueError:
            raise ValidationError("The nextToken is not valid.") from None
    size = request.get("maxResults") or 100
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)

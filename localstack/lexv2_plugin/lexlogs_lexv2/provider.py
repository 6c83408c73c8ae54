"""LocalStack provider plugin that serves `lexv2-models` by forwarding every operation to moto.

LocalStack community has no Lex V2 service. moto has a basic backend; this module registers a
provider whose dispatch table sends each operation of the botocore `lexv2-models` spec to moto,
and mends the gaps that matter to a client of the real service:

- a missing bot or alias is `ResourceNotFoundException` (404) for reads and
  `PreconditionFailedException` (412) for updates and deletes, not a 500 from a `KeyError`;
- an alias id must belong to the bot named in the path (moto looks aliases up by id alone);
- statuses answer `Available` instead of staying `CREATING` for ever;
- `latestBotVersion` is a string, as the API model says;
- `ListBotAliases` lists only the aliases of the bot asked for;
- every bot has a `TestBotAlias` with the fixed id `TSTALIASID` pointing at `DRAFT`, as on AWS;
- operations run one at a time: LocalStack serves requests on several threads, and moto's backend
  (and the mending here) iterates dicts that a concurrent create would change under it.
"""

import threading

from localstack.aws.api import CommonServiceException, RequestContext, ServiceRequest
from localstack.aws.spec import load_service
from localstack.runtime import hooks
from localstack.services.plugins import Service, aws_provider

SERVICE_NAME = "lexv2-models"
TEST_ALIAS_ID = "TSTALIASID"
TEST_ALIAS_NAME = "TestBotAlias"
STATUS_FIELDS = ("botStatus", "botAliasStatus", "botLocaleStatus", "status")
MUTATING_PREFIXES = ("Update", "Delete")


class LexModelsV2Provider:
    """The provider object LocalStack expects; all behaviour lives in the dispatch table."""

    service = SERVICE_NAME


def _backend(context: RequestContext):
    from moto.lexv2models.models import lexv2models_backends

    return lexv2models_backends[context.account_id][context.region]


def _not_found(operation: str, message: str) -> CommonServiceException:
    if operation.startswith(MUTATING_PREFIXES):
        return CommonServiceException(
            "PreconditionFailedException", message, status_code=412, sender_fault=True
        )
    return CommonServiceException(
        "ResourceNotFoundException", message, status_code=404, sender_fault=True
    )


def _test_alias(backend, bot_id: str):
    for alias in backend.bot_aliases.values():
        if alias.bot_id == bot_id and alias.bot_alias_name == TEST_ALIAS_NAME:
            return alias
    return None


def _check_references(context: RequestContext, request: ServiceRequest) -> ServiceRequest:
    """Fails like AWS when the bot or alias in the request does not exist; maps TSTALIASID."""
    operation = context.operation.name
    backend = _backend(context)
    bot_id = request.get("botId")
    if bot_id is not None and operation != "CreateBot" and bot_id not in backend.bots:
        raise _not_found(operation, f"Failed to retrieve resource since it does not exist: bot {bot_id}")
    alias_id = request.get("botAliasId")
    if alias_id is None or bot_id is None:
        return request
    if alias_id == TEST_ALIAS_ID:
        test_alias = _test_alias(backend, bot_id)
        if test_alias is None:
            raise _not_found(operation, f"Bot alias {alias_id} of bot {bot_id} does not exist")
        request = dict(request)
        request["botAliasId"] = test_alias.id
        return request
    alias = backend.bot_aliases.get(alias_id)
    if alias is None or alias.bot_id != bot_id:
        raise _not_found(operation, f"Bot alias {alias_id} of bot {bot_id} does not exist")
    return request


def _mend_response(context: RequestContext, request: ServiceRequest, response: dict) -> dict:
    operation = context.operation.name
    backend = _backend(context)

    def mend_item(item: dict) -> None:
        for field in STATUS_FIELDS:
            if item.get(field) == "Creating" or item.get(field) == "CREATING":
                item[field] = "Available"
        if "latestBotVersion" in item and item["latestBotVersion"] is not None:
            item["latestBotVersion"] = str(item["latestBotVersion"])
        alias = backend.bot_aliases.get(item.get("botAliasId"))
        if alias is not None and alias.bot_alias_name == TEST_ALIAS_NAME:
            item["botAliasId"] = TEST_ALIAS_ID

    if operation == "ListBotAliases":
        # Filter on the real ids before the test alias id is rewritten to TSTALIASID.
        bot_id = request["botId"]
        owned = {a.id for a in backend.bot_aliases.values() if a.bot_id == bot_id}
        response["botAliasSummaries"] = [
            s for s in response.get("botAliasSummaries") or [] if s.get("botAliasId") in owned
        ]
        response["botId"] = bot_id

    mend_item(response)
    for key in ("botSummaries", "botAliasSummaries"):
        for item in response.get(key) or []:
            mend_item(item)

    if operation == "ListBots":
        response["botSummaries"] = _filter_bots(request, response.get("botSummaries") or [])
    return response


def _filter_bots(request: ServiceRequest, summaries: list) -> list:
    """Applies ListBots name filters (moto ignores them)."""
    for bot_filter in request.get("filters") or []:
        if bot_filter.get("name") != "BotName":
            continue
        values = bot_filter.get("values") or []
        operator = bot_filter.get("operator", "EQ")
        if operator == "EQ":
            summaries = [s for s in summaries if s.get("botName") in values]
        elif operator == "CO":
            summaries = [s for s in summaries if any(v in s.get("botName", "") for v in values)]
        elif operator == "NE":
            summaries = [s for s in summaries if s.get("botName") not in values]
    return summaries


def _after_create_bot(context: RequestContext, response: dict) -> None:
    """moto names the test alias `test` on version 1; AWS names it TestBotAlias on DRAFT."""
    backend = _backend(context)
    for alias in backend.bot_aliases.values():
        if alias.bot_id == response.get("botId") and alias.bot_alias_name == "test":
            alias.bot_alias_name = TEST_ALIAS_NAME
            alias.description = "test bot alias"
            alias.bot_version = "DRAFT"


_ONE_AT_A_TIME = threading.Lock()


def _forward_to_moto(context: RequestContext, request: ServiceRequest):
    with _ONE_AT_A_TIME:
        return _forward_to_moto_unlocked(context, request)


def _forward_to_moto_unlocked(context: RequestContext, request: ServiceRequest):
    from localstack.services.moto import call_moto_with_request

    operation = context.operation.name
    request = _check_references(context, request)
    try:
        # Re-serialising the request matters: the Rust SDK sends `/bots`, moto routes `/bots/`.
        response = call_moto_with_request(context, request)
    except KeyError as missing:
        raise _not_found(operation, f"Resource does not exist: {missing}") from None
    if operation == "CreateBot":
        _after_create_bot(context, response)
    return _mend_response(context, request, response)


def _dispatch_table(_provider) -> dict:
    service = load_service(SERVICE_NAME)
    return {name: _forward_to_moto for name in service.operation_names}


@aws_provider(api=SERVICE_NAME)
def lexv2_models():
    return Service.for_provider(LexModelsV2Provider(), dispatch_table_factory=_dispatch_table)


@hooks.on_infra_start()
def route_lex_signing_name():
    """Requests signed for `lex` go to lexv2-models; without this the router sends them to S3."""
    from localstack.aws.protocol.service_router import signing_name_path_prefix_rules
    from localstack.aws.spec import ServiceModelIdentifier

    signing_name_path_prefix_rules["lex"] = {"*": ServiceModelIdentifier(SERVICE_NAME)}

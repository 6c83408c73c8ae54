"""LocalStack provider plugin that serves `lexv2-models`: a twin of the Amazon Lex V2 model-building
API, built on moto's basic backend and mending its gaps. FIDELITY.md (next to this package's
parent) lists each behaviour, what AWS documents for it, and whether it is modelled or assumed.

Every request, in order:
1. is validated against the botocore service model LocalStack loads (validation.py): required
   members, lengths, enums, patterns and ranges, answered with AWS's `ValidationException` (400);
2. is checked against what exists: a missing bot or alias is `ResourceNotFoundException` (404) for
   reads and `PreconditionFailedException` (412) for creates, builds, updates and deletes; an alias
   id must belong to the bot in the path; `TSTALIASID` names the bot's TestBotAlias;
3. is served either by this plugin (bot locales with their intents and slots, and bot versions,
   which moto lacks; models.py) or by
   moto (bots, aliases, tags, resource policies), with these mends:
   - bot and alias ids are AWS-shaped (10 upper-case letters and digits), as the model's `Id` wants;
   - statuses answer `Available` instead of staying `CREATING` for ever;
   - `ListBots` applies its name filter and reports `latestBotVersion` from real versions;
   - `ListBotAliases` lists only the aliases of the bot asked for;
   - every bot has a `TestBotAlias` with the fixed id `TSTALIASID` on `DRAFT`, which stays on DRAFT;
   - CreateBotAlias/UpdateBotAlias refuse a version that does not exist;
   - DeleteBot refuses while the bot has aliases other than TestBotAlias, DeleteBotVersion while an
     alias uses the version (`ResourceInUseException`, unless `skipResourceInUseCheck`);
   - CreateBot/UpdateBot refuse a role younger than the account's `iam_propagation_seconds`
     (settings.py), as AWS does while IAM propagates a new role.
Operations run one at a time (models.LOCK): LocalStack serves requests on several threads, and
moto's backend (and the mending here) iterates dicts that a concurrent create would change under it.

The same package adds IAM's protection of service-linked roles (iam_slr.py) and the emulator
settings endpoint `/_lexlogs/settings` (settings_api.py).

Where each part lives: answers.py (errors, pages), moto_mends.py (what moto serves, mended),
locales.py, intents.py and versions.py (what the twin serves itself), replicas.py (bot replicas:
Global Resiliency, and the read-only replica in its region), this file (references and dispatch).
"""

from localstack.aws.api import RequestContext, ServiceRequest
from localstack.aws.spec import load_service
from localstack.runtime import hooks
from localstack.services.plugins import Service, aws_provider

from . import answers, intents, locales, models, moto_mends, replicas, versions
from .models import LOCK, TEST_ALIAS_ID
from .validation import validate

SERVICE_NAME = "lexv2-models"


class LexModelsV2Provider:
    """The provider object LocalStack expects; all behaviour lives in the dispatch table."""

    service = SERVICE_NAME


# --- references -------------------------------------------------------------------------------


def _check_references(context: RequestContext, request: ServiceRequest) -> ServiceRequest:
    """Fails like AWS when the bot or alias in the request does not exist; maps TSTALIASID."""
    operation = context.operation.name
    backend = answers.backend(context)
    bot_id = request.get("botId")
    if bot_id is not None and operation != "CreateBot" and bot_id not in backend.bots:
        raise answers.not_found(operation, f"Failed to retrieve resource since it does not exist: bot {bot_id}")
    alias_id = request.get("botAliasId")
    if alias_id is None or bot_id is None:
        return request
    alias = models.find_alias(backend, bot_id, alias_id)
    if alias is None:
        raise answers.not_found(operation, f"Bot alias {alias_id} of bot {bot_id} does not exist")
    if alias_id == TEST_ALIAS_ID:
        request = dict(request)
        request["botAliasId"] = alias.id
    return request


PLUGIN_OPERATIONS = {
    "CreateBotLocale": locales.create_bot_locale,
    "DescribeBotLocale": locales.describe_bot_locale,
    "UpdateBotLocale": locales.update_bot_locale,
    "ListBotLocales": locales.list_bot_locales,
    "BuildBotLocale": locales.build_bot_locale,
    "DeleteBotLocale": locales.delete_bot_locale,
    "CreateBotVersion": versions.create_bot_version,
    "DescribeBotVersion": versions.describe_bot_version,
    "ListBotVersions": versions.list_bot_versions,
    "DeleteBotVersion": versions.delete_bot_version,
    "CreateIntent": intents.create_intent,
    "ListIntents": intents.list_intents,
    "CreateSlot": intents.create_slot,
    "ListSlots": intents.list_slots,
    "DescribeSlot": intents.describe_slot,
    **replicas.OPERATIONS,
}


# --- dispatch ---------------------------------------------------------------------------------


def _serve(context: RequestContext, request: ServiceRequest):
    request = _check_references(context, request)
    handler = PLUGIN_OPERATIONS.get(context.operation.name)
    if handler is not None:
        return handler(context, request)
    return moto_mends.forward_to_moto(context, request)


def _serve_replica(context: RequestContext, request: ServiceRequest, source: str):
    """A request naming a bot replicated into this region (replicas.py): reads answered from the
    source bot in this region's terms, writes refused."""
    operation = context.operation.name
    if not replicas.is_read(operation):
        replicas.refuse_write(context, request["botId"], source)
    if request.get("botAliasId") == TEST_ALIAS_ID:
        raise answers.not_found(operation, f"Bot alias {TEST_ALIAS_ID} of bot {request['botId']} is not replicated")
    response = _serve(replicas.source_context(context, source), request)
    response = replicas.without_test_alias(operation, request, response)
    return replicas.in_replica_region(response, source, context.region)


def _handle(context: RequestContext, request: ServiceRequest):
    with LOCK:
        validate(context.operation.input_shape, request)
        bot_id = request.get("botId")
        if bot_id is not None and bot_id not in answers.backend(context).bots:
            source = replicas.source_of(context.account_id, context.region, bot_id)
            if source is not None:
                return _serve_replica(context, request, source)
        return _serve(context, request)


def _dispatch_table(_provider) -> dict:
    service = load_service(SERVICE_NAME)
    return {name: _handle for name in service.operation_names}


@aws_provider(api=SERVICE_NAME)
def lexv2_models():
    moto_mends.patch_moto_ids()
    return Service.for_provider(LexModelsV2Provider(), dispatch_table_factory=_dispatch_table)


@hooks.on_infra_start()
def route_lex_signing_name():
    """Requests signed for `lex` go to lexv2-models; without this the router sends them to S3."""
    from localstack.aws.protocol.service_router import signing_name_path_prefix_rules
    from localstack.aws.spec import ServiceModelIdentifier

    signing_name_path_prefix_rules["lex"] = {"*": ServiceModelIdentifier(SERVICE_NAME)}


@hooks.on_infra_start()
def install_iam_slr_and_settings():
    """IAM's service-linked role protection (iam_slr.py), GetAccountAuthorizationDetails from a
    snapshot (iam_listing.py), IAM's role quotas (iam_quotas.py), S3's ExpectedBucketOwner
    (s3_owner.py), STS AssumeRole decided by the role's trust policy (sts_assume.py), policy writes
    recorded for IAM propagation (propagation.py), /_lexlogs/settings (settings_api.py), and the
    key policy CloudWatch Logs needs for an encrypted log group (logs_kms.py), the Tags of
    CloudWatch's PutMetricAlarm (cloudwatch_tags.py) and saved Logs Insights queries
    (logs_queries.py)."""
    from . import (
        cloudwatch_tags, iam_listing, iam_quotas, iam_slr, logs_kms, logs_queries, propagation, s3_owner,
        settings_api, sts_assume,
    )

    iam_listing.install()
    iam_slr.install()
    iam_quotas.install()
    s3_owner.install()
    propagation.install()
    sts_assume.install()
    settings_api.install()
    logs_kms.install()
    cloudwatch_tags.install()
    logs_queries.install()
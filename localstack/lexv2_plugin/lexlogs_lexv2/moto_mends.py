"""The operations moto serves (bots, aliases, tags, resource policies), with the checks AWS makes
before them and the mends of what moto answers: AWS-shaped ids, `Available` statuses, ListBots'
name filter and `latestBotVersion`, ListBotAliases per bot, the TestBotAlias on DRAFT, versions an
alias names must exist, DeleteBot refused while aliases use the bot, and a role too new to assume
(IAM propagation, settings.py). provider.py lists them all."""

import random
import string

from localstack.aws.api import RequestContext, ServiceRequest

from . import answers, models, replicas, settings
from .models import DRAFT, TEST_ALIAS_ID, TEST_ALIAS_NAME
from .validation import ValidationError

STATUS_FIELDS = ("botStatus", "botAliasStatus", "botLocaleStatus", "status")
ID_ALPHABET = string.ascii_uppercase + string.digits


# --- AWS-shaped ids for moto's bots and aliases ------------------------------------------------


def _new_id(taken) -> str:
    while True:
        candidate = "".join(random.choices(ID_ALPHABET, k=10))
        if candidate != TEST_ALIAS_ID and candidate not in taken:
            return candidate


def patch_moto_ids() -> None:
    """moto gives bots and aliases uuid4 ids (36 characters); Lex V2 ids are 10 characters, and the
    validation rejects anything else in a path. Also fixes moto's alias ARN (`/$BOT/$ALIAS`)."""
    from moto.lexv2models import models as moto_models

    if getattr(moto_models, "_lexlogs_ids_patched", False):
        return
    bot_init = moto_models.FakeBot.__init__
    alias_init = moto_models.FakeBotAlias.__init__

    def fake_bot_init(self, *args, **kwargs):
        bot_init(self, *args, **kwargs)
        backend = moto_models.lexv2models_backends[self.account_id][self.region_name]
        self.id = _new_id(backend.bots)
        self.arn = self._generate_arn()

    def fake_alias_init(self, *args, **kwargs):
        alias_init(self, *args, **kwargs)
        backend = moto_models.lexv2models_backends[self.account_id][self.region_name]
        self.id = _new_id(backend.bot_aliases)
        self.arn = f"arn:aws:lex:{self.region_name}:{self.account_id}:bot-alias/{self.bot_id}/{self.id}"

    moto_models.FakeBot.__init__ = fake_bot_init
    moto_models.FakeBotAlias.__init__ = fake_alias_init
    moto_models._lexlogs_ids_patched = True


# --- IAM propagation --------------------------------------------------------------------------


def _check_role_propagated(context: RequestContext, request: ServiceRequest) -> None:
    role_arn = request.get("roleArn")
    if role_arn and not settings.role_assumable_yet(context.account_id, role_arn):
        # AWS's wording is not documented; this keeps to what clients match on (code
        # ValidationException, a message naming the role and "assume"): see FIDELITY.md.
        raise ValidationError(
            f"Amazon Lex could not assume the role {role_arn}. Check that the role exists and that "
            "it trusts lexv2.amazonaws.com; a role created moments ago may not be usable yet."
        )


# --- aliases: versions must exist; the test alias stays on DRAFT -----------------------------------


def _check_alias_version(context: RequestContext, request: ServiceRequest) -> ServiceRequest:
    operation = context.operation.name
    backend = answers.backend(context)
    bot_id = request["botId"]
    model = answers.bot_model(context, bot_id)
    version = request.get("botVersion")
    if operation == "UpdateBotAlias":
        alias = backend.bot_aliases[request["botAliasId"]]
        is_test = alias.bot_alias_name == TEST_ALIAS_NAME
        if version is None:
            # moto would store None; keep the alias on the version it has (assumed).
            request = dict(request)
            request["botVersion"] = version = str(alias.bot_version)
        if is_test:
            if version != DRAFT:
                raise ValidationError(
                    f"The bot alias {TEST_ALIAS_NAME} ({TEST_ALIAS_ID}) must use the {DRAFT} version; "
                    f"it cannot be changed to version {version}."
                )
            return request
        if version == DRAFT:
            raise ValidationError(
                f"Only {TEST_ALIAS_NAME} can use the {DRAFT} version; choose a numbered version for "
                f"bot alias {request.get('botAliasName')}."
            )
    if version not in model.versions:
        raise answers.precondition(
            f"Failed to retrieve resource since it does not exist: version {version} of bot {bot_id}"
        )
    return request


def _check_delete_bot(context: RequestContext, request: ServiceRequest) -> None:
    if request.get("skipResourceInUseCheck"):
        return
    backend = answers.backend(context)
    bot_id = request["botId"]
    in_use = sorted(
        a.bot_alias_name for a in backend.bot_aliases.values()
        if a.bot_id == bot_id and a.bot_alias_name != TEST_ALIAS_NAME
    )
    if in_use:
        raise answers.in_use(
            f"Bot {bot_id} is used by bot alias(es) {', '.join(in_use)}; delete them first or set "
            "skipResourceInUseCheck"
        )


def _after_delete_bot(context: RequestContext, bot_id: str) -> None:
    backend = answers.backend(context)
    for alias_id in [a.id for a in backend.bot_aliases.values() if a.bot_id == bot_id]:
        backend.bot_aliases.pop(alias_id, None)
    models.forget_bot(context.account_id, context.region, bot_id)
    replicas.forget(context.account_id, context.region, bot_id)


# --- responses from moto ----------------------------------------------------------------------


def _mend_response(context: RequestContext, request: ServiceRequest, response: dict) -> dict:
    operation = context.operation.name
    backend = answers.backend(context)

    def mend_item(item: dict) -> None:
        for field in STATUS_FIELDS:
            if item.get(field) in ("Creating", "CREATING"):
                item[field] = "Available"
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
        summaries = _filter_bots(request, response.get("botSummaries") or [])
        for summary in summaries:
            latest = models.latest_version(answers.bot_model(context, summary["botId"]))
            if latest is None:
                summary.pop("latestBotVersion", None)
            else:
                summary["latestBotVersion"] = latest
        response["botSummaries"] = summaries
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
    backend = answers.backend(context)
    for alias in backend.bot_aliases.values():
        if alias.bot_id == response.get("botId") and alias.bot_alias_name == "test":
            alias.bot_alias_name = TEST_ALIAS_NAME
            alias.description = "test bot alias"
            alias.bot_version = DRAFT
            # moto stores {} for these; AWS omits what is unset ({} would not even pass validation
            # when a client sends back what it read).
            alias.bot_alias_locale_settings = None
            alias.conversation_log_settings = None
            alias.sentiment_analysis_settings = None


def forward_to_moto(context: RequestContext, request: ServiceRequest):
    from localstack.services.moto import call_moto_with_request

    operation = context.operation.name
    if operation in ("CreateBot", "UpdateBot"):
        _check_role_propagated(context, request)
    elif operation in ("CreateBotAlias", "UpdateBotAlias"):
        request = _check_alias_version(context, request)
    elif operation == "DeleteBot":
        _check_delete_bot(context, request)
    try:
        # Re-serialising the request matters: the Rust SDK sends `/bots`, moto routes `/bots/`.
        response = call_moto_with_request(context, request)
    except KeyError as missing:
        raise answers.not_found(operation, f"Resource does not exist: {missing}") from None
    if operation == "CreateBot":
        _after_create_bot(context, response)
    elif operation == "DeleteBot":
        _after_delete_bot(context, request["botId"])
    _keep_error_log_settings(context, request, response)
    return _mend_response(context, request, response)


def _keep_error_log_settings(context: RequestContext, request: ServiceRequest, response: dict) -> None:
    """The bot's errorLogSettings (API reference: ErrorLogSettings, CreateBot, UpdateBot,
    DescribeBot), which moto drops: kept as CreateBot/UpdateBot set it (UpdateBot replaces the
    bot, so one without it clears it) and answered by those and DescribeBot."""
    operation = context.operation.name
    if operation not in ("CreateBot", "UpdateBot", "DescribeBot"):
        return
    bot_id = response.get("botId") or request.get("botId")
    if bot_id is None:
        return
    model = answers.bot_model(context, bot_id)
    if operation != "DescribeBot":
        model.error_log_settings = request.get("errorLogSettings")
    if model.error_log_settings is not None:
        response["errorLogSettings"] = model.error_log_settings


"""Model-side state of the twin beyond moto: what the runtime reads about an alias.

Today the alias's version is taken at its word and its role is the bot's (no versions yet); the
model side replaces this with real versions (each with its own role and locales).
"""

from .state import AliasView, NotFound

TEST_ALIAS_ID = "TSTALIASID"
TEST_ALIAS_NAME = "TestBotAlias"


def alias_runtime_view(account_id: str, region: str, bot_id: str, alias_id: str) -> AliasView:
    from moto.lexv2models.models import lexv2models_backends

    backend = lexv2models_backends[account_id][region]
    bot = backend.bots.get(bot_id)
    if bot is None:
        raise NotFound(f"bot {bot_id}")
    if alias_id == TEST_ALIAS_ID:
        alias = next(
            (a for a in backend.bot_aliases.values()
             if a.bot_id == bot_id and a.bot_alias_name == TEST_ALIAS_NAME),
            None,
        )
    else:
        alias = backend.bot_aliases.get(alias_id)
    if alias is None or alias.bot_id != bot_id:
        raise NotFound(f"bot alias {alias_id} of bot {bot_id}")
    return AliasView(
        account_id=account_id,
        region=region,
        bot_id=bot_id,
        bot_name=bot.bot_name,
        alias_id=alias_id,
        alias_name=alias.bot_alias_name,
        alias_arn=f"arn:aws:lex:{region}:{account_id}:bot-alias/{bot_id}/{alias_id}",
        bot_version=str(alias.bot_version),
        role_arn=bot.role_arn,
        locales=frozenset(["en_US"]),
        conversation_log_settings=alias.conversation_log_settings or None,
        detect_sentiment=bool((alias.sentiment_analysis_settings or {}).get("detectSentiment")),
    )

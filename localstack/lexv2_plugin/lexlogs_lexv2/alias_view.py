"""What the runtime knows about an alias (`AliasView`) and the error for one that does not exist
(`NotFound`): the data both sides of the twin share. The model side builds it (models.py), the
runtime side reads it (state.py, runtime.py, delivery.py); this module imports neither, so the two
sides do not import each other.
"""

from dataclasses import dataclass, field


class NotFound(Exception):
    """The bot, the alias, or the version the alias points at does not exist."""


@dataclass(frozen=True)
class AliasView:
    account_id: str
    region: str
    bot_id: str
    bot_name: str
    alias_id: str  # as the client names it: TSTALIASID for the test alias
    alias_name: str
    alias_arn: str  # arn:aws:lex:REGION:ACCOUNT:bot-alias/BOT_ID/ALIAS_ID
    bot_version: str  # "DRAFT" or a number as a string
    role_arn: str  # the role of that version (DRAFT: the bot's current role)
    # Locales the alias's version has and that are built (the runtime answers only in those).
    locales: frozenset = field(default_factory=frozenset)
    # The alias's conversationLogSettings exactly as DescribeBotAlias returns it (or None).
    conversation_log_settings: dict | None = None
    # Added by the model side (the fields above keep their names):
    # the alias's botAliasLocaleSettings and sentimentAnalysisSettings as DescribeBotAlias returns them.
    alias_locale_settings: dict | None = None
    sentiment_analysis_settings: dict | None = None
    # The alias's sentimentAnalysisSettings.detectSentiment (False when unset).
    detect_sentiment: bool = False
    # The version's idleSessionTTLInSeconds: a session idle for longer ends (sessions.py).
    idle_session_ttl_seconds: int = 300

"""Model-side state of the twin beyond moto: bot locales and bot versions, and what the runtime reads
about an alias (`alias_runtime_view`).

moto's lexv2models backend keeps bots and aliases; it has no locales and no versions. Both live here,
keyed by (account, region, bot id). A version is an immutable snapshot of the DRAFT taken by
CreateBotVersion: the bot's name, description, role, data privacy and idle session TTL at that
moment, and the locales named in `botVersionLocaleSpecification` (each Built in its source version).
UpdateBot changes only the DRAFT, so a version keeps the role it was published with.

Everything here is read and written under `LOCK` (the provider's one-at-a-time lock), so the runtime
side may call `alias_runtime_view` from its own threads.
"""

import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from .alias_view import AliasView, NotFound

TEST_ALIAS_ID = "TSTALIASID"
TEST_ALIAS_NAME = "TestBotAlias"
DRAFT = "DRAFT"

# One lock for all Lex V2 model state (moto's backend and ours); re-entrant for nested reads.
LOCK = threading.RLock()

# Locales Lex V2 supports, with the names DescribeBotLocale answers
# (https://docs.aws.amazon.com/lexv2/latest/dg/how-languages.html).
LOCALE_NAMES = {
    "ar_AE": "Gulf Arabic (UAE)",
    "ca_ES": "Catalan (Spain)",
    "cy_GB": "Welsh (UK)",
    "de_AT": "German (Austria)",
    "de_CH": "German (Swiss)",
    "de_DE": "German (Germany)",
    "en_AU": "English (AU)",
    "en_GB": "English (GB)",
    "en_IE": "English (Ireland)",
    "en_IN": "English (IN)",
    "en_NZ": "English (New Zealand)",
    "en_SG": "English (Singapore)",
    "en_US": "English (US)",
    "en_ZA": "English (South Africa)",
    "es_419": "Spanish (Latin America)",
    "es_ES": "Spanish (Spain)",
    "es_US": "Spanish (US)",
    "fi_FI": "Finnish (Finland)",
    "fr_CA": "French (Canada)",
    "fr_FR": "French (France)",
    "hi_IN": "Hindi (India)",
    "it_IT": "Italian (Italy)",
    "ja_JP": "Japanese (Japan)",
    "ko_KR": "Korean (Korea)",
    "nl_NL": "Dutch (Netherlands)",
    "no_NO": "Norwegian (Norway)",
    "pl_PL": "Polish (Poland)",
    "pt_BR": "Portuguese (Brazil)",
    "pt_PT": "Portuguese (Portugal)",
    "sv_SE": "Swedish (Sweden)",
    "yue_HK": "Cantonese (Hong Kong)",
    "zh_CN": "Mandarin (PRC)",
}


def now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Locale:
    locale_id: str
    locale_name: str
    description: str | None
    nlu_intent_confidence_threshold: float
    voice_settings: dict | None
    generative_ai_settings: dict | None
    status: str  # NotBuilt, Building, Built (BotLocaleStatus)
    created: datetime
    updated: datetime
    last_build_submitted: datetime | None = None
    build_done_at: float | None = None  # monotonic time at which Building becomes Built

    def current_status(self) -> str:
        if self.status == "Building" and self.build_done_at is not None and time.monotonic() >= self.build_done_at:
            self.status = "Built"
            self.build_done_at = None
        return self.status


@dataclass
class Version:
    number: str
    description: str | None
    bot_name: str
    role_arn: str
    data_privacy: dict | None
    idle_session_ttl_in_seconds: int
    bot_type: str | None
    locales: dict  # locale id -> Locale (a frozen copy, Built)
    source: dict  # the botVersionLocaleSpecification it was created from
    created: datetime


@dataclass
class BotModel:
    draft_locales: dict = field(default_factory=dict)  # locale id -> Locale
    versions: dict = field(default_factory=dict)  # "1", "2", ... -> Version
    versions_created: int = 0  # numbers are never reused (CreateBotVersion API reference)
    # The bot's errorLogSettings ({"enabled": bool}) as CreateBot/UpdateBot last set it, which
    # moto drops; UpdateBot replaces the bot, so a request without it clears it.
    error_log_settings: dict | None = None


_BOTS: dict[tuple[str, str, str], BotModel] = {}


def bot_model(account_id: str, region: str, bot_id: str) -> BotModel:
    """The plugin-owned state of a bot (created on first use)."""
    key = (account_id, region, bot_id)
    model = _BOTS.get(key)
    if model is None:
        model = _BOTS[key] = BotModel()
    return model


def forget_bot(account_id: str, region: str, bot_id: str) -> None:
    _BOTS.pop((account_id, region, bot_id), None)


def latest_version(model: BotModel) -> str | None:
    if not model.versions:
        return None
    return str(max(int(n) for n in model.versions))


def locales_of(model: BotModel, version: str) -> dict | None:
    """The locales of DRAFT or of a numbered version; None when the version does not exist."""
    if version == DRAFT:
        return model.draft_locales
    snapshot = model.versions.get(version)
    return None if snapshot is None else snapshot.locales


def frozen_copy(locale: Locale) -> Locale:
    locale.current_status()
    return replace(locale, voice_settings=deep_copy(locale.voice_settings),
                   generative_ai_settings=deep_copy(locale.generative_ai_settings), build_done_at=None)


def deep_copy(value):
    import copy

    return copy.deepcopy(value)


def _moto_backend(account_id: str, region: str):
    from moto.lexv2models.models import lexv2models_backends

    return lexv2models_backends[account_id][region]


def find_alias(backend, bot_id: str, alias_id: str):
    """moto's alias object for the alias id a client uses (TSTALIASID for the test alias)."""
    if alias_id == TEST_ALIAS_ID:
        return next(
            (a for a in backend.bot_aliases.values()
             if a.bot_id == bot_id and a.bot_alias_name == TEST_ALIAS_NAME),
            None,
        )
    alias = backend.bot_aliases.get(alias_id)
    if alias is None or alias.bot_id != bot_id:
        return None
    return alias


def alias_runtime_view(account_id: str, region: str, bot_id: str, alias_id: str) -> AliasView:
    """The alias as the runtime sees it: its version, that version's role and Built locales, and
    its conversation log settings as DescribeBotAlias returns them. Raises NotFound."""
    with LOCK:
        backend = _moto_backend(account_id, region)
        bot = backend.bots.get(bot_id)
        if bot is None:
            raise NotFound(f"bot {bot_id}")
        alias = find_alias(backend, bot_id, alias_id)
        if alias is None:
            raise NotFound(f"bot alias {alias_id} of bot {bot_id}")
        model = bot_model(account_id, region, bot_id)
        version = str(alias.bot_version)
        if version == DRAFT:
            role_arn = bot.role_arn
            locales = model.draft_locales
            idle_ttl = getattr(bot, "idle_session_ttl_in_seconds", None)
        else:
            snapshot = model.versions.get(version)
            if snapshot is None:
                raise NotFound(f"version {version} of bot {bot_id} (used by alias {alias_id})")
            role_arn = snapshot.role_arn
            locales = snapshot.locales
            idle_ttl = snapshot.idle_session_ttl_in_seconds
        built = frozenset(lid for lid, loc in locales.items() if loc.current_status() == "Built")
        return AliasView(
            account_id=account_id,
            region=region,
            bot_id=bot_id,
            bot_name=bot.bot_name,
            alias_id=TEST_ALIAS_ID if alias.bot_alias_name == TEST_ALIAS_NAME else alias_id,
            alias_name=alias.bot_alias_name,
            alias_arn=f"arn:aws:lex:{region}:{account_id}:bot-alias/{bot_id}/"
            f"{TEST_ALIAS_ID if alias.bot_alias_name == TEST_ALIAS_NAME else alias_id}",
            bot_version=version,
            role_arn=role_arn,
            locales=built,
            conversation_log_settings=deep_copy(alias.conversation_log_settings) or None,
            alias_locale_settings=deep_copy(alias.bot_alias_locale_settings) or None,
            sentiment_analysis_settings=deep_copy(alias.sentiment_analysis_settings) or None,
            detect_sentiment=bool((alias.sentiment_analysis_settings or {}).get("detectSentiment")),
            idle_session_ttl_seconds=int(idle_ttl or 300),
        )

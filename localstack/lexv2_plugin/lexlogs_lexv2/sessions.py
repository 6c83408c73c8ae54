"""Conversation sessions as the runtime keeps them for log delivery: the log settings a session
began with, and selective conversation log capture.

Log settings bind at session start. The Lex guide says "Logging starts on new bot sessions.
Changes to log settings aren't reflected for active sessions."
(https://docs.aws.amazon.com/lex/latest/dg/conversation-logs-configure.html, the V1 guide; the V2
guide says only that the alias's settings apply to RecognizeText/RecognizeUtterance on it, so the
V2 behaviour is assumed the same.) A session is the alias's session id; it ends after the bot's
idleSessionTTLInSeconds without a turn, and a turn after that begins a new session.

Selective logging (`selectiveLoggingEnabled` on a text or audio log setting; Lex V2 guide,
"Manage selective conversation log capture",
https://docs.aws.amazon.com/lexv2/latest/dg/manage-selective-logging.html): with the flag on, a
turn is logged only when a session attribute allows it:
    x-amz-lex:enable-text-logging:<intent>:<slot> = "true"    (text logs)
    x-amz-lex:enable-audio-logging:<intent>:<slot> = "true"   (audio logs)
`<intent>` and `<slot>` may be "*", which matches any intent or slot. With the flag on and no such
attribute, nothing is logged; at least one attribute must allow the turn; with the flag off the
attributes are ignored. The guide matches the slot the bot elicited (or, in an intent-elicitation
turn, every slot filled in it). The twin's turns fill no slot (everything is FallbackIntent): a
turn without a slot is allowed by an attribute whose intent matches and whose slot is "*"
(assumed; open until the acceptance suite runs on a real account).
"""

from __future__ import annotations

import threading
import time

DEFAULT_IDLE_TTL_SECONDS = 300
ATTRIBUTE_PREFIX = {"text": "x-amz-lex:enable-text-logging", "audio": "x-amz-lex:enable-audio-logging"}

_lock = threading.Lock()
# (account, region, bot, alias, session id) -> (log settings at session start, time of last turn)
_sessions: dict[tuple, tuple[dict | None, float]] = {}


def log_settings(view, session_id: str, now: float | None = None) -> dict | None:
    """The conversation log settings of this turn: those the alias had when the session began
    (its first turn, or its first turn after idleSessionTTLInSeconds without one)."""
    now = time.monotonic() if now is None else now
    ttl = getattr(view, "idle_session_ttl_seconds", None) or DEFAULT_IDLE_TTL_SECONDS
    key = (view.account_id, view.region, view.bot_id, view.alias_id, session_id)
    with _lock:
        bound = _sessions.get(key)
        if bound is None or now - bound[1] > ttl:
            settings = view.conversation_log_settings
        else:
            settings = bound[0]
        _sessions[key] = (settings, now)
        if len(_sessions) > 10_000:
            _forget_idle(now)
        return settings


def _forget_idle(now: float) -> None:
    """Drops sessions idle for longer than the longest TTL Lex allows (a day)."""
    for key in [k for k, (_, last) in _sessions.items() if now - last > 86_400]:
        del _sessions[key]


def selected(kind: str, setting: dict, session_attributes: dict | None, intent: str | None,
             slot: str | None = None) -> bool:
    """Is this turn logged on the `kind` ("text"/"audio") channel under `setting`? Always when the
    setting is not selective; else only when a session attribute allows it (module docstring)."""
    if not setting.get("selectiveLoggingEnabled"):
        return True
    prefix = ATTRIBUTE_PREFIX[kind] + ":"
    for name, value in (session_attributes or {}).items():
        if not name.startswith(prefix) or str(value).strip().lower() != "true":
            continue
        wanted_intent, _, wanted_slot = name[len(prefix):].partition(":")
        if wanted_intent not in ("*", intent):
            continue
        if wanted_slot == "*" or (slot is not None and wanted_slot == slot):
            return True
    return False

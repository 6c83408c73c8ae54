"""The Lex V2 runtime API (botocore service `lexv2-runtime`) on an alias: RecognizeText and
RecognizeUtterance, answering with the bot's FallbackIntent, and delivering conversation logs the
way Lex decides it (see delivery.py).

Routing: the runtime and the model-building API are both signed `lex` and both live under
`/bots/`. LocalStack's service router asks `custom_signing_name_rules(signing_name, path)` when a
signing name maps to several services; we wrap that function so a `lex`-signed request whose path
is a runtime session path (`/bots/B/botAliases/A/botLocales/L/sessions/S[/text|/utterance|
/conversation]`, note the camel-case `botAliases`; the model API spells it `botaliases`) goes to
`lexv2-runtime`; everything else falls through to the rules as they are (lexv2-models).
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import re

from localstack.aws.api import CommonServiceException, RequestContext, ServiceRequest
from localstack.aws.spec import load_service
from localstack.runtime import hooks
from localstack.services.plugins import Service, aws_provider

from . import service_metrics, settings
from .state import AliasView, NotFound, runtime_view

LOG = logging.getLogger(__name__)

SERVICE_NAME = "lexv2-runtime"
RUNTIME_PATH = re.compile(
    r"^/bots/[^/]+/botAliases/[^/]+/botLocales/[^/]+/sessions/[^/]+(/(text|utterance|conversation))?/?$"
)
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
FALLBACK_INTENT = "FallbackIntent"
# What the twin's bots say when they do not understand (a real bot says what its FallbackIntent's
# closing response says, or nothing).
FALLBACK_MESSAGE = "Sorry, I did not understand that."


class LexRuntimeV2Provider:
    service = SERVICE_NAME


def _not_found(message: str) -> CommonServiceException:
    return CommonServiceException("ResourceNotFoundException", message, status_code=404, sender_fault=True)


def _validation(message: str) -> CommonServiceException:
    return CommonServiceException("ValidationException", message, status_code=400, sender_fault=True)


def _view(context: RequestContext, request: ServiceRequest) -> AliasView:
    try:
        view = runtime_view(context.account_id, context.region, request["botId"], request["botAliasId"])
    except NotFound:
        raise _not_found("Failed to retrieve resource since it does not exist") from None
    if request["localeId"] not in view.locales:
        # AWS: the locale must exist, be built, and be part of the alias's version.
        raise _not_found(
            f"Failed to retrieve resource since it does not exist: locale {request['localeId']} "
            f"of bot {view.bot_id} version {view.bot_version}"
        )
    return view


def _sentiment(view: AliasView, text: str) -> dict | None:
    if not view.detect_sentiment:
        return None
    from .delivery import role_may

    allowed, why = role_may(view, "comprehend:DetectSentiment", "*")
    if not allowed:
        LOG.info("lexlogs: no sentiment for alias %s: %s", view.alias_id, why)
        return None
    return {
        "sentiment": "NEUTRAL",
        "sentimentScore": {"positive": 0.0, "negative": 0.0, "neutral": 1.0, "mixed": 0.0},
    }


def _answer(view: AliasView, request: ServiceRequest, text: str, session_state: dict | None) -> dict:
    """The bot's answer: every utterance falls to the FallbackIntent (the twin has no NLU)."""
    intent = {"name": FALLBACK_INTENT, "slots": {}, "state": "ReadyForFulfillment", "confirmationState": "None"}
    interpretation = {"intent": dict(intent), "interpretationSource": "Lex"}
    sentiment = _sentiment(view, text)
    if sentiment is not None:
        interpretation["sentimentResponse"] = sentiment
    state = {"dialogAction": {"type": "Close"}, "intent": intent}
    attributes = (session_state or {}).get("sessionAttributes")
    if attributes:
        state["sessionAttributes"] = attributes
    state["originatingRequestId"] = request.get("_request_id")
    return {
        "messages": [{"content": FALLBACK_MESSAGE, "contentType": "PlainText"}],
        "sessionState": state,
        "interpretations": [interpretation],
        "requestAttributes": request.get("requestAttributes") or {},
        "sessionId": request["sessionId"],
    }


def recognize_text(context: RequestContext, request: ServiceRequest) -> dict:
    from .delivery import deliver

    view = _view(context, request)
    request = dict(request, _request_id=context.request_id)
    service_metrics.count_request(view, "RecognizeText", request["localeId"])
    answer = _answer(view, request, request["text"], request.get("sessionState"))
    deliver(
        view,
        operation="RecognizeText",
        locale_id=request["localeId"],
        request_id=context.request_id,
        input_mode="Text",
        input_transcript=request["text"],
        answer=answer,
        audio=None,
    )
    if not answer["requestAttributes"]:
        del answer["requestAttributes"]
    return answer


def _decode_header(value: str | None) -> dict | None:
    if not value:
        return None
    raw = base64.b64decode(value)
    try:
        raw = gzip.decompress(raw)
    except OSError:
        pass  # tolerate plain base64 JSON
    return json.loads(raw)


def _encode_header(value) -> str:
    return base64.b64encode(gzip.compress(json.dumps(value).encode("utf-8"))).decode("ascii")


def recognize_utterance(context: RequestContext, request: ServiceRequest) -> dict:
    from .delivery import deliver

    view = _view(context, request)
    content_type = (request.get("requestContentType") or "").strip()
    stream = request.get("inputStream")
    body = stream.read() if hasattr(stream, "read") else (stream or b"")
    try:
        session_state = _decode_header(request.get("sessionState"))
        request_attributes = _decode_header(request.get("requestAttributes"))
    except (ValueError, OSError):
        raise _validation("sessionState and requestAttributes must be gzip-compressed, base64-encoded JSON") from None
    lowered = content_type.lower()
    if lowered.startswith("text/plain"):
        input_mode, transcript, audio = "Text", body.decode("utf-8"), None
    elif lowered.startswith(("audio/l16", "audio/x-l16", "audio/lpcm", "audio/x-cbr-opus-with-preamble")):
        # The twin has no speech recognition: audio is heard as silence (an empty transcript).
        input_mode, transcript, audio = "Speech", "", (body, lowered)
    else:
        raise _validation(f"Invalid requestContentType: {content_type}")

    response_content_type = request.get("responseContentType") or TEXT_CONTENT_TYPE
    if not response_content_type.lower().startswith("text/plain"):
        # Audio answers would need Polly; the twin answers text whatever was asked (assumed).
        response_content_type = TEXT_CONTENT_TYPE

    plain = dict(request, requestAttributes=request_attributes, _request_id=context.request_id)
    service_metrics.count_request(view, "RecognizeUtterance", request["localeId"])
    answer = _answer(view, plain, transcript, session_state)
    deliver(
        view,
        operation="RecognizeUtterance",
        locale_id=request["localeId"],
        request_id=context.request_id,
        input_mode=input_mode,
        input_transcript=transcript,
        answer=answer,
        audio=audio,
    )
    response = {
        "inputMode": input_mode,
        "contentType": response_content_type,
        "messages": _encode_header(answer["messages"]),
        "interpretations": _encode_header(answer["interpretations"]),
        "sessionState": _encode_header(answer["sessionState"]),
        "sessionId": request["sessionId"],
        "inputTranscript": _encode_header(transcript),
        "audioStream": b"",
    }
    if request_attributes:
        response["requestAttributes"] = _encode_header(request_attributes)
    return response


def _dispatch_table(_provider) -> dict:
    return {
        "RecognizeText": recognize_text,
        "RecognizeUtterance": recognize_utterance,
    }


@aws_provider(api=SERVICE_NAME)
def lexv2_runtime():
    # Touch the spec now so a missing botocore model fails at start-up, not on the first call.
    load_service(SERVICE_NAME)
    return Service.for_provider(LexRuntimeV2Provider(), dispatch_table_factory=_dispatch_table)


@hooks.on_infra_start()
def route_lex_runtime_paths():
    """`lex`-signed requests on runtime session paths go to lexv2-runtime (see module docstring)."""
    from localstack.aws.protocol import service_router
    from localstack.aws.spec import ServiceModelIdentifier

    if getattr(service_router.custom_signing_name_rules, "_lexlogs_runtime", False):
        return
    original = service_router.custom_signing_name_rules

    def custom_signing_name_rules(signing_name: str, path: str):
        if signing_name == "lex" and RUNTIME_PATH.match(path.split("?", 1)[0]):
            return ServiceModelIdentifier(SERVICE_NAME)
        return original(signing_name, path)

    custom_signing_name_rules._lexlogs_runtime = True
    service_router.custom_signing_name_rules = custom_signing_name_rules


# ---- /_lexlogs/settings (only if the model side has not registered it) ----------------------

SETTINGS_PATH = "/_lexlogs/settings"


def _settings_endpoint(request, **_kwargs):
    from dataclasses import asdict, fields

    from rolo import Response

    if request.method == "GET":
        account = request.args.get("account")
        if not account:
            return Response(json.dumps({"error": "query parameter 'account' is required"}), 400)
        return asdict(settings.get(account))
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        return Response(json.dumps({"error": "body must be JSON"}), 400)
    account = body.pop("account", None)
    if not account:
        return Response(json.dumps({"error": "'account' is required"}), 400)
    known = {f.name: f.type for f in fields(settings.Settings)}
    unknown = sorted(set(body) - set(known))
    if unknown:
        return Response(json.dumps({"error": f"unknown settings: {unknown}"}), 400)
    return asdict(settings.update(account, **body))


@hooks.on_infra_start()
def register_settings_endpoint():
    from localstack.services.edge import ROUTER

    for rule in ROUTER.url_map.iter_rules():
        if rule.rule == SETTINGS_PATH:
            return  # the model side serves it
    ROUTER.add(SETTINGS_PATH, _settings_endpoint, methods=["GET", "POST"])


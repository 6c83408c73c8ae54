"""Validates a request against the constraints of the botocore service model, as AWS's front end
does before any handler runs, and answers AWS's `ValidationException` (HTTP 400).

AWS's message form (seen on Lex V2, e.g. aws/aws-sdk#342):
    1 validation error detected: Value 'DRAFT' at 'botVersion' failed to satisfy constraint:
    Member must satisfy regular expression pattern: ^[0-9]+$
and for several: "2 validation errors detected: <one>; <two>".

Checked, recursively through structures, lists and maps: required members ("Member must not be
null"), min/max length of strings, lists, maps and blobs, enums, patterns (whole-string match, as
Java's `Matcher.matches`), and numeric ranges. Paths name members as the wire does
(`conversationLogSettings.textLogSettings`); list items are `name.N.member` (1-based) and map values
`name.KEY.member` (the map form is assumed).
"""

import re
from functools import lru_cache

from botocore.model import Shape, StructureShape

from localstack.aws.api import CommonServiceException


class ValidationError(CommonServiceException):
    def __init__(self, message: str):
        super().__init__("ValidationException", message, status_code=400, sender_fault=True)


@lru_cache(maxsize=None)
def _pattern(pattern: str):
    try:
        return re.compile(pattern)
    except re.error:  # a Java-only construct: the check is skipped rather than wrongly failed
        return None


def _java_str(value) -> str:
    """Renders a value as AWS's (Java) messages do: lists `[a, b]`, maps `{k=v}`, booleans lower-case."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_java_str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java_str(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bytes):
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    return str(value)


def _number(n) -> str:
    if isinstance(n, float) and n.is_integer():
        n = int(n)
    return str(n)


def _fail(errors: list, value, path: str, constraint: str) -> None:
    shown = "null" if value is None else f"'{_java_str(value)}'"
    errors.append(f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}")


def _check(shape: Shape, value, path: str, errors: list) -> None:
    if value is None:
        return
    meta = shape.metadata
    kind = shape.type_name
    if kind in ("string", "blob", "list", "map"):
        length = len(value) if hasattr(value, "__len__") else None
        if length is not None:
            if "min" in meta and length < meta["min"]:
                _fail(errors, value, path, f"Member must have length greater than or equal to {_number(meta['min'])}")
            if "max" in meta and length > meta["max"]:
                _fail(errors, value, path, f"Member must have length less than or equal to {_number(meta['max'])}")
    if kind == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            _fail(errors, value, path, "Member must satisfy enum value set: [" + ", ".join(shape.enum) + "]")
        pattern = meta.get("pattern")
        if pattern:
            compiled = _pattern(pattern)
            if compiled is not None and compiled.fullmatch(value) is None:
                _fail(errors, value, path, f"Member must satisfy regular expression pattern: {pattern}")
    elif kind in ("integer", "long", "double", "float") and isinstance(value, (int, float)):
        if "min" in meta and value < meta["min"]:
            _fail(errors, value, path, f"Member must have value greater than or equal to {_number(meta['min'])}")
        if "max" in meta and value > meta["max"]:
            _fail(errors, value, path, f"Member must have value less than or equal to {_number(meta['max'])}")
    elif kind == "structure" and isinstance(value, dict):
        _check_structure(shape, value, path, errors)
    elif kind == "list" and isinstance(value, list):
        for i, item in enumerate(value, start=1):
            item_path = f"{path}.{i}.member"
            if item is None:
                _fail(errors, None, item_path, "Member must not be null")
            else:
                _check(shape.member, item, item_path, errors)
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            _check(shape.key, key, f"{path}.{key}.key", errors)
            if item is None:
                _fail(errors, None, f"{path}.{key}.member", "Member must not be null")
            else:
                _check(shape.value, item, f"{path}.{key}.member", errors)


def _check_structure(shape: StructureShape, value: dict, prefix: str, errors: list) -> None:
    required = set(shape.required_members)
    for name, member in shape.members.items():
        path = f"{prefix}.{name}" if prefix else name
        member_value = value.get(name)
        if member_value is None:
            if name in required:
                _fail(errors, None, path, "Member must not be null")
            continue
        _check(member, member_value, path, errors)


def errors_for(input_shape: StructureShape | None, request: dict) -> list[str]:
    """Every constraint the request breaks, in the model's member order."""
    if input_shape is None:
        return []
    errors: list[str] = []
    _check_structure(input_shape, request, "", errors)
    return errors


def message_for(errors: list[str]) -> str:
    noun = "error" if len(errors) == 1 else "errors"
    return f"{len(errors)} validation {noun} detected: " + "; ".join(errors)


def validate(input_shape: StructureShape | None, request: dict) -> None:
    """Raises AWS's ValidationException when the request breaks the service model's constraints."""
    errors = errors_for(input_shape, request)
    if errors:
        raise ValidationError(message_for(errors))

"""JSON from the network, parsed defensively: a size cap before parsing, a nesting-depth cap
(CPython's json raises RecursionError on deep input), no duplicate keys, no NaN or Infinity."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64


class JSONError(ValueError):
    """The document is not acceptable JSON; the message says why."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise JSONError(f"duplicate key {key[:64]!r}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise JSONError(f"{name} is not valid JSON")


def _depth(text: str) -> int:
    """The deepest nesting of [ and { outside strings, found without recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def loads(data: bytes | str, max_bytes: int, max_depth: int = MAX_DEPTH) -> Any:
    if len(data) > max_bytes:
        raise JSONError(f"the document is larger than {max_bytes} bytes")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise JSONError("the document is not UTF-8") from None
    if _depth(text) > max_depth:
        raise JSONError(f"the document nests deeper than {max_depth} levels")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except JSONError:
        raise
    except (ValueError, RecursionError) as exc:
        raise JSONError(f"the document is not valid JSON: {exc}") from None


def loads_object(data: bytes | str, max_bytes: int) -> dict[str, Any]:
    parsed = loads(data, max_bytes)
    if not isinstance(parsed, dict):
        raise JSONError("the document is not a JSON object")
    return parsed

"""JSON from the network, parsed defensively: a size cap before parsing, a nesting-depth cap
(CPython's json raises RecursionError on deep input), no duplicate keys, no NaN or Infinity."""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64


class JSONError(ValueError):
    """The document is not acceptable JSON; the message says why."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # in C; only a document with a duplicate pays for finding it
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise JSONError(f"duplicate key {key[:64]!r}")
            seen.add(key)
    return result


def _no_constants(name: str) -> Any:
    raise JSONError(f"{name} is not valid JSON")


# One decoder for every document (json.loads with options builds a new one per call).
_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constants)


# Only these characters matter for nesting; visiting them alone keeps the scan cheap.
_STRUCTURE = re.compile(r'[\[\]{}"\\]')


def _depth(text: str) -> int:
    """The deepest nesting of [ and { outside strings, found without recursion."""
    depth = deepest = 0
    in_string = False
    skip_at = -1
    for match in _STRUCTURE.finditer(text):
        position = match.start()
        if position == skip_at:  # the character after a backslash is escaped
            continue
        char = match.group()
        if char == "\\":
            skip_at = position + 1
        elif char == '"':
            in_string = not in_string
        elif in_string:
            continue
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads(data: bytes | str, max_bytes: int, max_depth: int = MAX_DEPTH) -> Any:
    if len(data) > max_bytes:
        raise JSONError(f"the document is larger than {max_bytes} bytes")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise JSONError("the document is not UTF-8") from None
    # Counting brackets is fast; only a document with more of them than the limit is scanned.
    if text.count("[") + text.count("{") > max_depth and _depth(text) > max_depth:
        raise JSONError(f"the document nests deeper than {max_depth} levels")
    try:
        return _DECODER.decode(text)
    except JSONError:
        raise
    except (ValueError, RecursionError) as exc:
        raise JSONError(f"the document is not valid JSON: {exc}") from None


def loads_object(data: bytes | str, max_bytes: int) -> dict[str, Any]:
    parsed = loads(data, max_bytes)
    if not isinstance(parsed, dict):
        raise JSONError("the document is not a JSON object")
    return parsed

from __future__ import annotations

import pytest

from fedi.core.jsonsafe import JSONError, loads, loads_object


def test_ordinary_documents_parse() -> None:
    assert loads_object(b'{"a": [1, 2, {"b": "x\\"[["}]}', 1000) == {"a": [1, 2, {"b": 'x"[['}]}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"[" * 10_000 + b"]" * 10_000, "nests deeper"),
        (b'{"a": 1, "a": 2}', "duplicate key"),
        (b'{"a": NaN}', "NaN is not valid"),
        (b'{"a": -Infinity}', "Infinity is not valid"),
        (b"\xff\xfe", "not UTF-8"),
        (b"{", "not valid JSON"),
        (b"[]", "not a JSON object"),
        (b'"string"', "not a JSON object"),
    ],
)
def test_hostile_documents_are_refused(document: bytes, message: str) -> None:
    with pytest.raises(JSONError, match=message):
        loads_object(document, 1_000_000)


def test_size_is_checked_before_parsing() -> None:
    with pytest.raises(JSONError, match="larger than"):
        loads(b" " * 101, 100)


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    assert loads('{"a": "' + "[" * 500 + '"}', 10_000, max_depth=2) == {"a": "[" * 500}

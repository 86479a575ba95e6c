"""Text for the full-text tables (SQLite FTS5, migration 0036; PostgreSQL tsvector): folded alike
when indexed and when searched, and a searcher's words turned into an FTS5 query (or its
PostgreSQL tsquery) that cannot carry its syntax."""

from __future__ import annotations

import re
import unicodedata

MAX_TERMS = 12  # words of a query used; more only cost time
# Vowel and cantillation marks of Arabic and Hebrew, and the Arabic stretching letter (tatweel):
# FTS5's unicode61 tokenizer cuts words at them, and they are rarely typed in a search.
_MARKS = dict.fromkeys(
    [*range(0x0591, 0x05C8), *range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0640, 0x0670,
     *range(0x06D6, 0x06EE)]
)  # fmt: skip
_HAS_WORD = re.compile(r"[^\W_]")


def fold(text: str) -> str:
    """Compatibility forms made plain (NFKC: Arabic presentation forms, full-width letters) and
    the marks above taken out; accents are left to the tokenizer (remove_diacritics 2)."""
    return unicodedata.normalize("NFKC", text).translate(_MARKS)


def without_diacritics(text: str) -> str:
    """What FTS5's remove_diacritics does, for PostgreSQL's 'simple' configuration, which keeps
    them: accents and other combining marks taken off (é is e)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


_QUOTED = re.compile(r'"((?:[^"]|"")*)"')


def tsquery_of(match: str) -> str:
    """The PostgreSQL tsquery (for to_tsquery('simple', ...)) of an FTS5 query made by
    match_of, a column filter before it or not: every word, the last also as a prefix."""
    words = [without_diacritics(w.replace('""', '"')) for w in _QUOTED.findall(match)]
    quoted = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words]
    if quoted and match.rstrip(")").endswith("*"):
        quoted[-1] += ":*"
    return " & ".join(quoted)


def match_of(query: str) -> str | None:
    """An FTS5 query finding every word of `query`, the last also as the start of a word, or
    None when it has no word. Each word is a quoted string, so that quotes, operators (AND, OR,
    NOT, NEAR), column filters, `*`, `^` and parentheses are only text to look for."""
    words = [w for w in fold(query).split() if _HAS_WORD.search(w)][:MAX_TERMS]
    if not words:
        return None
    quoted = ['"' + word.replace('"', '""') + '"' for word in words]
    return " ".join(quoted) + "*"

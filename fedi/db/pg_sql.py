"""The SQL of fedi/db, written for SQLite, as PostgreSQL reads it: translated once per distinct
statement (cached), so a query function runs unchanged on either database.

Placeholders: `?` becomes `%s`, `?NNN` and `:name` become `%(pNNN)s` and `%(name)s`; a `%` is
doubled, in string literals too (psycopg reads them all). Spellings that differ but mean the
same: `LIKE` is ILIKE (SQLite's LIKE ignores ASCII case), `a IS b` / `a IS NOT b` with b not
NULL is IS [NOT] DISTINCT FROM, scalar `max(a, b)` and `min(a, b)` are fedi_max() and fedi_min()
(migrations/postgresql/functions.sql: NULL if either is, as SQLite's; greatest() skips a NULL),
`instr` is strpos, `ifnull` coalesce, `group_concat` string_agg, `x GLOB 'pattern'` the regular
expression match of the pattern, the `temp.` schema is `pg_temp.`, and `INSERT OR IGNORE` is
`INSERT ... ON CONFLICT DO NOTHING`. SQLite's planner hints go (`INDEXED BY i`, `NOT INDEXED`,
and CROSS JOIN ... ON, which orders SQLite's joins, is a plain JOIN), and a subquery in FROM
without a name is given one, which PostgreSQL before 16 requires. Whatever else differs is
written per dialect where it is used (fedi.db.postgres.is_postgresql).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""(?P<text>'(?:[^']|'')*')
      | (?P<ident>"(?:[^"]|"")*")
      | (?P<comment>--[^\n]*)
      | (?P<numbered>\?\d+)
      | (?P<qmark>\?)
      | (?P<named>(?<!:):[A-Za-z_]\w*)
      | (?P<cast>::)
      | (?P<percent>%)
      | (?P<word>[A-Za-z_][\w.]*)
      | (?P<space>\s+)
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_RENAMED = {"instr": "strpos", "ifnull": "coalesce", "group_concat": "string_agg"}
_SCALAR = {"max": "fedi_max", "min": "fedi_min"}
_NOT_A_VALUE = {"NULL", "NOT", "TRUE", "FALSE", "DISTINCT"}


@dataclass(frozen=True)
class Statement:
    sql: str
    numbered: bool  # parameters given as a sequence go by name (p1, p2, ...)


_CACHE: dict[str, Statement] = {}


def translate(sql: str) -> Statement:
    found = _CACHE.get(sql)
    if found is None:
        found = _CACHE[sql] = _translate(sql)
    return found


# What a statement says for PostgreSQL only, in a comment SQLite skips: /*pg: FOR UPDATE ...*/;
# and for SQLite only, between two comments: /*sqlite*/ JOIN ... /*end*/.
_PG_ONLY = re.compile(r"/\*pg:(.*?)\*/", re.DOTALL)
_SQLITE_ONLY = re.compile(r"/\*sqlite\*/.*?/\*end\*/", re.DOTALL)


def _translate(sql: str) -> Statement:
    sql = _PG_ONLY.sub(r"\1", _SQLITE_ONLY.sub("", sql))
    tokens: list[str] = []
    kinds: list[str] = []
    numbered = False
    for match in _TOKEN.finditer(sql):
        kind, value = match.lastgroup or "other", match.group()
        if kind == "qmark":
            value = "%s"
        elif kind == "numbered":
            numbered, value = True, f"%(p{value[1:]})s"
        elif kind == "named":
            value = f"%({value[1:]})s"
        elif kind == "percent":
            value = "%%"
        elif kind == "text":
            value = value.replace("%", "%%")
        tokens.append(value)
        kinds.append(kind)
    _rewrite(tokens, kinds)
    return Statement("".join(tokens), numbered)


def _next_word(tokens: list[str], kinds: list[str], start: int) -> int | None:
    for index in range(start, len(tokens)):
        if kinds[index] == "word":
            return index
        if kinds[index] not in ("space", "comment"):
            return None
    return None


def _rewrite(tokens: list[str], kinds: list[str]) -> None:
    ignore_at: int | None = None
    for index, token in enumerate(tokens):
        if kinds[index] != "word":
            continue
        upper, lower = token.upper(), token.lower()
        if upper == "LIKE":
            tokens[index] = "ILIKE"
        elif upper == "GLOB" and index + 2 < len(tokens) and kinds[index + 2] == "text":
            tokens[index], tokens[index + 2] = "~", _regex_of(tokens[index + 2])
        elif lower.startswith("temp."):
            tokens[index] = "pg_temp." + token[5:]
        elif upper == "INDEXED":
            _without_hint(tokens, kinds, index)
        elif upper == "CROSS":
            _cross_join(tokens, kinds, index)
        elif upper in ("FROM", "JOIN"):
            _name_subquery(tokens, kinds, index)
        elif upper == "IS":
            _null_safe(tokens, kinds, index)
        elif upper == "OR" and ignore_at is None and _insert_or_ignore(tokens, kinds, index):
            ignore_at = index
        elif _opens_call(tokens, kinds, index):
            if lower in _RENAMED:
                tokens[index] = _RENAMED[lower]
                if lower == "group_concat" and _arguments(tokens, kinds, index) == 1:
                    _add_argument(tokens, kinds, index, "','")
            elif lower in _SCALAR and (count := _arguments(tokens, kinds, index)) > 1:
                if count > 2:
                    raise ValueError(f"scalar {lower}() of {count} values: nest two at a time")
                tokens[index] = _SCALAR[lower]
    if ignore_at is not None:
        _on_conflict_do_nothing(tokens, kinds)


_KEYWORDS = {"ON", "WHERE", "JOIN", "LEFT", "CROSS", "INNER", "GROUP", "ORDER", "LIMIT", "UNION",
             "USING", "NATURAL", "EXCEPT", "INTERSECT", "HAVING", "WINDOW", "OFFSET"}  # fmt: skip
_named = iter(range(1, 1 << 62))


def _without_hint(tokens: list[str], kinds: list[str], index: int) -> None:
    before = [i for i in range(index) if kinds[i] == "word"]
    if before and tokens[before[-1]].upper() == "NOT":
        tokens[before[-1]] = tokens[index] = ""
        return
    by = _next_word(tokens, kinds, index + 1)
    if by is not None and tokens[by].upper() == "BY":
        name = _next_word(tokens, kinds, by + 1)
        if name is not None:
            tokens[index] = tokens[by] = tokens[name] = ""


def _cross_join(tokens: list[str], kinds: list[str], index: int) -> None:
    join = _next_word(tokens, kinds, index + 1)
    if join is None or tokens[join].upper() != "JOIN":
        return
    table = _next_word(tokens, kinds, join + 1)
    after = None if table is None else _next_word(tokens, kinds, table + 1)
    if after is not None and tokens[after].upper() not in _KEYWORDS:
        after = _next_word(tokens, kinds, after + 1)  # the table's alias
    if after is not None and tokens[after].upper() == "ON":
        tokens[index] = ""


def _name_subquery(tokens: list[str], kinds: list[str], index: int) -> None:
    opening = index + 1
    while opening < len(tokens) and kinds[opening] == "space":
        opening += 1
    if opening >= len(tokens) or tokens[opening] != "(":
        return
    depth, closing = 0, None
    for position in range(opening, len(tokens)):
        if kinds[position] == "other":
            depth += {"(": 1, ")": -1}.get(tokens[position], 0)
            if depth == 0:
                closing = position
                break
    if closing is None:
        return
    after = closing + 1
    while after < len(tokens) and kinds[after] == "space":
        after += 1
    named = after < len(tokens) and kinds[after] == "word"
    if named and tokens[after].upper() not in _KEYWORDS:
        return
    tokens[closing] = f") AS _subquery{next(_named)}"


def _regex_of(glob: str) -> str:
    """The anchored regular expression of an SQL-quoted GLOB pattern (*, ?, [...])."""
    pattern, out, index = glob[1:-1].replace("''", "'"), "^", 0
    while index < len(pattern):
        char = pattern[index]
        if char == "*":
            out += ".*"
        elif char == "?":
            out += "."
        elif char == "[" and "]" in pattern[index + 1 :]:
            end = pattern.index("]", index + 2)
            out += pattern[index : end + 1]
            index = end
        else:
            out += re.escape(char)
        index += 1
    return "'" + (out + "$").replace("'", "''") + "'"


def _null_safe(tokens: list[str], kinds: list[str], index: int) -> None:
    after = _next_word(tokens, kinds, index + 1)
    negated = after is not None and tokens[after].upper() == "NOT"
    if negated and after is not None:
        after = _next_word(tokens, kinds, after + 1)
    if after is not None and tokens[after].upper() in _NOT_A_VALUE:
        return
    if negated:
        # IS NOT x: drop the NOT, which the replacement carries
        not_at = _next_word(tokens, kinds, index + 1)
        assert not_at is not None
        tokens[not_at] = ""
        tokens[index] = "IS DISTINCT FROM"
    else:
        tokens[index] = "IS NOT DISTINCT FROM"


def _insert_or_ignore(tokens: list[str], kinds: list[str], index: int) -> bool:
    before = [i for i in range(index) if kinds[i] == "word"]
    after = _next_word(tokens, kinds, index + 1)
    if not before or after is None or tokens[before[-1]].upper() != "INSERT":
        return False
    if tokens[after].upper() != "IGNORE":
        return False
    tokens[index] = tokens[after] = ""
    return True


def _on_conflict_do_nothing(tokens: list[str], kinds: list[str]) -> None:
    depth = 0
    for index, token in enumerate(tokens):
        if kinds[index] == "other":
            depth += {"(": 1, ")": -1}.get(token, 0)
        elif depth == 0 and kinds[index] == "word" and token.upper() == "RETURNING":
            tokens[index] = "ON CONFLICT DO NOTHING RETURNING"
            return
    while tokens and (kinds[-1] in ("space", "comment") or tokens[-1] == ";"):
        tokens.pop()
        kinds.pop()
    tokens.append(" ON CONFLICT DO NOTHING")
    kinds.append("word")


def _opens_call(tokens: list[str], kinds: list[str], index: int) -> bool:
    return index + 1 < len(tokens) and tokens[index + 1] == "("


def _arguments(tokens: list[str], kinds: list[str], index: int) -> int:
    """How many arguments the call opened at tokens[index + 1] has."""
    depth, count = 0, 1
    for position in range(index + 1, len(tokens)):
        piece = tokens[position]
        if kinds[position] != "other":
            continue
        if piece == "(":
            depth += 1
        elif piece == ")":
            depth -= 1
            if depth == 0:
                return count
        elif piece == "," and depth == 1:
            count += 1
    return count


def _add_argument(tokens: list[str], kinds: list[str], index: int, argument: str) -> None:
    depth = 0
    for position in range(index + 1, len(tokens)):
        if kinds[position] != "other":
            continue
        depth += {"(": 1, ")": -1}.get(tokens[position], 0)
        if depth == 0:
            tokens[position] = f", {argument})"
            return

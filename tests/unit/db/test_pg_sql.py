from __future__ import annotations

import pytest

from fedi.db.pg_sql import translate


@pytest.mark.parametrize(
    ("sqlite", "postgresql"),
    [
        ("SELECT a FROM t WHERE b = ? AND c LIKE '50%'",
         "SELECT a FROM t WHERE b = %s AND c ILIKE '50%%'"),
        ("SELECT ?1, ?2, ?1", "SELECT %(p1)s, %(p2)s, %(p1)s"),
        ("SELECT 'acct:x' WHERE a = :me", "SELECT 'acct:x' WHERE a = %(me)s"),
        ("SELECT 1 WHERE a IS ? AND b IS NOT :c AND d IS NULL AND e IS NOT NULL",
         "SELECT 1 WHERE a IS NOT DISTINCT FROM %s AND b IS DISTINCT FROM  %(c)s AND d IS NULL"
         " AND e IS NOT NULL"),
        ("SELECT max(a, b), min(c), instr(d, ':'), ifnull(e, 0), group_concat(f)",
         "SELECT fedi_max(a, b), min(c), strpos(d, ':'), coalesce(e, 0), string_agg(f, ',')"),
        ("INSERT OR IGNORE INTO t (a) VALUES (?)",
         "INSERT   INTO t (a) VALUES (%s) ON CONFLICT DO NOTHING"),
        ("INSERT OR IGNORE INTO t (a) VALUES (?) RETURNING a",
         "INSERT   INTO t (a) VALUES (%s) ON CONFLICT DO NOTHING RETURNING a"),
        ("SELECT 1 FROM a WHERE d GLOB '*:[0-9]*'", "SELECT 1 FROM a WHERE d ~ '^.*:[0-9].*$'"),
        ("SELECT x FROM a CROSS JOIN b ON b.id = a.id CROSS JOIN c",
         "SELECT x FROM a  JOIN b ON b.id = a.id CROSS JOIN c"),
        ("SELECT 1 FROM s INDEXED BY s_i WHERE 1 AND x IN (SELECT 1 FROM t NOT INDEXED)",
         "SELECT 1 FROM s    WHERE 1 AND x IN (SELECT 1 FROM t  )"),
        ("DELETE FROM temp.pending", "DELETE FROM pg_temp.pending"),
        ("SELECT x.id FROM a /*sqlite*/JOIN s x ON x.id IN/*end*//*pg: CROSS JOIN LATERAL*/"
         " (SELECT id FROM s LIMIT ?)/*pg: AS x(id)*/",
         "SELECT x.id FROM a  CROSS JOIN LATERAL (SELECT id FROM s LIMIT %s) AS x(id)"),
    ],
)  # fmt: skip
def test_sqlite_statements_read_the_same_on_postgresql(sqlite: str, postgresql: str) -> None:
    assert translate(sqlite).sql == postgresql


def test_a_subquery_in_from_is_given_a_name() -> None:
    translated = translate(
        "SELECT * FROM (SELECT a FROM t) UNION SELECT * FROM (SELECT b FROM u) v"
    )
    assert translated.sql.startswith("SELECT * FROM (SELECT a FROM t) AS _subquery")
    assert translated.sql.endswith("(SELECT b FROM u) v")


def test_numbered_parameters_are_named() -> None:
    assert translate("SELECT ?1").numbered and not translate("SELECT ?").numbered


def test_a_scalar_max_of_more_than_two_values_is_refused() -> None:
    # fedi_max takes two: nested, max(a, max(b, c)) keeps SQLite's NULL semantics.
    with pytest.raises(ValueError, match="nest two at a time"):
        translate("SELECT max(a, b, c)")
    assert translate("SELECT max(a, max(b, c))").sql == "SELECT fedi_max(a, fedi_max(b, c))"

"""SQL for instance_rules: the server's rules in the order administrators gave them."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.db.connection import Connection, Reader, Row


@dataclass(frozen=True)
class Rule:
    id: int
    text: str
    hint: str
    position: int


def _rule(row: Row) -> Rule:
    return Rule(id=row["id"], text=row["text"], hint=row["hint"], position=row["position"])


async def all_rules(conn: Reader) -> list[Rule]:
    cursor = await conn.execute(
        "SELECT id, text, hint, position FROM instance_rules ORDER BY position, id"
    )
    return [_rule(row) for row in await cursor.fetchall()]


def ordered_now(conn: Connection) -> list[Rule]:
    """The rules inside a write transaction (to renumber them)."""
    rows = conn.execute(
        "SELECT id, text, hint, position FROM instance_rules ORDER BY position, id"
    ).fetchall()
    return [_rule(row) for row in rows]


def insert(conn: Connection, rule_id: int, text: str, hint: str, now: str) -> None:
    conn.execute(
        "INSERT INTO instance_rules (id, text, hint, position, created_at, updated_at)"
        " VALUES (?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM instance_rules), ?, ?)",
        (rule_id, text, hint, now, now),
    )


def update(conn: Connection, rule_id: int, text: str, hint: str, now: str) -> int:
    return conn.execute(
        "UPDATE instance_rules SET text = ?, hint = ?, updated_at = ? WHERE id = ?",
        (text, hint, now, rule_id),
    ).rowcount


def set_position(conn: Connection, rule_id: int, position: int) -> None:
    conn.execute("UPDATE instance_rules SET position = ? WHERE id = ?", (position, rule_id))


def delete(conn: Connection, rule_id: int) -> int:
    return conn.execute("DELETE FROM instance_rules WHERE id = ?", (rule_id,)).rowcount

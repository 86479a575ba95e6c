"""The server's rules: administrators add, edit, reorder and delete them (each change audited in
its own transaction); the about page, the sign-up page and /api/v1/instance/rules read them."""

from __future__ import annotations

from typing import Literal

from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import instance_rules
from fedi.db.connection import Connection
from fedi.db.instance_rules import Rule
from fedi.moderation.audit import record

# Mastodon's limits on a rule's text and hint.
MAX_TEXT = 300
MAX_HINT = 2000
MAX_RULES = 100
Direction = Literal["up", "down"]


class RuleError(ValueError):
    """A rule that cannot be written; `code` names why (for pages), the message says it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def list_rules(context: Context) -> list[Rule]:
    async with context.db.read() as conn:
        return await instance_rules.all_rules(conn)


def _checked(text: str, hint: str) -> tuple[str, str]:
    text, hint = text.strip(), hint.strip()
    if not text:
        raise RuleError("blank", "a rule needs a text")
    if len(text) > MAX_TEXT:
        raise RuleError("text_too_long", f"a rule has at most {MAX_TEXT} characters")
    if len(hint) > MAX_HINT:
        raise RuleError("hint_too_long", f"a rule's explanation has at most {MAX_HINT} characters")
    return text, hint


def _audit(conn: Connection, actor: Account, action: str, rule_id: int, text: str,
           now: str, **details: object) -> None:  # fmt: skip
    record(conn, actor, action, target_type="rule", target_id=rule_id, target_label=text[:100],
           now=now, details=dict(details))  # fmt: skip


async def add_rule(context: Context, actor: Account, text: str, hint: str = "") -> int:
    text, hint = _checked(text, hint)
    now = to_db(utcnow())
    rule_id = new_id()

    def write(conn: Connection) -> None:
        if len(instance_rules.ordered_now(conn)) >= MAX_RULES:
            raise RuleError("too_many", f"a server has at most {MAX_RULES} rules")
        instance_rules.insert(conn, rule_id, text, hint, now)
        _audit(conn, actor, "create_rule", rule_id, text, now, hint=hint)

    await context.db.write(write)
    return rule_id


async def edit_rule(
    context: Context, actor: Account, rule_id: int, text: str, hint: str = ""
) -> bool:
    """Change a rule's text and hint; False when there is no such rule."""
    text, hint = _checked(text, hint)
    now = to_db(utcnow())

    def write(conn: Connection) -> bool:
        if not instance_rules.update(conn, rule_id, text, hint, now):
            return False
        _audit(conn, actor, "update_rule", rule_id, text, now, hint=hint)
        return True

    return await context.db.write(write)


async def move_rule(context: Context, actor: Account, rule_id: int, direction: Direction) -> bool:
    """Swap a rule with its neighbour above or below; the order is renumbered 1..n."""
    now = to_db(utcnow())

    def write(conn: Connection) -> bool:
        rules = instance_rules.ordered_now(conn)
        index = next((i for i, r in enumerate(rules) if r.id == rule_id), None)
        if index is None:
            return False
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rules):
            rules[index], rules[other] = rules[other], rules[index]
            for position, rule in enumerate(rules, start=1):
                instance_rules.set_position(conn, rule.id, position)
            moved = rules[other]
            _audit(conn, actor, "update_rule", rule_id, moved.text, now, moved=direction)
        return True

    return await context.db.write(write)


async def delete_rule(context: Context, actor: Account, rule_id: int) -> bool:
    now = to_db(utcnow())

    def write(conn: Connection) -> bool:
        rule = next((r for r in instance_rules.ordered_now(conn) if r.id == rule_id), None)
        if rule is None or not instance_rules.delete(conn, rule_id):
            return False
        _audit(conn, actor, "destroy_rule", rule_id, rule.text, now)
        return True

    return await context.db.write(write)

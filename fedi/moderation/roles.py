"""Changing a member's role (admin, moderator, member): administrators on the admin pages, the
operator with `fedi user role NAME ROLE`. Audited as `change_role`; a role taken away stops the
member's admin tokens and pages at their next request (fedi.moderation.staff is asked every
time)."""

from __future__ import annotations

from fedi.accounts.members import MemberError, get_member
from fedi.context import Context
from fedi.core.models import ROLES, Account, User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import admin_accounts
from fedi.db.connection import Connection
from fedi.moderation.audit import record


async def change_role(context: Context, actor: Account | None, username: str, role: str) -> User:
    """`actor` None is the command line."""
    if role not in ROLES:
        raise MemberError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    user = await get_member(context, username)
    if actor is not None and actor.id == user.account.id:
        raise MemberError("administrators cannot change their own role")
    if user.role == role:
        return user
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        admin_accounts.set_role(conn, user.account.id, role)
        record(
            conn, actor, "change_role", target_type="account", target_id=user.account.id,
            target_label=f"@{user.account.username}", now=now,
            details={"from": user.role, "to": role},
        )  # fmt: skip

    await context.db.write(write)
    return await get_member(context, username)

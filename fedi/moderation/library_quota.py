"""A space's library quota, set by an administrator (None: the instance's library_quota_mb),
recorded in the audit log in the same transaction."""

from __future__ import annotations

from fedi.context import Context
from fedi.core.models import Group, User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import library as library_rows
from fedi.db.connection import Connection
from fedi.moderation.audit import record
from fedi.moderation.staff import is_admin

MAX_QUOTA_MB = 1_000_000


class QuotaError(ValueError):
    """The quota cannot be set; the message says why."""


async def set_library_quota(
    context: Context, admin: User, group: Group, megabytes: int | None
) -> None:
    if not is_admin(admin):
        raise QuotaError("only administrators set a space's quota")
    if megabytes is not None and not 1 <= megabytes <= MAX_QUOTA_MB:
        raise QuotaError(f"a quota is from 1 to {MAX_QUOTA_MB} MB")
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        library_rows.set_quota_mb(conn, group.id, megabytes)
        record(
            conn, admin.account, "change_library_quota", target_type="group",
            target_id=group.id, target_label=f"@{group.account.username}", now=now,
            details={"quota_mb": megabytes},
        )  # fmt: skip

    await context.db.write(write)

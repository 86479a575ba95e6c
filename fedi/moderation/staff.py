"""Who may moderate this instance: administrators and moderators (users.role). Administrators
alone change roles, the federation mode and read the audit log."""

from __future__ import annotations

from fedi.core.models import User

STAFF_ROLES = ("admin", "moderator")


def is_staff(user: User | None) -> bool:
    return user is not None and user.role in STAFF_ROLES


def is_admin(user: User | None) -> bool:
    return user is not None and user.role == "admin"

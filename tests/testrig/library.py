"""Building blocks for library tests: a private space with a member and an outsider, and files
to upload into it."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.models import Group, User
from fedi.groups import moderation
from fedi.groups.groups import create_group
from fedi.relationships.relationships import follow


@dataclass(frozen=True)
class Space:
    group: Group
    olga: User  # the owner
    mia: User  # a member
    nils: User  # a member of the server, not of the space


async def private_space(context: Context, name: str = "casework") -> Space:
    olga = await add_member(context, "olga", "password-olga")
    mia = await add_member(context, "mia", "password-mia")
    nils = await add_member(context, "nils", "password-nils")
    group = await create_group(context, name, "olga", is_private=True, display_name="Casework")
    await follow(context, "mia", group.account)
    await moderation.approve(context, group, olga, mia.account.id)
    return Space(group, olga, mia, nils)

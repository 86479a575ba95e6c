"""Folders of a space's library: nested at most MAX_FOLDER_DEPTH deep, their names unique (case
aside) within their parent."""

from __future__ import annotations

from fedi.context import Context
from fedi.core import ids
from fedi.core.models import Account, Group
from fedi.core.timeutil import to_db, utcnow
from fedi.db import library as library_rows
from fedi.db.errors import INTEGRITY_ERRORS
from fedi.db.library import Folder
from fedi.library.documents import folder_of
from fedi.library.rules import MAX_FOLDER_DEPTH, NAME_LIMIT, LibraryError, is_member


async def create_folder(
    context: Context, group: Group, account: Account, name: str, parent_id: int | None
) -> Folder:
    if not await is_member(context, group, account):
        raise LibraryError("only the space's members add to its library", 403, "forbidden")
    name = " ".join(name.split()).strip("/\\")
    if not name:
        raise LibraryError("a folder needs a name", reason="name")
    if len(name) > NAME_LIMIT:
        raise LibraryError(f"a folder's name has at most {NAME_LIMIT} characters", reason="name")
    parent = await folder_of(context, group, parent_id)
    if parent is not None and parent.depth >= MAX_FOLDER_DEPTH:
        raise LibraryError(f"folders go at most {MAX_FOLDER_DEPTH} deep", reason="depth")
    folder_id = ids.new_id()
    now = to_db(utcnow())
    try:
        await context.db.write(
            lambda conn: library_rows.insert_folder(
                conn, folder_id, group.id, parent, name, account.id, now
            )
        )
    except INTEGRITY_ERRORS:
        raise LibraryError(
            "this folder already holds a folder of that name", reason="exists"
        ) from None
    found = await folder_of(context, group, folder_id)
    assert found is not None
    return found

"""What the inbox reads about a post before storing it: a stored status as inserted equals the
row read back (as_stored); presence() tells stored and tombstoned ids apart in one read, and
present_among() and is_present() agree with it."""

from __future__ import annotations

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import NewAttachment, NewStatus
from fedi.core.timeutil import to_db, utcnow
from fedi.db import status_ids, statuses

REMOTE = "https://elsewhere.example.org"


async def test_a_status_as_inserted_equals_the_row_read_back(context: Context) -> None:
    member = await add_member(context, "writer", "writer-password")
    new = NewStatus(
        id=new_id(), uri="https://elsewhere.example.org/notes/1", url=None,
        account_id=member.account.id, visibility="unlisted", content="<p>hi</p>",
        spoiler_text="careful", is_sensitive=True, language="en", is_local=False,
        created_at=to_db(utcnow()), object_type="Article", title="A title",
        in_reply_to_uri="https://elsewhere.example.org/notes/0",
        thread_uri="https://elsewhere.example.org/threads/0", mentions=(member.account.id,),
        tags=("tag",),
        attachments=(NewAttachment("image/png", f"{REMOTE}/a.png", "", None, 1, 2),),
    )  # fmt: skip
    await context.db.write(lambda conn: statuses.insert_status(conn, new))
    async with context.db.read() as conn:
        assert await statuses.get_by_id(conn, new.id) == statuses.as_stored(new)


async def test_presence_tells_stored_and_tombstoned_ids_apart(context: Context) -> None:
    member = await add_member(context, "writer", "writer-password")
    uri = "https://elsewhere.example.org/notes/2"
    async with context.db.read() as conn:
        assert await status_ids.presence(conn, uri) == (False, False)
    new = NewStatus(
        id=new_id(), uri=uri, url=None, account_id=member.account.id, visibility="public",
        content="<p>x</p>", spoiler_text="", is_sensitive=False, language=None, is_local=False,
        created_at=to_db(utcnow()),
    )  # fmt: skip
    await context.db.write(lambda conn: statuses.insert_status(conn, new))
    async with context.db.read() as conn:
        assert await status_ids.presence(conn, uri) == (True, False)
        stored = await statuses.get_by_id(conn, new.id)
    assert stored is not None
    now = to_db(utcnow())
    await context.db.write(lambda conn: statuses.delete_status(conn, stored, now))
    async with context.db.read() as conn:
        assert await status_ids.presence(conn, uri) == (False, True)
        assert await status_ids.present_among(conn, [uri, f"{REMOTE}/notes/3"]) == {uri}
    assert await context.db.write(lambda conn: status_ids.is_present(conn, uri))

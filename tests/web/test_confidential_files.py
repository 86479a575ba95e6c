"""The stored files of a members-only space (here a private group's post attachment) are served
to its members only, by session or by a token granting read, privately; anyone else gets the
404 of a file that does not exist. A public group's files keep their public caching. (Signed
fetches from other servers: tests/federation/test_library_across_instances.py.)"""

from __future__ import annotations

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.accounts.oauth import password_grant, register_app
from fedi.context import Context
from fedi.core.models import Group, User
from fedi.core.timeutil import to_db, utcnow
from fedi.core.urls import attachment_key
from fedi.db import media as media_rows
from fedi.groups import moderation
from fedi.groups.groups import create_group
from fedi.library.documents import Upload, upload_document
from fedi.media import media
from fedi.relationships.relationships import follow
from tests.testrig import documents
from tests.testrig.group_web import group_post, sign_in

MISSING = "/media/" + "A" * 32 + ".pdf"


@pytest.fixture
async def olga(context: Context) -> User:
    return await add_member(context, "olga", "password-olga")


@pytest.fixture
async def mia(context: Context) -> User:
    return await add_member(context, "mia", "password-mia")


@pytest.fixture
async def nils(context: Context) -> User:
    return await add_member(context, "nils", "password-nils")


async def posted_file(context: Context, author: User, group: Group, visibility: str) -> str:
    """A real PDF the author attached to a post belonging to the group; its URL path."""
    upload = await media.upload(
        context, author.account.id, documents.pdf("Witness list"), file_name="witnesses.pdf"
    )
    status = await group_post(context, author.account, group, "Files", visibility=visibility)  # type: ignore[arg-type]
    now = to_db(utcnow())
    await context.db.write(
        lambda conn: media_rows.attach(conn, author.account.id, status.id, [upload.id], now)
    )
    assert upload.file is not None
    return f"/media/{upload.file}"


@pytest.fixture
async def casework(context: Context, olga: User, mia: User) -> Group:
    group = await create_group(context, "casework", "olga", is_private=True)
    await follow(context, "mia", group.account)
    await moderation.approve(context, group, olga, mia.account.id)
    return group


async def token(context: Context, user: User, scope: str) -> dict[str, str]:
    app, secret = await register_app(context, "t", ["urn:ietf:wg:oauth:2.0:oob"], scope, None)
    issued = await password_grant(context, app, secret, user, scope)
    return {"Authorization": f"Bearer {issued.access_token}"}


async def test_a_private_groups_file_is_served_to_a_signed_in_member_privately(
    client: httpx.AsyncClient, context: Context, casework: Group, mia: User
) -> None:
    path = await posted_file(context, mia, casework, "direct")
    await sign_in(client, "mia", "password-mia")
    served = await client.get(path)
    assert served.status_code == 200
    assert served.content == documents.pdf("Witness list")
    assert served.headers["cache-control"] == "private, no-store"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "witnesses.pdf" in served.headers["content-disposition"]


async def test_a_private_groups_file_is_the_404_of_a_missing_file_for_anyone_else(
    client: httpx.AsyncClient, context: Context, casework: Group, mia: User, nils: User
) -> None:
    path = await posted_file(context, mia, casework, "direct")
    missing = await client.get(MISSING)
    anonymous = await client.get(path)
    assert anonymous.status_code == missing.status_code == 404
    assert anonymous.content == missing.content
    assert anonymous.headers == missing.headers
    await sign_in(client, "nils", "password-nils")  # a member of this server, not of the group
    outsider = await client.get(path)
    assert outsider.status_code == 404 and outsider.content == missing.content


async def test_a_private_groups_file_by_token_needs_a_members_token_granting_read(
    client: httpx.AsyncClient, context: Context, casework: Group, mia: User, nils: User
) -> None:
    path = await posted_file(context, mia, casework, "direct")
    member = await client.get(path, headers=await token(context, mia, "read"))
    assert member.status_code == 200
    assert member.headers["cache-control"] == "private, no-store"
    assert (await client.get(path, headers=await token(context, mia, "write"))).status_code == 404
    assert (await client.get(path, headers=await token(context, nils, "read"))).status_code == 404
    bogus = {"Authorization": "Bearer not-a-token"}
    assert (await client.get(path, headers=bogus)).status_code == 404


async def test_a_removed_member_no_longer_gets_the_file(
    client: httpx.AsyncClient, context: Context, casework: Group, mia: User, olga: User
) -> None:
    path = await posted_file(context, mia, casework, "direct")
    headers = await token(context, mia, "read")
    assert (await client.get(path, headers=headers)).status_code == 200
    await moderation.remove_member(context, casework, olga, mia.account.id)
    assert (await client.get(path, headers=headers)).status_code == 404


async def test_a_public_groups_file_keeps_its_public_caching(
    client: httpx.AsyncClient, context: Context, olga: User, mia: User
) -> None:
    forum = await create_group(context, "forum", "olga")
    path = await posted_file(context, mia, forum, "public")
    served = await client.get(path)
    assert served.status_code == 200
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_a_private_groups_file_stays_private_once_its_post_is_gone(
    client: httpx.AsyncClient, context: Context, casework: Group, mia: User
) -> None:
    path = await posted_file(context, mia, casework, "direct")
    now = to_db(utcnow())
    name = path.removeprefix("/media/")
    async with context.db.read() as conn:
        cursor = await conn.execute(
            "SELECT status_id FROM media_attachments WHERE file = ?", (name,)
        )
        row = await cursor.fetchone()
    assert row is not None
    await context.db.write(lambda conn: media_rows.detach_all(conn, row[0], now))
    assert (await client.get(path)).status_code == 404  # kept a day for a redraft, not public
    await sign_in(client, "mia", "password-mia")
    assert (await client.get(path)).status_code == 200


async def test_a_posts_file_comes_with_its_key_and_a_library_document_never_does(
    client: httpx.AsyncClient, context: Context, casework: Group, mia: User
) -> None:
    """Apps and members' servers fetch a post's images without credentials: the post carries
    its files' addresses with their key, which serves the file to whoever has the post. A key
    is worth one file, is no use for a library document, and a wrong one is the usual 404."""
    path = await posted_file(context, mia, casework, "direct")
    name = path.removeprefix("/media/")
    keyed = context.urls.attachment(name)
    assert keyed.startswith(f"{context.urls.base}/media/k/") and keyed.endswith(name)
    served = await client.get(keyed)
    assert served.status_code == 200 and served.content == documents.pdf("Witness list")
    assert served.headers["cache-control"] == "private, no-store"
    missing = await client.get(MISSING)
    for refused in (path, f"/media/k/{'A' * 22}/{name}",
                    f"/media/k/{attachment_key(b'another secret', name)}/{name}"):  # fmt: skip
        answer = await client.get(refused)
        assert (answer.status_code, answer.content) == (missing.status_code, missing.content)
    other = await posted_file(context, mia, casework, "direct")
    borrowed = keyed.removesuffix(name) + other.removeprefix("/media/")
    assert (await client.get(borrowed)).status_code == 404  # one file's key only
    document = await upload_document(
        context, casework, mia.account, Upload(documents.pdf("Budget"), "budget.pdf")
    )
    file_name = document.latest.file
    assert file_name is not None
    assert (await client.get(context.urls.attachment(file_name))).status_code == 404

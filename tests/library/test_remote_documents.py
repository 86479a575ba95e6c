"""Documents announced by a remote space, read strictly: only the space's own, on its own host
(its file too), within the size limit, and only while someone here is a member; a removal by
the space takes them away."""

from __future__ import annotations

from typing import Any

import pytest

from fedi.accounts.members import add_member
from fedi.activitypub.parse import InvalidActivity
from fedi.context import Context
from fedi.core.models import Account
from fedi.db import accounts
from fedi.library import documents
from fedi.library.remote import receive_document, receive_removal
from fedi.media.images import SIZE_LIMIT
from tests.testrig.group_web import remote_account
from tests.testrig.groups import accept_follow

SPACE = "https://groups.example.org/users/casework"


async def remote_space(context: Context, username: str = "casework") -> Account:
    account = await remote_account(context, username, "groups.example.org")
    await context.db.write(
        lambda conn: conn.execute(
            "UPDATE accounts SET actor_type = 'Group' WHERE id = ?", (account.id,)
        )
    )
    async with context.db.read() as conn:
        found = await accounts.get_by_id(conn, account.id)
    assert found is not None
    return found


def document(**changes: Any) -> dict[str, Any]:
    found = {
        "id": f"{SPACE}/library/1", "type": "Document", "attributedTo": SPACE, "context": SPACE,
        "name": "minutes.pdf", "title": "Minutes", "summary": "Signed", "language": "fr",
        "mediaType": "application/pdf", "size": 1234,
        "url": "https://groups.example.org/media/" + "a" * 32 + ".pdf",
    }  # fmt: skip
    return {k: v for k, v in (found | changes).items() if v is not None}


@pytest.fixture
async def space(context: Context) -> Account:
    group = await remote_space(context)
    mia = await add_member(context, "mia", "password-mia")
    await accept_follow(context, mia.account, group)
    return group


async def kept(context: Context, space: Account) -> list[str]:
    return [d.name for d in (await documents.listing(context, space, None)).documents]


async def test_a_members_space_document_is_kept_with_its_versions(
    context: Context, space: Account
) -> None:
    await receive_document(context, document(), space)
    await receive_document(context, document(), space)  # the same again: nothing new
    await receive_document(context, document(url=f"{SPACE}/media/v2.pdf", size=9), space)
    [found] = (await documents.listing(context, space, None)).documents
    assert (found.title, found.description, found.language) == ("Minutes", "Signed", "fr")
    assert found.version_count == 2 and found.latest.size == 9 and not found.is_local
    assert await receive_removal(context, document()["id"], space)
    assert await kept(context, space) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"attributedTo": "https://groups.example.org/users/olga"},
        {"context": "https://groups.example.org/users/other"},
        {"id": "https://elsewhere.example.org/library/1"},
        {"url": "https://elsewhere.example.org/file.pdf"},
        {"size": SIZE_LIMIT + 1},
        {"size": "12"},
        {"mediaType": None},
        {"name": "   "},
    ],
)
async def test_anything_else_is_refused(
    context: Context, space: Account, changes: dict[str, Any]
) -> None:
    with pytest.raises(InvalidActivity):
        await receive_document(context, document(**changes), space)
    assert await kept(context, space) == []


async def test_only_a_space_sends_documents_and_only_its_own(
    context: Context, space: Account
) -> None:
    person = await remote_account(context, "olga", "groups.example.org")
    with pytest.raises(InvalidActivity):
        await receive_document(
            context, document(attributedTo=person.uri, context=person.uri), person
        )
    await receive_document(context, document(), space)
    other = await remote_space(context, "other")
    await accept_follow(
        context, (await add_member(context, "nils", "password-nils")).account, other
    )
    taken = document(attributedTo=other.uri, context=other.uri)
    with pytest.raises(InvalidActivity):
        await receive_document(context, taken, other)  # another space's id
    assert not await receive_removal(context, document()["id"], other)
    assert await kept(context, space) == ["minutes.pdf"]


async def test_nothing_is_kept_for_a_space_nobody_here_joined(context: Context) -> None:
    lonely = await remote_space(context)
    await receive_document(context, document(), lonely)
    assert await kept(context, lonely) == []

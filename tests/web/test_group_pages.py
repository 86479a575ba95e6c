"""Group pages: a public group's posts for everyone; a private group's description only, unless
the visitor is a signed-in member; local-only groups only for members of this server; joining
and leaving; and the shared library as a page and as an ActivityPub collection."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.activitypub.vocab import ACTIVITY_JSON
from fedi.context import Context
from fedi.core.models import Account, Group, User
from fedi.db import group_pages
from fedi.db import groups as group_rows
from fedi.federation.signing import signer_for
from fedi.groups import moderation
from fedi.groups import settings as group_settings
from fedi.groups.groups import create_group
from fedi.relationships.relationships import follow
from tests.testrig.group_web import BROWSER, assert_translated, group_post, sign_in, submit
from tests.testrig.instances import federation, settle

AP = {"Accept": ACTIVITY_JSON}
LANGUAGES = ["en", "fr", "ar", "de", "pt"]
NOTICE = {
    "en": "Members-only group: only its description is public.",
    "fr": "Groupe réservé aux membres",
    "de": "Gruppe nur für Mitglieder",
    "pt": "Grupo só para membros",
    "ar": "مجموعة للأعضاء فقط",
}


@pytest.fixture
async def olga(context: Context) -> User:
    return await add_member(context, "olga", "password-olga")


@pytest.fixture
async def mia(context: Context) -> User:
    return await add_member(context, "mia", "password-mia")


@pytest.fixture
async def nils(context: Context) -> User:
    return await add_member(context, "nils", "password-nils")


@pytest.fixture
async def forum(context: Context, olga: User) -> Group:
    group = await create_group(context, "forum", "olga", display_name="Open forum")
    await group_settings.update_settings(
        context, group, olga, display_name="Open forum", description="Talk about anything"
    )
    return group


@pytest.fixture
async def casework(context: Context, olga: User, mia: User) -> Group:
    """A private group with mia as its member, one copy of her post with a report attached."""
    group = await create_group(context, "casework", "olga", is_private=True)
    await group_settings.update_settings(
        context, group, olga, display_name="Casework", description="Strategic litigation"
    )
    await follow(context, "mia", group.account)
    await moderation.approve(context, group, olga, mia.account.id)
    await group_post(
        context, group.account, group, "Secret case strategy", visibility="private",
        submitted_by=mia.account, files=[("application/pdf", "Case file")],
    )  # fmt: skip
    return group


def html_dir(page: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', page)
    assert match
    return match[1], match[2]


# -- profile pages -----------------------------------------------------------------------------


async def test_kept_post_cards_follow_every_change_and_language(
    client: httpx.AsyncClient, context: Context, forum: Group, mia: User
) -> None:
    """The public posts of a group page are kept rendered between visits (Pages.fragments):
    an edit, a new display name, another language and a new post show on the very next visit,
    and the moderators' own forms are never among what is kept."""
    await follow(context, "mia", forum.account)
    post = await group_post(context, mia.account, forum, "First words")
    assert "First words" in (await client.get("/@forum?lang=en", headers=BROWSER)).text
    await context.db.write(
        lambda conn: conn.execute(
            "UPDATE statuses SET content = '<p>Second words</p>' WHERE id = ?", (post.id,)
        )
    )
    await context.db.write(
        lambda conn: conn.execute(
            "UPDATE accounts SET display_name = 'Mia Renamed' WHERE id = ?", (mia.account.id,)
        )
    )
    page = (await client.get("/@forum?lang=en", headers=BROWSER)).text
    assert "Second words" in page and "First words" not in page and "Mia Renamed" in page
    await context.db.write(
        lambda conn: conn.execute(
            "UPDATE statuses SET edited_at = '2026-12-01T10:00:00+00:00' WHERE id = ?",
            (post.id,),
        )
    )
    assert ">Edited<" in (await client.get("/@forum?lang=en", headers=BROWSER)).text
    assert ">Modifiée<" in (await client.get("/@forum?lang=fr", headers=BROWSER)).text
    await group_post(context, mia.account, forum, "Newer words")
    assert "Newer words" in (await client.get("/@forum?lang=en", headers=BROWSER)).text
    await sign_in(client, "olga", "password-olga")  # the group's owner moderates it
    moderating = (await client.get("/@forum?lang=en", headers=BROWSER)).text
    assert "Second words" in moderating and "/@forum/manage/posts/remove" in moderating


@pytest.mark.parametrize("code", LANGUAGES)
async def test_public_group_page_shows_its_posts_in_each_language(
    client: httpx.AsyncClient, context: Context, forum: Group, mia: User, code: str
) -> None:
    await follow(context, "mia", forum.account)
    await group_post(context, mia.account, forum, "Hello forum")
    await group_post(context, mia.account, forum, "Only my followers", visibility="private")
    page = await client.get(f"/@forum?lang={code}", headers=BROWSER)
    assert page.status_code == 200
    assert html_dir(page.text) == (code, "rtl" if code == "ar" else "ltr")
    assert "Open forum" in page.text and "Talk about anything" in page.text
    assert "Hello forum" in page.text and "@mia@fedi.test" in page.text
    assert "Only my followers" not in page.text
    assert "/@forum/library" in page.text
    assert_translated(page.text, code)
    await sign_in(client, "mia", "password-mia")
    member = await client.get(f"/@forum?lang={code}", headers=BROWSER)
    assert_translated(member.text, code)
    library = await client.get(f"/@forum/library?lang={code}", headers=BROWSER)
    assert library.status_code == 200
    assert_translated(library.text, code)
    if code == "en":
        assert "Public group: its posts can be read by anyone." in page.text
        assert "1 member" in page.text


@pytest.mark.parametrize("code", LANGUAGES)
async def test_private_group_shows_only_its_description_to_visitors(
    client: httpx.AsyncClient, context: Context, casework: Group, nils: User, code: str
) -> None:
    page = await client.get(f"/@casework?lang={code}", headers=BROWSER)
    assert page.status_code == 200
    assert html_dir(page.text) == (code, "rtl" if code == "ar" else "ltr")
    assert NOTICE[code] in page.text
    assert_translated(page.text, code)
    assert "Strategic litigation" in page.text
    for hidden in ("Secret case strategy", "@mia@fedi.test", "@olga@fedi.test", "/library"):
        assert hidden not in page.text
    await sign_in(client, "nils", "password-nils")
    signed = await client.get(f"/@casework?lang={code}", headers=BROWSER)
    assert "Secret case strategy" not in signed.text and "@olga@fedi.test" not in signed.text
    assert "/@casework/join" in signed.text


async def test_private_group_member_sees_posts_and_the_member_who_wrote_them(
    client: httpx.AsyncClient, context: Context, casework: Group, mia: User
) -> None:
    await sign_in(client, "mia", "password-mia")
    page = await client.get("/@casework?lang=en", headers=BROWSER)
    assert "Secret case strategy" in page.text
    assert "@mia@fedi.test" in page.text  # the copy names its author
    assert "You are a member of this group." in page.text
    assert "/@casework/leave" in page.text and "/@casework/library" in page.text
    assert "/@casework/manage" not in page.text  # not a moderator


async def test_members_see_the_group_copy_not_the_submission_nor_direct_messages(
    client: httpx.AsyncClient, context: Context, casework: Group, mia: User
) -> None:
    original = await group_post(
        context, mia.account, casework, "Original submission", visibility="direct"
    )
    await group_post(
        context, casework.account, casework, "Group copy of it", visibility="private",
        submitted_by=mia.account, submission_uri=original.uri,
    )  # fmt: skip
    await group_post(context, mia.account, casework, "A direct message", visibility="direct")
    await sign_in(client, "mia", "password-mia")
    page = await client.get("/@casework?lang=en", headers=BROWSER)
    assert "Group copy of it" in page.text
    assert "Original submission" not in page.text and "A direct message" not in page.text


async def test_a_public_group_post_page_shows_public_posts_only(
    client: httpx.AsyncClient, context: Context, forum: Group, mia: User
) -> None:
    await follow(context, "mia", forum.account)
    shown = await group_post(context, forum.account, forum, "Welcome everyone")
    hidden = await group_post(context, forum.account, forum, "For followers", visibility="private")
    await sign_in(client, "mia", "password-mia")
    page = await client.get(f"/@forum/{shown.id}?lang=en", headers=BROWSER)
    assert page.status_code == 200 and "Welcome everyone" in page.text
    assert (await client.get(f"/@forum/{hidden.id}", headers=BROWSER)).status_code == 404


async def test_private_group_post_page_is_for_members_only(
    client: httpx.AsyncClient, context: Context, casework: Group, mia: User
) -> None:
    async with context.db.read() as conn:
        [copy] = await group_pages.posts_page(conn, casework.id, None, 5, members_view=True)
    anonymous = await client.get(f"/@casework/{copy.id}", headers=BROWSER)
    missing = await client.get(f"/@casework/{copy.id + 1}", headers=BROWSER)
    assert anonymous.status_code == missing.status_code == 404
    assert anonymous.text == missing.text.replace(str(copy.id + 1), str(copy.id))
    await sign_in(client, "mia", "password-mia")
    member = await client.get(f"/@casework/{copy.id}", headers=BROWSER)
    assert member.status_code == 200 and "Secret case strategy" in member.text


async def test_local_only_group_exists_only_for_signed_in_members_of_this_server(
    client: httpx.AsyncClient, context: Context, olga: User, nils: User
) -> None:
    await create_group(context, "shelter", "olga", is_private=True, is_local_only=True)
    for path in ("/@shelter", "/@shelter/library"):
        hidden = await client.get(path, headers=BROWSER)
        missing = await client.get(path.replace("shelter", "nogroupx"), headers=BROWSER)
        assert hidden.status_code == missing.status_code == 404
        assert hidden.text == missing.text.replace("nogroupx", "shelter")
    assert (await client.get("/@shelter", headers=AP)).status_code == 404
    await sign_in(client, "nils", "password-nils")
    page = await client.get("/@shelter?lang=en", headers=BROWSER)
    assert page.status_code == 200
    assert "nothing of it leaves this server" in page.text
    assert 'type="application/activity+json"' not in page.text


# -- joining and leaving -----------------------------------------------------------------------


async def test_join_and_leave_a_public_group(
    client: httpx.AsyncClient, context: Context, forum: Group, mia: User
) -> None:
    await sign_in(client, "mia", "password-mia")
    joined = await submit(client, "/@forum/join", {}, form_page="/@forum")
    assert joined.status_code == 303 and joined.headers["location"] == "/@forum"
    async with context.db.read() as conn:
        assert await group_rows.is_member(conn, forum.id, mia.account.id)
    page = await client.get("/@forum?lang=en", headers=BROWSER)
    assert "Leave the group" in page.text
    await submit(client, "/@forum/leave", {}, form_page="/@forum")
    async with context.db.read() as conn:
        assert await group_rows.membership(conn, forum.id, mia.account.id) is None


async def test_joining_a_private_group_sends_a_request_and_bans_hold(
    client: httpx.AsyncClient, context: Context, casework: Group, olga: User, nils: User
) -> None:
    await sign_in(client, "nils", "password-nils")
    await submit(client, "/@casework/join", {}, form_page="/@casework")
    page = await client.get("/@casework?lang=en", headers=BROWSER)
    assert "Request sent: a moderator will answer it." in page.text
    assert "Secret case strategy" not in page.text
    await moderation.ban(context, casework, olga, nils.account.id, "spam")
    banned = await client.get("/@casework?lang=en", headers=BROWSER)
    assert "You cannot join this group." in banned.text
    await submit(client, "/@casework/join", {}, form_page="/@casework")
    async with context.db.read() as conn:
        assert await group_rows.membership(conn, casework.id, nils.account.id) is None


async def test_join_needs_csrf_and_a_session(
    client: httpx.AsyncClient, context: Context, forum: Group, mia: User
) -> None:
    anonymous = await submit(client, "/@forum/join", {}, form_page="/auth/sign_in")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/auth/sign_in")
    await sign_in(client, "mia", "password-mia")
    forged = await client.post(
        "/@forum/join", data={"csrf_token": "x" * 30}, headers=BROWSER | {"Origin": "https://x"}
    )
    assert forged.status_code == 403
    async with context.db.read() as conn:
        assert await group_rows.membership(conn, forum.id, mia.account.id) is None


# -- the library -------------------------------------------------------------------------------


async def test_public_library_lists_documents_and_images_of_public_group_posts(
    client: httpx.AsyncClient, context: Context, forum: Group, mia: User
) -> None:
    await group_post(
        context, mia.account, forum, "Minutes",
        files=[("application/pdf", "Minutes of May"), ("video/mp4", "A video")],
    )  # fmt: skip
    await group_post(
        context, mia.account, forum, "Sheet",
        upload=("application/vnd.oasis.opendocument.spreadsheet", "Budget", 2_500_000),
    )  # fmt: skip
    await group_post(context, mia.account, forum, "Photo", files=[("image/jpeg", "Our meeting")])
    await group_post(
        context, mia.account, forum, "Hidden", visibility="private",
        files=[("application/pdf", "Followers only")],
    )  # fmt: skip
    page = await client.get("/@forum/library?lang=en", headers=BROWSER)
    assert page.status_code == 200
    for shown in ("Minutes of May", "Budget", "Our meeting", "2.5 MB", "Open forum"):
        assert shown in page.text, shown
    assert "A video" not in page.text and "Followers only" not in page.text
    assert "Mia" in page.text or "mia" in page.text
    arabic = await client.get("/@forum/library?lang=ar", headers=BROWSER)
    assert html_dir(arabic.text) == ("ar", "rtl")
    collection = await client.get("/users/forum/library", headers=AP)
    assert collection.json()["totalItems"] == 3
    first = (await client.get("/users/forum/library?page=true", headers=AP)).json()
    documents = first["orderedItems"]
    assert {d["type"] for d in documents} == {"Document"}
    minutes = next(d for d in documents if d["name"] == "Minutes of May")
    assert minutes["mediaType"] == "application/pdf"
    assert minutes["url"] == "https://files.example.org/0"
    assert minutes["context"].startswith("https://fedi.test/users/mia/statuses/")
    assert minutes["attributedTo"] == mia.account.uri


async def test_library_names_an_uploaded_document_by_its_original_file_name(
    client: httpx.AsyncClient, context: Context, forum: Group, mia: User
) -> None:
    await group_post(
        context, mia.account, forum, "Brief",
        upload=("application/pdf", "Draft for the hearing", 40_000),
    )  # fmt: skip
    await context.db.write(
        lambda conn: conn.execute(
            "UPDATE media_attachments SET file_name = 'brief <v2>.pdf' WHERE description = ?",
            ("Draft for the hearing",),
        )
    )
    page = await client.get("/@forum/library?lang=en", headers=BROWSER)
    assert "brief &lt;v2&gt;.pdf" in page.text and "brief <v2>" not in page.text
    assert "Draft for the hearing" in page.text
    first = (await client.get("/users/forum/library?page=true", headers=AP)).json()
    assert [d["name"] for d in first["orderedItems"]] == ["brief <v2>.pdf"]


async def test_private_library_page_is_for_members_only(
    client: httpx.AsyncClient, context: Context, casework: Group, nils: User
) -> None:
    missing = await client.get("/@nogroupx/library", headers=BROWSER)
    anonymous = await client.get("/@casework/library", headers=BROWSER)
    assert anonymous.status_code == missing.status_code == 404
    assert anonymous.text == missing.text.replace("nogroupx", "casework")
    await sign_in(client, "nils", "password-nils")
    outsider = await client.get("/@casework/library", headers=BROWSER)
    assert outsider.status_code == 404
    await sign_in(client, "mia", "password-mia")
    member = await client.get("/@casework/library?lang=en", headers=BROWSER)
    assert member.status_code == 200
    assert "Case file" in member.text and "application/pdf" in member.text
    assert "Mia" in member.text or "@mia" in member.text or "mia" in member.text
    assert "Only members of this group can see these files." in member.text


async def test_private_library_collection_needs_a_signed_fetch_by_a_reader(
    tmp_path: Path,
) -> None:
    async with federation(tmp_path, "groups", "home") as (g, h):
        olga = await add_member(g.ctx, "olga", "password-olga")
        bob = await add_member(h.ctx, "bob", "password-bob")
        carl = await add_member(h.ctx, "carl", "password-carl")
        group = await create_group(g.ctx, "casework", "olga", is_private=True)
        await group_settings.add_partner_domain(g.ctx, group, olga, h.domain)
        await follow(h.ctx, "bob", g.handle("casework"))
        await settle(g, h)
        async with g.ctx.db.read() as conn:
            [remote_bob] = await group_rows.members(conn, group.id, "pending")
        await moderation.approve(g.ctx, group, olga, remote_bob.id)
        await settle(g, h)
        await group_post(
            g.ctx, group.account, group, "Strategy", visibility="private",
            submitted_by=remote_bob, files=[("application/pdf", "Brief")],
        )  # fmt: skip
        url = f"{g.base}/users/casework/library?page=true"
        missing = f"{g.base}/users/nogroupx/library?page=true"

        async def fetch(target: str, signer: Account | None = None) -> tuple[int, bytes]:
            sign = signer_for(h.ctx, signer) if signer is not None else None
            response = await h.ctx.http.get(target, {"Accept": ACTIVITY_JSON}, sign=sign)
            return response.status, response.body

        assert await fetch(url) == await fetch(missing)  # unsigned: as if it did not exist
        assert (await fetch(url))[0] == 404
        assert await fetch(url, carl.account) == await fetch(missing, carl.account)
        status, body = await fetch(url, bob.account)
        assert status == 200 and b'"name":"Brief"' in body
        # Mastodon fetches as its instance actor when no member signs: a member's server may.
        assert (await fetch(url, h.ctx.instance_actor))[0] == 200
        await moderation.remove_member(g.ctx, group, olga, remote_bob.id)
        assert (await fetch(url, bob.account))[0] == 404
        assert (await fetch(url, h.ctx.instance_actor))[0] == 404


# -- moderators remove posts from the group's page ---------------------------------------------


async def test_moderator_removes_a_private_groups_post_from_its_page(
    client: httpx.AsyncClient, context: Context, casework: Group, mia: User, olga: User
) -> None:
    await sign_in(client, "mia", "password-mia")
    page = await client.get("/@casework?lang=en", headers=BROWSER)
    assert "Secret case strategy" in page.text
    assert "Remove from the group" not in page.text  # members are not moderators
    async with context.db.read() as conn:
        [copy] = await group_pages.posts_page(conn, casework.id, None, 5, members_view=True)
    refused = await submit(
        client, "/@casework/manage/posts/remove", {"status_id": str(copy.id)},
        form_page="/@casework",
    )  # fmt: skip
    assert refused.status_code == 404
    await sign_in(client, "olga", "password-olga")
    page = await client.get("/@casework?lang=fr", headers=BROWSER)
    assert "Retirer du groupe" in page.text
    done = await submit(
        client, "/@casework/manage/posts/remove",
        {"status_id": str(copy.id), "reason": "Off topic"}, form_page="/@casework",
    )  # fmt: skip
    assert done.status_code == 303
    async with context.db.read() as conn:
        assert await group_pages.posts_page(conn, casework.id, None, 5, members_view=True) == []
        entries = await group_rows.log_entries(conn, casework.id)
    assert any(e.action == "delete_post" and "Off topic" in e.detail for e in entries)


async def test_moderator_takes_a_post_out_of_a_public_group(
    client: httpx.AsyncClient, context: Context, forum: Group, mia: User, olga: User
) -> None:
    post = await group_post(context, mia.account, forum, "Off-topic advert")
    await sign_in(client, "olga", "password-olga")
    missing = await submit(
        client, "/@forum/manage/posts/remove", {"status_id": "12345"}, form_page="/@forum"
    )
    assert missing.status_code == 404
    done = await submit(
        client, "/@forum/manage/posts/remove", {"status_id": str(post.id)}, form_page="/@forum"
    )
    assert done.status_code == 303
    page = await client.get("/@forum?lang=en", headers=BROWSER)
    assert "Off-topic advert" not in page.text

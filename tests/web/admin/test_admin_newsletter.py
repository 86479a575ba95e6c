"""The newsletter: staff write an issue in several languages on /admin/newsletter (CSRF on every
form, audited), preview it with the public spaces' recent posts it gathers by itself (never a
members-only space's), and publish it as an Article of @newsletter; the archive, each issue in
the reader's language and the Atom feed show published issues only."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import httpx
import pytest

from fedi.accounts.members import add_member, get_member
from fedi.context import Context
from fedi.core.timeutil import utcnow
from fedi.db import audit_log, statuses
from fedi.events.events import create_event
from fedi.events.validation import EventDraft
from fedi.groups import moderation
from fedi.groups.groups import create_group
from fedi.newsletter.issues import get_issue
from fedi.relationships.relationships import follow
from tests.testrig.group_web import BROWSER, assert_translated, group_post, sign_in, submit
from tests.testrig.groups import queued

PATH = "/admin/newsletter"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
async def staff(context: Context) -> Context:
    await add_member(context, "ada", "ada-password", "admin")
    await add_member(context, "mo", "mo-password", "moderator")
    await add_member(context, "bea", "bea-password")
    return context


async def new_issue(client: httpx.AsyncClient) -> str:
    made = await submit(client, PATH, {}, form_page=PATH)
    assert made.status_code == 303
    found = re.fullmatch(r"/admin/newsletter/(\d+)\?done=created", made.headers["location"])
    assert found, made.headers["location"]
    return found[1]


def texts(**by_language: tuple[str, str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for code, (title, body) in by_language.items():
        fields[f"title_{code}"], fields[f"body_{code}"] = title, body
    return fields


async def test_only_staff_reach_the_newsletter_pages(
    staff: Context, client: httpx.AsyncClient
) -> None:
    anonymous = await client.get(PATH, headers=BROWSER)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/auth/")
    await sign_in(client, "bea", "bea-password")
    assert (await client.get(PATH, headers=BROWSER)).status_code == 403  # as every admin page
    await sign_in(client, "mo", "mo-password")
    page = await client.get(PATH, headers=BROWSER)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert 'href="/admin/newsletter"' in (await client.get("/admin", headers=BROWSER)).text
    # A form without its CSRF token changes nothing.
    refused = await client.post(PATH, data={"csrf_token": "forged"}, headers=BROWSER)
    assert refused.status_code == 403
    assert "Write a new issue" in (await client.get(PATH, headers=BROWSER)).text
    assert "Draft" not in (await client.get(PATH, headers=BROWSER)).text


async def test_staff_write_preview_and_publish_an_issue_in_two_languages(
    staff: Context, client: httpx.AsyncClient
) -> None:
    open_space = await create_group(staff, "casework", "ada", display_name="Casework")
    closed = await create_group(staff, "litigation", "ada", is_private=True)
    author = (await add_member(staff, "cai", "cai-password")).account
    await group_post(staff, author, open_space, "Hearing moved to Tuesday")
    await group_post(staff, author, closed, "Witness list for the closed hearing",
                     visibility="private")  # fmt: skip
    await follow(staff, "cai", closed.account)
    ada = await get_member(staff, "ada")
    await moderation.approve(staff, closed, ada, author.id)
    start = utcnow() + timedelta(days=10)
    for title, space in (("Monthly rights webinar", None), ("Closed strategy call", closed)):
        draft = EventDraft(title, "", start, start + timedelta(hours=1), "Europe/Paris", None,
                           "en", None, "open")  # fmt: skip
        await create_event(staff, author, draft, space.account if space else None)
    await sign_in(client, "mo", "mo-password")
    issue_id = await new_issue(client)
    edit = f"{PATH}/{issue_id}"
    half = await submit(client, edit, texts(en=("March", "")), form_page=edit)
    assert half.headers["location"] == f"{edit}?error=incomplete"
    saved = await submit(
        client, edit,
        texts(en=("News of March", "Our webinar is on the 12th. #webinar"),
              fr=("Nouvelles de mars", "Notre webinaire a lieu le 12.")),
        form_page=edit,
    )  # fmt: skip
    assert saved.headers["location"] == f"{edit}?done=saved"
    issue = await get_issue(staff, int(issue_id))
    assert issue is not None and sorted(issue.texts) == ["en", "fr"]

    preview = await client.get(f"{edit}/preview?lang=fr", headers=BROWSER)
    assert preview.status_code == 200 and preview.headers["cache-control"] == "private, no-store"
    assert "Nouvelles de mars" in preview.text and "Hearing moved to Tuesday" in preview.text
    assert "Witness list" not in preview.text  # never a members-only space's post
    assert "Monthly rights webinar" in preview.text  # coming events, public ones only
    assert "Closed strategy call" not in preview.text
    # Not public before it is published.
    assert (await client.get(f"/newsletter/{issue_id}", headers=BROWSER)).status_code == 404
    assert "News of March" not in (await client.get("/newsletter", headers=BROWSER)).text

    published = await submit(client, f"{edit}/publish", {}, form_page=edit)
    assert published.headers["location"] == f"{PATH}?done=published"
    again = await submit(client, edit, texts(en=("Changed", "Changed")), form_page=PATH)
    assert again.headers["location"] == f"{edit}?error=published"

    client.cookies.delete("session")
    archive = await client.get("/newsletter?lang=en", headers=BROWSER)
    assert archive.status_code == 200 and "News of March" in archive.text
    french = await client.get(f"/newsletter/{issue_id}?lang=fr", headers=BROWSER)
    assert french.status_code == 200 and "Notre webinaire a lieu le 12." in french.text
    assert 'lang="fr"' in french.text
    feed = await client.get("/newsletter.atom")  # the server's language, whatever the cookie
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert feed.headers["cache-control"] == "public, max-age=300"
    entries = ET.fromstring(feed.text).findall(f"{ATOM}entry")  # noqa: S314 (our own feed)
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["News of March"]
    assert "Witness list" not in feed.text
    french_text = (await client.get("/newsletter.atom?lang=fr")).text
    french_feed = ET.fromstring(french_text)  # noqa: S314 (our own feed)
    assert french_feed.findtext(f"{ATOM}entry/{ATOM}title") == "Nouvelles de mars"

    # The issue is an Article of @newsletter, sent to its followers.
    issue = await get_issue(staff, int(issue_id))
    assert issue is not None and issue.status_id is not None
    async with staff.db.read() as conn:
        status = await statuses.get_by_id(conn, issue.status_id)
        entries_log = await audit_log.entries(conn, limit=20)
    assert status is not None and status.object_type == "Article"
    assert status.title == "News of March" and status.visibility == "public"
    creates = [a for a in await queued(staff) if a.get("type") == "Create"]
    article = creates[-1]["object"]
    assert article["type"] == "Article" and article["name"] == "News of March"
    assert article["url"] == f"{staff.urls.base}/newsletter/{issue_id}"
    assert "Witness list" not in article["content"]
    assert "Monthly rights webinar" in article["content"]
    assert "Closed strategy call" not in article["content"]
    assert creates[-1]["actor"] == staff.urls.actor("newsletter")
    actions = [e.action for e in entries_log]
    assert {"create_newsletter_issue", "update_newsletter_issue",
            "publish_newsletter_issue"} <= set(actions)  # fmt: skip


async def test_a_draft_is_deleted_and_a_published_issue_stays(
    staff: Context, client: httpx.AsyncClient
) -> None:
    await sign_in(client, "ada", "ada-password")
    draft = await new_issue(client)
    gone = await submit(client, f"{PATH}/{draft}/delete", {}, form_page=f"{PATH}/{draft}")
    assert gone.headers["location"] == f"{PATH}?done=deleted"
    assert await get_issue(staff, int(draft)) is None
    assert (await client.get(f"{PATH}/{draft}", headers=BROWSER)).status_code == 404
    empty = await new_issue(client)
    refused = await submit(client, f"{PATH}/{empty}/publish", {}, form_page=f"{PATH}/{empty}")
    assert refused.headers["location"] == f"{PATH}/{empty}?error=empty"


async def test_the_newsletter_name_taken_by_a_member_stops_publishing(
    staff: Context, client: httpx.AsyncClient
) -> None:
    await add_member(staff, "newsletter", "squatter-password")
    await sign_in(client, "ada", "ada-password")
    issue_id = await new_issue(client)
    edit = f"{PATH}/{issue_id}"
    await submit(client, edit, texts(en=("Title", "Body")), form_page=edit)
    refused = await submit(client, f"{edit}/publish", {}, form_page=edit)
    assert refused.headers["location"] == f"{edit}?error=name_taken"
    issue = await get_issue(staff, int(issue_id))
    assert issue is not None and issue.published_at is None


@pytest.mark.parametrize("code", ["fr", "ar", "de", "pt"])
async def test_pages_render_translated(
    staff: Context, client: httpx.AsyncClient, code: str
) -> None:
    await sign_in(client, "ada", "ada-password")
    issue_id = await new_issue(client)
    for path in (PATH, f"{PATH}/{issue_id}", "/newsletter"):
        page = await client.get(f"{path}?lang={code}", headers=BROWSER)
        assert page.status_code == 200, path
        assert_translated(page.text, code)

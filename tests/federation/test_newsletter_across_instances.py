"""The newsletter between two full instances over real signed HTTP: a member of one server
follows @newsletter of the other, whose staff publish an issue; the member's server receives
it as an Article with its title, and the issue's page as its address."""

from __future__ import annotations

from pathlib import Path

from fedi.accounts.members import add_member
from fedi.db import accounts, follows, statuses
from fedi.newsletter.account import newsletter_account
from fedi.newsletter.issues import create_issue, issue_url, publish, save_issue
from fedi.relationships.relationships import follow
from tests.testrig.instances import federation, settle


async def test_a_member_elsewhere_follows_the_newsletter_and_receives_its_issues(
    tmp_path: Path,
) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        editor = await add_member(a.ctx, "ada", "ada-password", "admin")
        await add_member(b.ctx, "bob", "bob-password")
        newsletter = await newsletter_account(a.ctx)
        assert newsletter.actor_type == "Service"
        assert await follow(b.ctx, "bob", a.handle("newsletter")) == "pending"
        await settle(a, b)
        async with b.ctx.db.read() as conn:
            bob = await accounts.get_local_actor(conn, "bob")
            known = await accounts.get_by_uri(conn, newsletter.uri)
            assert bob is not None and known is not None
            state = await follows.get_follow(conn, bob.id, known.id)
        assert state is not None and state[2] == "accepted"

        issue_id = await create_issue(a.ctx, editor.account)
        await save_issue(a.ctx, editor.account, issue_id, {
            "en": ("Webinar on the 12th", "Register on the events page."),
            "pt": ("Webinário no dia 12", "Inscreva-se na página de eventos."),
        })  # fmt: skip
        article = await publish(a.ctx, editor.account, issue_id)
        await settle(a, b)

        async with b.ctx.db.read() as conn:
            received = await statuses.get_by_uri(conn, article.uri)
        assert received is not None
        assert received.object_type == "Article" and received.title == "Webinar on the 12th"
        assert received.url == issue_url(a.ctx, issue_id)
        assert "Register on the events page." in received.content
        delivered = [r for r in b.received if r.activity.get("type") == "Create"]
        assert delivered and delivered[-1].activity["object"]["type"] == "Article"

"""A private group's file fetched from another server: a GET signed by a member's own actor gets
it (privately), and so does a GET with the key its post carries; a GET signed by a non-member on
the member's server, by that server's instance actor, or not signed at all, gets the 404 of a
missing file."""

from __future__ import annotations

from pathlib import Path

from fedi.accounts.members import add_member
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import groups as group_rows
from fedi.db import media as media_rows
from fedi.federation.serialize import note_document
from fedi.federation.signing import signer_for
from fedi.groups import moderation
from fedi.groups import settings as group_settings
from fedi.groups.groups import create_group
from fedi.media import media
from fedi.relationships.relationships import follow
from fedi.transport.http import HttpResponse
from tests.testrig import documents
from tests.testrig.group_web import group_post
from tests.testrig.instances import Instance, federation, settle


async def fetch(h: Instance, url: str, signer: Account | None = None) -> HttpResponse:
    sign = signer_for(h.ctx, signer) if signer is not None else None
    return await h.ctx.http.get(url, {"Accept": "*/*"}, sign=sign)


async def test_a_private_groups_file_goes_to_a_members_signed_fetch_only(tmp_path: Path) -> None:
    async with federation(tmp_path, "groups", "home") as (g, h):
        olga = await add_member(g.ctx, "olga", "olga-password")
        bob = await add_member(h.ctx, "bob", "bob-password")
        carl = await add_member(h.ctx, "carl", "carl-password")
        group = await create_group(g.ctx, "casework", "olga", is_private=True)
        await group_settings.add_partner_domain(g.ctx, group, olga, h.domain)
        await follow(h.ctx, "bob", g.handle("casework"))
        await settle(g, h)
        async with g.ctx.db.read() as conn:
            [remote_bob] = await group_rows.members(conn, group.id, "pending")
        await moderation.approve(g.ctx, group, olga, remote_bob.id)
        await settle(g, h)
        pdf = documents.pdf("Hearing plan")
        upload = await media.upload(g.ctx, olga.account.id, pdf, file_name="plan.pdf")
        post = await group_post(g.ctx, olga.account, group, "Plan", visibility="direct")
        now = to_db(utcnow())
        await g.ctx.db.write(
            lambda conn: media_rows.attach(conn, olga.account.id, post.id, [upload.id], now)
        )
        url = f"{g.base}/media/{upload.file}"
        missing = await fetch(h, f"{g.base}/media/{'A' * 32}.pdf")

        member = await fetch(h, url, bob.account)
        assert member.status == 200 and member.body == pdf
        assert member.headers["cache-control"] == "private, no-store"
        for refused in (
            await fetch(h, url),
            await fetch(h, url, carl.account),
            await fetch(h, url, h.ctx.instance_actor),
        ):
            assert (refused.status, refused.body) == (missing.status, missing.body) == (
                404, b"Not found\n",
            )  # fmt: skip
        # The post itself carries the file with its key: the members' servers (and apps) that
        # received it fetch the file without credentials, as Mastodon fetches media.
        note = await note_document(g.ctx, post, olga.account)
        [attached] = note["attachment"]
        assert attached["url"].startswith(f"{g.base}/media/k/")
        assert attached["url"].endswith(f"/{upload.file}")
        keyed = await fetch(h, attached["url"])
        assert keyed.status == 200 and keyed.body == pdf
        assert keyed.headers["cache-control"] == "private, no-store"
        await moderation.remove_member(g.ctx, group, olga, remote_bob.id)
        assert (await fetch(h, url, bob.account)).status == 404

"""A remote Article or Page (a blog post, a Lemmy thread, WordPress) shows its title above its
text, and its summary (an abstract, not a warning) never turns into an empty content warning; a
remote post without `url` links to its id, as Mastodon's apps expect one."""

from __future__ import annotations

from fedi.db import statuses
from tests.testrig.rig import Rig, create, note


async def test_an_articles_title_shows_and_its_summary_is_no_warning(rig: Rig) -> None:
    actor = rig.example.actor("writer")
    article = note(
        actor, 1, type="Article", name="Monitoring report: March",
        summary="<p>What we documented this month.</p>",
        content="<p>The full report, in several sections.</p>",
        url=f"{actor.uri.rsplit('/users/', 1)[0]}/blog/march",
    )  # fmt: skip
    page = note(actor, 2, type="Page", name="About the network", content="<p>Who we are.</p>")
    page.pop("url", None)
    for n, obj in enumerate((article, page), start=1):
        assert (await rig.post(actor, create(actor, obj, n))).status_code == 202
    assert await rig.process() == 2
    async with rig.context.db.read() as conn:
        stored = [await statuses.get_by_uri(conn, o["id"]) for o in (article, page)]
    shown = []
    for status in stored:
        assert status is not None
        answer = await rig.client.get(f"/api/v1/statuses/{status.id}")
        assert answer.status_code == 200, answer.text
        shown.append(answer.json())
    first, second = shown
    assert first["content"].startswith("<p><strong>Monitoring report: March</strong></p>")
    assert "The full report" in first["content"]
    assert first["spoiler_text"] == "" and first["sensitive"] is False
    assert first["url"] == article["url"]
    assert second["content"].startswith("<p><strong>About the network</strong></p>")
    assert second["url"] == page["id"]  # no url: the id

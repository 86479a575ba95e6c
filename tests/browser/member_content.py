"""What a member's pages hold in the accessibility tests, set up through the feature functions
on the live server: posts of every kind a card shows (a poll, a content warning, a boost, a
mention, a reply), a bookmark and a favourite, a followed hashtag, a notification of each common
kind, a pending follow request (admin's account is locked), an instance rule, a document in
the group's library and a post scheduled for later (one with a content warning, in Arabic)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from fedi.accounts.members import get_member
from fedi.accounts.profiles import update_profile
from fedi.core.timeutil import to_db, utcnow
from fedi.db import bookmarks
from fedi.groups.groups import get_group
from fedi.library.documents import Upload, upload_document
from fedi.library.folders import create_folder
from fedi.moderation.instance_rules import add_rule
from fedi.relationships import tag_follows
from fedi.relationships.relationships import follow
from fedi.statuses.interactions import boost, favourite
from fedi.statuses.polls import PollRequest
from fedi.statuses.posting import post_status
from fedi.statuses.scheduled import schedule
from fedi.web.member.feeds import PAGE_SIZE
from tests.testrig.documents import pdf

if TYPE_CHECKING:
    from tests.browser.conftest import Site

DAY = 24 * 60 * 60


@dataclass(frozen=True)
class MemberContent:
    """The ids the member pages' paths need: `status` is a post of admin's, `document` one in
    the library of the group garden (with two versions, in a folder)."""

    status: int
    document: int
    folder: int


def add_member_content(site: Site, password: str) -> MemberContent:
    server, context = site.server, site.server.context
    run = server.run
    alice = run(get_member(context, "alice")).account
    admin = run(get_member(context, "admin"))
    alices_post = int(site.post_path.rsplit("/", 1)[1])
    # Admin's home: alice's posts (a poll, a content warning), a boost, admin's own posts.
    run(follow(context, "admin", alice))
    poll = PollRequest(("Tomatoes", "Beans", "Squash"), expires_in=DAY)
    for number in range(PAGE_SIZE):  # a page of them, and a link to the next one
        run(post_status(context, "alice", f"Seedling diary, day {number}: all is well."))
    run(post_status(context, "alice", "What shall we sow first?", poll=poll))
    run(
        post_status(
            context, "alice", "The slugs ate every lettuce overnight.",
            spoiler_text="Garden pests",
        )
    )  # fmt: skip
    run(boost(context, "admin", alices_post))
    own = run(post_status(context, "admin", "Planting the #garden beds this weekend."))
    run(post_status(context, "admin", "Bring gloves!", in_reply_to_id=alices_post))
    # Bookmarks, favourites and a followed hashtag.
    run(favourite(context, "admin", alices_post))
    now = to_db(utcnow())
    run(context.db.write(lambda c: bookmarks.add_bookmark(c, admin.account.id, alices_post, now)))
    run(tag_follows.follow(context, admin, "garden"))
    # Notifications: a follow, a favourite, a boost and a mention; then a follow request.
    run(follow(context, "alice", admin.account))
    run(favourite(context, "alice", own.id))
    run(boost(context, "alice", own.id))
    run(post_status(context, "alice", "@admin the seeds have arrived.", in_reply_to_id=own.id))
    server.add_member("bob", password)
    locked = run(update_profile(context, "admin", locked=True))  # and stays so
    assert run(follow(context, "bob", locked.account)) == "pending"
    # The group garden: alice joins it and writes to it, which the group shares.
    run(follow(context, "alice", f"@garden@{server.settings.domain}"))
    run(post_status(context, "alice", "@garden Who has spare bean seeds?"))
    # Admin's own poll, whose results admin sees.
    choices = PollRequest(("Saturday", "Sunday"), expires_in=DAY)
    run(post_status(context, "admin", "Which day for the work party?", poll=choices))
    run(add_rule(context, admin.account, "Be kind to each other.", "No insults."))
    # Posts admin scheduled for later, one in Arabic behind a content warning.
    later = (utcnow() + timedelta(days=2)).isoformat()
    run(schedule(context, admin, later, text="Harvest festival on Sunday!", visibility="public"))
    run(schedule(context, admin, later, text="مهرجان الحصاد يوم الأحد", visibility="unlisted",
                 spoiler_text="تذكير"))  # fmt: skip
    # The garden's library: a folder with a document in two versions (an Arabic name too).
    garden = run(get_group(context, "garden"))
    seeds = run(create_folder(context, garden, admin.account, "بذور", None))
    for text in ("Seed list", "Seed list, spring"):
        document = run(
            upload_document(
                context, garden, admin.account,
                Upload(pdf(text), "seeds.pdf", title="قائمة البذور", folder_id=seeds.id),
            )
        )  # fmt: skip
    return MemberContent(status=own.id, document=document.id, folder=seeds.id)

"""Filters judged with a screen that keeps, per status, whether any keyword matched: an edited
status, or one whose attachments changed, is searched afresh; the same status is not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from fedi.core.models import Attachment, Status, StatusDetails
from fedi.db.filters import Filter, Keyword
from fedi.statuses.batch import Batch
from fedi.statuses.timeline_rules import HIDDEN, SHOWN, ViewerRules, judge


def _status(content: str) -> Status:
    return Status(
        id=7, uri="https://rules.test/s/7", url=None, account_id=2, visibility="public",
        content=content, spoiler_text="", is_sensitive=False, language=None,
        in_reply_to_uri=None, created_at=datetime(2026, 1, 1, tzinfo=UTC), edited_at=None,
    )  # fmt: skip


def _batch(status: Status, details: StatusDetails | None = None) -> Batch:
    return Batch(None, {status.id: status}, {}, {}, {status.id: details or StatusDetails()})


def _rules() -> ViewerRules:
    kiwi = Filter(1, 1, "fruit", ("home",), "hide", None, (Keyword(1, 1, "kiwi", False),))
    return ViewerRules(1, frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), (kiwi,))


def test_a_changed_status_or_detail_is_searched_afresh() -> None:
    rules = _rules()
    plain = _status("<p>apples</p>")
    assert judge(_batch(plain), rules, plain, "home") == SHOWN
    assert judge(_batch(plain), rules, plain, "home") == SHOWN  # kept
    edited = replace(plain, content="<p>apples and a kiwi</p>")
    assert judge(_batch(edited), rules, edited, "home") == HIDDEN
    assert judge(_batch(plain), rules, plain, "home") == SHOWN
    described = StatusDetails(attachments=(Attachment(3, "image", "", "a kiwi", None, 1, 1),))
    assert judge(_batch(plain, described), rules, plain, "home") == HIDDEN
    assert judge(_batch(plain), rules, plain, "home") == SHOWN
    assert judge(_batch(plain), rules, plain, "public") == SHOWN  # no filter there

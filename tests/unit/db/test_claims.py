"""Queue claims with leases (fedi.db.claims and the queues' claim statements): a live claim is
never taken, a lapsed one is; an outcome is recorded only by the claim's holder; one lease per
loop."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fedi.core.timeutil import to_db
from fedi.db import (
    claims,
    connect,
    inbox_activities,
    mail_outbox,
    outbox_activities,
    push_deliveries,
    scheduled_statuses,
)
from fedi.db.inbox_activities import NewInboxRow, Outcome
from fedi.db.migrate import apply_migrations

T0 = datetime(2025, 1, 1, tzinfo=UTC)
LEASE = timedelta(seconds=60)
A, B = "host/1/a", "host/2/b"


def at(seconds: float) -> str:
    return to_db(T0 + timedelta(seconds=seconds))


def until(seconds: float) -> str:
    return to_db(T0 + timedelta(seconds=seconds) + LEASE)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(tmp_path / "db.sqlite3")
    apply_migrations(connection)
    connection.execute("PRAGMA foreign_keys=OFF")  # queue rows without their accounts
    connection.row_factory = None
    yield connection
    connection.close()


def receive(conn: sqlite3.Connection, *rows: tuple[int, str]) -> None:
    inbox_activities.insert_all(conn, [
        NewInboxRow(n, f"https://remote.test/a/{n}", actor, "Create", "{}", None, at(0))
        for n, actor in rows
    ])  # fmt: skip


def claim_inbox(conn: sqlite3.Connection, worker: str, now: float) -> list[int]:
    rows = inbox_activities.claim_due(conn, worker, at(now), until(now), 10)
    return [row.id for row in rows]


def test_a_live_claim_is_not_taken_and_a_lapsed_one_is(conn: sqlite3.Connection) -> None:
    receive(conn, (1, "ann"), (2, "bob"))
    assert claim_inbox(conn, A, 0) == [1, 2]
    assert claim_inbox(conn, B, 59) == []  # A's claim runs until 60
    assert claim_inbox(conn, B, 61) == [1, 2]  # A died: B takes its rows over
    assert claim_inbox(conn, A, 62) == []


def test_renewed_claims_stay_with_their_worker(conn: sqlite3.Connection) -> None:
    receive(conn, (1, "ann"))
    assert claim_inbox(conn, A, 0) == [1]
    claims.renew(conn, A, T0 + timedelta(seconds=40), until(40))
    assert claim_inbox(conn, B, 61) == []
    assert claim_inbox(conn, B, 101) == [1]


def test_only_the_holder_of_the_claim_records_the_outcome(conn: sqlite3.Connection) -> None:
    receive(conn, (1, "ann"))
    claim_inbox(conn, A, 0)
    claim_inbox(conn, B, 61)
    inbox_activities.record(conn, [Outcome(1, "failed", "late", worker=A)])  # A was only slow
    assert conn.execute("SELECT state, claimed_by FROM inbox_activities").fetchall() == [
        ("pending", B)
    ]
    inbox_activities.record(conn, [Outcome(1, "done", worker=B)])
    assert conn.execute(
        "SELECT state, claimed_by, claimed_until FROM inbox_activities"
    ).fetchall() == [("done", B, None)]
    assert claim_inbox(conn, A, 200) == []


def test_an_actor_runs_on_one_worker_at_a_time(conn: sqlite3.Connection) -> None:
    receive(conn, (1, "ann"))
    assert claim_inbox(conn, A, 0) == [1]
    receive(conn, (2, "ann"), (3, "bob"))
    assert claim_inbox(conn, B, 1) == [3]  # ann's next waits for A to finish hers
    inbox_activities.record(conn, [Outcome(1, "done", worker=A), Outcome(3, "done", worker=B)])
    assert claim_inbox(conn, B, 2) == [2]


def test_release_frees_what_a_stopping_worker_holds(conn: sqlite3.Connection) -> None:
    receive(conn, (1, "ann"))
    claim_inbox(conn, A, 0)
    claims.release(conn, A)
    assert claim_inbox(conn, B, 1) == [1]


def fan_out_one(conn: sqlite3.Connection, inboxes: int) -> None:
    outbox_activities.insert(conn, row_id=1, activity_uri="https://here.test/a/1", actor_id=7,
                             body={}, audience={}, now=at(0))  # fmt: skip
    [row] = outbox_activities.claim_pending(conn, A, at(0), until(0), 10)
    assert outbox_activities.claim_pending(conn, B, at(1), until(1), 10) == []
    deliveries: list[tuple[int, str, str, dict[str, str]]] = [
        (100 + i, f"https://h{i}.test/inbox", f"h{i}.test", {}) for i in range(inboxes)
    ]
    assert outbox_activities.fan_out(conn, row.id, deliveries, at(0), A)
    assert not outbox_activities.fan_out(conn, row.id, deliveries, at(0), B)


def test_deliveries_are_claimed_once_and_taken_over_when_lapsed(conn: sqlite3.Connection) -> None:
    fan_out_one(conn, 3)
    first = outbox_activities.claim_deliveries(conn, A, at(1), until(1), 2)
    assert [(d.id, d.actor_id) for d in first] == [(100, 7), (101, 7)]
    assert [d.id for d in outbox_activities.claim_deliveries(conn, B, at(2), until(2), 10)] == [102]
    outbox_activities.record_attempts(conn, at(3), done=[100], worker=A)  # then A dies
    taken = outbox_activities.claim_deliveries(conn, B, at(62), until(62), 10)
    assert [d.id for d in taken] == [101, 102]  # 100 went; 102 was B's, its claim lapsed too
    outbox_activities.record_attempts(conn, at(63), done=[101, 102], worker=B)
    outbox_activities.record_attempts(conn, at(64), failed=[(101, "late")], worker=A)
    assert conn.execute("SELECT DISTINCT state FROM deliveries").fetchall() == [("done",)]


def test_a_held_back_delivery_is_released_for_the_next_round(conn: sqlite3.Connection) -> None:
    fan_out_one(conn, 1)
    outbox_activities.claim_deliveries(conn, A, at(1), until(1), 10)
    outbox_activities.record_attempts(conn, at(2), released=[100], worker=A)
    assert [d.id for d in outbox_activities.claim_deliveries(conn, B, at(3), until(3), 9)] == [100]


def test_mail_is_claimed_by_one_worker(conn: sqlite3.Connection) -> None:
    mail_outbox.insert(conn, mail_outbox.NewMail(1, None, "a@b.test", "k", "s", b"m"), at(0))
    assert [m.id for m in mail_outbox.claim_due(conn, A, at(1), until(1), 10)] == [1]
    assert mail_outbox.claim_due(conn, B, at(2), until(2), 10) == []
    assert [m.id for m in mail_outbox.claim_due(conn, B, at(62), until(62), 10)] == [1]


def test_a_push_whose_worker_died_is_failed_not_sent_again(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO push_deliveries (id, subscription_id, notification_id, next_attempt_at,"
        " created_at) VALUES (1, 1, 1, ?, ?), (2, 1, 2, ?, ?)",
        (at(0), at(0), at(0), at(0)),
    )
    assert push_deliveries.claim(conn, [1, 2], A, until(0)) == [1, 2]
    assert push_deliveries.claim(conn, [1, 2], B, until(1)) == []
    push_deliveries.finish(conn, 2, "sent")
    assert push_deliveries.fail_lapsed(conn, at(30)) == 0
    assert push_deliveries.fail_lapsed(conn, at(61)) == 1
    assert conn.execute("SELECT id, state FROM push_deliveries ORDER BY id").fetchall() == [
        (1, "failed"), (2, "sent"),
    ]  # fmt: skip


def test_a_scheduled_post_left_publishing_is_abandoned_once_its_claim_lapsed(
    conn: sqlite3.Connection,
) -> None:
    conn.execute(
        "INSERT INTO scheduled_statuses (id, account_id, scheduled_at, params, created_at)"
        " VALUES (1, 1, ?, '{}', ?)",
        (at(0), at(0)),
    )
    assert scheduled_statuses.claim(conn, 1, A, until(0))
    assert not scheduled_statuses.claim(conn, 1, B, until(1))
    assert scheduled_statuses.abandon_interrupted(conn, at(30), lapsed_only=True) == []
    assert scheduled_statuses.abandon_interrupted(conn, at(61), lapsed_only=True) == [1]


def test_one_worker_holds_a_loop_lease_until_it_lapses(conn: sqlite3.Connection) -> None:
    assert claims.hold(conn, "poll-loop", A, T0, until(0))
    assert claims.hold(conn, "poll-loop", A, T0 + timedelta(seconds=20), until(20))  # kept
    assert not claims.hold(conn, "poll-loop", B, T0 + timedelta(seconds=79), until(79))
    assert claims.hold(conn, "poll-loop", B, T0 + timedelta(seconds=81), until(81))
    assert not claims.hold(conn, "poll-loop", A, T0 + timedelta(seconds=82), until(82))
    claims.release(conn, B)
    assert claims.hold(conn, "poll-loop", A, T0 + timedelta(seconds=83), until(83))


def test_a_server_alone_frees_what_its_last_run_held(conn: sqlite3.Connection) -> None:
    receive(conn, (1, "ann"))
    claim_inbox(conn, A, 0)
    claims.hold(conn, "digests", A, T0, until(0))
    claims.expire_all(conn, T0 + timedelta(seconds=1))
    assert claim_inbox(conn, B, 1) == [1]
    assert claims.hold(conn, "digests", B, T0 + timedelta(seconds=1), until(1))

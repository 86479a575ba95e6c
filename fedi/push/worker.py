"""The push worker: sends the queued pushes (push_deliveries, queued with each notification) to
the push services, one request per subscription and notification.

Each round takes the due pushes, skips those whose alert or policy is off or whose sender the
member hides, claims the rest (`sending`) in one transaction, then sends them, encrypted for
the app (fedi.push.encryption) and signed with the instance's VAPID key. Answers (push.md):
2xx sent; 413 sent again at once in the smaller kind-and-sender form, once; 408, 429, 5xx, a
redirect or a failed connection tried again later (Retry-After honoured) until the 48 h TTL runs
out; any other 4xx (404 and 410 above all) ends the subscription. A push `sending` carries its
worker's claim (fedi.db.claims), renewed while it works: `recover()`, run as the loop starts,
and each round fail what a stopped worker left `sending` (its claim lapsed), so that no push is
ever shown twice, however many workers share the queue.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from fedi.context import Context
from fedi.core.rounds import repeat
from fedi.core.timeutil import from_db, to_db, utcnow
from fedi.db import push_deliveries, push_subscriptions
from fedi.db.connection import Connection
from fedi.db.moderated import moderated_sender_clause
from fedi.db.mutes import hidden_sender_clause
from fedi.db.push_deliveries import Due
from fedi.db.push_subscriptions import Subscription
from fedi.push import payload, vapid
from fedi.push.encryption import EncryptionError, decode_b64, encrypt_aes128gcm, encrypt_aesgcm
from fedi.push.subscriptions import unseal
from fedi.transport.http import FetchError, HttpResponse

log = logging.getLogger(__name__)
BATCH = 50
INTERVAL = 2.0  # seconds between rounds that found nothing
TTL = timedelta(hours=48)  # Mastodon's; the push service keeps a message no longer
KEEP = timedelta(days=7)  # finished rows are forgotten after this
BASE = timedelta(seconds=30)
CEILING = timedelta(hours=4)
REQUEST_SECONDS = 10.0


@dataclass(frozen=True)
class Result:
    """What became of one push: sent, failed, retry (with the wait the service asked for), or
    gone (the subscription ended)."""

    delivery_id: int
    state: str
    error: str = ""
    retry_after: timedelta | None = None


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """The wait after the attempts-th failure: 30 s doubling up to 4 h, +-20 %."""
    plain: timedelta = min(BASE * 2 ** min(max(attempts - 1, 0), 16), CEILING)
    return plain * (rng or random).uniform(0.8, 1.2)


def retry_after(response: HttpResponse, now: datetime) -> timedelta | None:
    """Retry-After as seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    value = (response.headers.get("Retry-After") or "").strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when - now, timedelta(0)) if when.tzinfo else None


def allowed(subscription: Subscription, due: Due) -> bool:
    """The subscription's alert for the push's type is on and its policy lets the sender in."""
    if not subscription.alerts.get(payload.push_type(due.type), False):
        return False
    return {
        "all": True,
        "followed": due.member_follows_sender,
        "follower": due.sender_follows_member,
    }.get(subscription.policy, False)


class PushWorker:
    def __init__(self, context: Context, clock: Callable[[], datetime] = utcnow) -> None:
        self.context = context
        self.clock = clock

    async def recover(self) -> int:
        """Fail the pushes a stopped worker left mid-request (never sent twice)."""
        now = to_db(self.clock())
        return await self.context.db.write(lambda conn: push_deliveries.fail_interrupted(conn, now))

    async def run_once(self) -> int:
        """One batch of due pushes; returns how many were handled."""
        now = self.clock()
        # A push queued just now carries the wall clock's time: due at once whatever the clock.
        async with self.context.db.read() as conn:
            found = await push_deliveries.due(conn, to_db(max(now, utcnow())), BATCH)
            subscriptions = await push_subscriptions.get_many(
                conn, sorted({d.subscription_id for d in found})
            )
            # A subscription revoked since takes its pushes with it.
            found = [d for d in found if d.subscription_id in subscriptions]
            skipped = [
                d.id for d in found
                if not allowed(subscriptions[d.subscription_id], d)
                or not await push_deliveries.visible(conn, d.notification_id, self._hidden(d))
            ]  # fmt: skip

        worker, until = self.context.claims.worker, self.context.claims.until(now)
        stamp = to_db(now)

        def claim(conn: Connection) -> list[int]:
            push_deliveries.fail_lapsed(conn, stamp)  # a worker died mid-request
            for delivery_id in skipped:
                push_deliveries.finish(conn, delivery_id, "skipped")
            wanted = [d.id for d in found if d.id not in skipped]
            return push_deliveries.claim(conn, wanted, worker, until)

        claimed = set(await self.context.db.write(claim)) if found else set()
        by_subscription: dict[int, list[Due]] = {}
        for due in found:
            if due.id in claimed:
                by_subscription.setdefault(due.subscription_id, []).append(due)
        sent = await asyncio.gather(
            *(self._push_all(subscriptions[s], dues, now) for s, dues in by_subscription.items())
        )
        await self._record([r for results in sent for r in results], found, now)
        return len(found)

    def _hidden(self, due: Due) -> tuple[str, list[object]]:
        muted, muted_args = hidden_sender_clause(due.account_id, to_db(self.clock()))
        moderated, moderated_args = moderated_sender_clause(due.account_id)
        return muted + moderated, [*muted_args, *moderated_args]

    async def _push_all(
        self, subscription: Subscription, dues: list[Due], now: datetime
    ) -> list[Result]:
        """The subscription's pushes, one after another; after `gone` the rest go with it."""
        results = []
        for due in dues:
            result = await self._push_one(subscription, due, now)
            results.append(result)
            if result.state == "gone":
                break
        return results

    async def _push_one(self, subscription: Subscription, due: Due, now: datetime) -> Result:
        token = unseal(self.context, subscription)
        if token is None:
            return Result(due.id, "failed", "the access token cannot be opened")
        try:
            response = await self._send(subscription, due, token, now, shrunk=False)
            if response.status == 413:
                response = await self._send(subscription, due, token, now, shrunk=True)
                if response.status == 413:
                    return Result(due.id, "failed", "413 even in the smaller form")
        except EncryptionError as exc:
            return Result(due.id, "failed", str(exc))
        except FetchError as exc:
            return Result(due.id, "retry" if exc.retryable else "failed", str(exc))
        except TimeoutError:
            return Result(due.id, "retry", f"no answer within {REQUEST_SECONDS:g} s")
        status = response.status
        if 200 <= status < 300:
            return Result(due.id, "sent")
        if 400 <= status < 500 and status not in (408, 429):
            return Result(due.id, "gone", f"the push service answered {status}")
        return Result(due.id, "retry", f"the push service answered {status}",
                      retry_after(response, now))  # fmt: skip

    async def _send(
        self, subscription: Subscription, due: Due, token: str, now: datetime, *, shrunk: bool
    ) -> HttpResponse:
        settings = self.context.settings
        rendered = payload.render(due, token, self.context.urls, settings.default_locale,
                                  shrunk=shrunk)  # fmt: skip
        key = await vapid.vapid_key(self.context)
        signed = vapid.token(key, subscription.endpoint, vapid.subject_of(self.context), now)
        ua_public, auth = decode_b64(subscription.p256dh), decode_b64(subscription.auth)
        left = max(int((from_db(due.created_at) + TTL - now).total_seconds()), 0)
        headers = {"TTL": str(left), "Urgency": "normal",
                   "Content-Type": "application/octet-stream"}  # fmt: skip
        headers |= vapid.authorization(key, signed, subscription.is_standard)
        if subscription.is_standard:
            encrypted = encrypt_aes128gcm(rendered.data, ua_public, auth, rendered.size)
            headers["Content-Encoding"] = "aes128gcm"
        else:
            encrypted = encrypt_aesgcm(rendered.data, ua_public, auth, rendered.size)
            headers["Content-Encoding"] = "aesgcm"
            headers["Encryption"] = f"salt={encrypted.salt}"
            headers["Crypto-Key"] = f"dh={encrypted.dh};{headers['Crypto-Key']}"
        async with asyncio.timeout(REQUEST_SECONDS):
            return await self.context.http.post(subscription.endpoint, encrypted.body, headers)

    async def _record(self, results: list[Result], found: list[Due], now: datetime) -> None:
        if not results:
            return
        dues = {d.id: d for d in found}

        def record(conn: Connection) -> None:
            for result in results:
                due = dues[result.delivery_id]
                if result.state == "gone":
                    push_subscriptions.delete(conn, due.subscription_id)
                elif result.state == "retry":
                    wait = max(backoff(due.attempts + 1), result.retry_after or timedelta(0))
                    if now + wait > from_db(due.created_at) + TTL:
                        push_deliveries.finish(conn, due.id, "failed",
                                               f"{result.error}; its TTL ran out")  # fmt: skip
                    else:
                        push_deliveries.retry_at(conn, due.id, to_db(now + wait), result.error)
                else:
                    push_deliveries.finish(conn, due.id, result.state, result.error)
            push_deliveries.forget_before(conn, to_db(now - KEEP))

        await self.context.db.write(record)
        for result in results:
            due = dues[result.delivery_id]
            log.info("push of notification %d to subscription %d: %s %s", due.notification_id,
                     due.subscription_id, result.state, result.error)  # fmt: skip

    async def run(self, stop: asyncio.Event, interval: float = INTERVAL) -> None:
        await self.recover()
        await repeat(stop, self.run_once, name="push worker", interval=interval, full=BATCH)

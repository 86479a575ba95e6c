"""The mail worker: sends what the mail_outbox queue holds, and gathers notification mail.

Each round takes the due mails (oldest first, BATCH at most) and hands them to the sender of
the settings: one SMTP connection for the whole batch, or .eml files. A mail that went is
`sent` (or `written`); one that failed is tried again after a growing wait (1 minute doubling
to 6 hours, with jitter) and is `failed` for good after MAX_ATTEMPTS, or at once when the
server refused it for good (a 5xx); failed mails stay listed for administrators.
Each round claims its mails (fedi.db.claims), so that several workers share the queue; a mail
whose worker died before recording it goes again (once more at most per lapsed claim).
`run_once()` does one round (tests drive it with a clock); `run()` loops until stopped, woken
at once by context.wake.mail when a mail is queued.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from fedi.context import Context
from fedi.core.timeutil import from_db, to_db, utcnow
from fedi.db import mail_outbox, mail_tokens
from fedi.db.claims import claim, hold_lease
from fedi.db.connection import Connection
from fedi.db.mail_outbox import QueuedMail
from fedi.mail.notices import gather_notices
from fedi.mail.sender import FileSender, Outcome, SmtpSender

log = logging.getLogger(__name__)
BATCH = 50
INTERVAL = 30.0  # seconds between rounds when nothing wakes the worker
BASE = timedelta(minutes=1)
CEILING = timedelta(hours=6)
MAX_ATTEMPTS = 12  # about a day of trying
JITTER = 0.2
NOTICES_LEASE = "notification-mail"


class Sender(Protocol):
    async def send(self, mails: list[QueuedMail], now: datetime) -> list[Outcome]: ...


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """The wait after the attempts-th failure (from 1): 1 min, 2, 4 ... up to 6 h, +-20 %."""
    plain: timedelta = min(BASE * 2 ** min(max(attempts - 1, 0), 16), CEILING)
    return plain * (rng or random).uniform(1 - JITTER, 1 + JITTER)


def sender_for(context: Context, tls_context: ssl.SSLContext | None = None) -> Sender:
    if context.settings.smtp_host:
        return SmtpSender(context.settings, tls_context)
    return FileSender(context.settings)


class MailWorker:
    def __init__(
        self,
        context: Context,
        clock: Callable[[], datetime] = utcnow,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.context = context
        self.clock = clock
        self.sender = sender_for(context, tls_context)

    async def run_once(self) -> int:
        """Gather notification mail, then send one batch of due mail; returns how many mails
        were handled."""
        now = self.clock()
        # One worker at a time gathers, so that two never queue the same news twice.
        if await hold_lease(self.context.db, self.context.claims, NOTICES_LEASE):
            await gather_notices(self.context, now)
        # Mail queued just now carries the wall clock's time: due at once whatever the clock.
        now = max(now, utcnow())
        statement = mail_outbox.claim_due
        mails = await claim(self.context.db, self.context.claims, statement, BATCH, now)
        if not mails:
            return 0
        outcomes = await self.sender.send(mails, now)
        await self._record(mails, outcomes, now)
        return len(mails)

    async def _record(
        self, mails: list[QueuedMail], outcomes: list[Outcome], now: datetime
    ) -> None:
        attempts = {mail.id: mail.attempts for mail in mails}
        stamp = to_db(now)

        def record(conn: Connection) -> None:
            for outcome in outcomes:
                if outcome.state:
                    mail_outbox.mark_done(conn, outcome.mail_id, outcome.state, stamp,
                                          outcome.file_name)  # fmt: skip
                    continue
                tried = attempts[outcome.mail_id] + 1
                give_up = outcome.final or tried >= MAX_ATTEMPTS
                retry_at = None if give_up else to_db(now + backoff(tried))
                mail_outbox.mark_failed_attempt(conn, outcome.mail_id, outcome.error, retry_at)

        await self.context.db.write(record)
        for outcome in outcomes:
            if outcome.state:
                log.info("mail %d %s", outcome.mail_id, outcome.state)
            else:
                log.warning("mail %d not sent: %s", outcome.mail_id, outcome.error)

    async def _forget_expired_links(self) -> None:
        stamp = to_db(self.clock())
        await self.context.db.write(lambda conn: mail_tokens.delete_expired(conn, stamp))

    async def _wait(self, stop: asyncio.Event, interval: float) -> None:
        """Until stopped, woken, or the next retry is due (at most `interval`)."""
        async with self.context.db.read() as conn:
            next_at = await mail_outbox.next_due_at(conn)
        timeout = interval
        if next_at is not None:
            timeout = min(interval, max((from_db(next_at) - self.clock()).total_seconds(), 0.0))
        wake = self.context.wake.mail
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        wake.clear()

    async def run(self, stop: asyncio.Event, interval: float = INTERVAL) -> None:
        while not stop.is_set():
            try:
                busy = await self.run_once()
                await self._forget_expired_links()
            except Exception:  # the loop's top level: log and try again next round
                log.exception("mail worker round failed")
                busy = 0
            if busy >= BATCH:
                continue
            with contextlib.suppress(TimeoutError):
                await self._wait(stop, interval)

"""Event mail: a member's registration (accepted, with the event's calendar attached and the
meeting link; waiting for the organisers or on the waiting list; declined) and the reminders a
day and an hour before, in the member's language and time zone. An event that is not public (a
members-only space's, or one sent to followers only) is never described in a mail: the mail says
that there is news about an event and links to it, with no title, no link and no calendar
(security.md: nothing confidential in a mail). Only confirmed addresses get mail."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from fedi.context import Context
from fedi.core.models import Account
from fedi.db import accounts
from fedi.db import events as event_rows
from fedi.db.events import Event
from fedi.events.calendar import event_calendar
from fedi.events.views import views_of
from fedi.mail.message import Attachment
from fedi.mail.outbox import Mail, mail_member, recipient_of
from fedi.mail.render import locale_of

STATES = ("accepted", "pending", "waitlisted", "rejected")


def _(message: str) -> str:
    """Marks a subject for the catalogues; fedi.mail.outbox translates it for the recipient."""
    return message


def _when(event: Event, zone_name: str, language: str) -> str:
    """The event's start and end in the member's zone, written in their language."""
    try:
        zone = ZoneInfo(zone_name)
    except (KeyError, ValueError):
        zone = ZoneInfo(event.time_zone)
    start = format_datetime(event.starts_at, "full", tzinfo=zone, locale=language)
    end = format_datetime(event.ends_at, "short", tzinfo=zone, locale=language)
    return f"{start} \u2013 {end} ({zone.key})"  # an en dash between the two


async def _mail(context: Context, event: Event, account_id: int, kind: str, state: str) -> None:
    async with context.db.read() as conn:
        member = await accounts.get_by_id(conn, account_id)
        zone = await event_rows.time_zone_of(conn, account_id)
    recipient = await recipient_of(context, account_id)
    if member is None or not member.is_local or recipient is None:
        return
    language = locale_of(recipient.locale, context.settings.default_locale).code
    url = event.url or context.urls.event(event.id)
    params: dict[str, object] = {"kind": kind, "state": state, "event_url": url,
                                 "confidential": not event.is_public}  # fmt: skip
    attachments: tuple[Attachment, ...] = ()
    subject, subject_vars = _("News about an event"), {}
    if event.is_public:
        [view] = await views_of(context, [event], member)
        params |= {"title": event.title, "when": _when(event, zone or event.time_zone, language),
                   "online_url": view.online_url}  # fmt: skip
        subject_vars = {"title": event.title}
        if kind == "reminder":
            subject = _("Reminder: %(title)s")
        elif state == "accepted":
            subject = _("You are registered: %(title)s")
        else:
            subject = _("Your registration: %(title)s")
        if view.state == "accepted":
            calendar = event_calendar(view)  # with the link: the member is an accepted registrant
            attachments = (
                Attachment("event.ics", "text/calendar", calendar, {"method": "PUBLISH"}),
            )
    await mail_member(context, account_id, Mail(
        kind=f"event_{kind}", template="event", subject=subject, subject_vars=subject_vars,
        params=params, attachments=attachments,
    ), recipient=recipient)  # fmt: skip


async def mail_registration(context: Context, event: Event, account: Account, state: str) -> None:
    """Tell a local member where their registration stands (accepted, pending, waitlisted or
    rejected); any other state is no news."""
    if state in STATES and account.is_local:
        await _mail(context, event, account.id, "registration", state)


async def mail_reminder(context: Context, event: Event, account_id: int) -> None:
    await _mail(context, event, account_id, "reminder", "accepted")

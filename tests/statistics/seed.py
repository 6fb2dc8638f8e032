"""A small data set whose statistics are worked out by hand in the tests.

``NOW`` is Wednesday 18 March 2026, 15:00 UTC; the 7-day period is 12–18 March. Staff: Alice
(A), Bob (B), Carol (C). Tickets (created → closed), with their replies:

    T1  Thu 12 10:00 → 12:00 by A, Billing   user 10:00, A 10:10, B 10:30, A 11:00
    T2  Fri 13 09:00 → Mon 16 09:00 by B, Billing   user 09:00, B 09:05
    T3  Mon 16 08:00, open, Support           user 08:00, A 09:00, user 09:30
    T4  Wed 18 14:00, open, no category        user 14:00 (unanswered)
    T5  Tue 17 10:00 → Wed 18 10:00 (scheduled), Support   user 10:00, A's note 10:01, C 12:00
    T6  Sun 1 00:00 → Thu 12 08:00 by A, Billing   A 1 Mar 01:00, A 12 Mar 07:00
    T7  Sun 15 10:00, open, opened by staff, Billing   B 10:00
    T8  Sat 14 10:00, open, Secret (a category plain staff may not view)   user 10:00, A 10:20
    T9  1 Feb → 10 Feb by A, no message
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tickets.models import Ticket, TicketMessage
from tickets.services.first_response import refresh_first_responses

NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)
ALICE, BOB, CAROL = 930_000_000_000_000_111, 930_000_000_000_000_222, 930_000_000_000_000_333
NAMES = {ALICE: "alice", BOB: "bob", CAROL: "carol"}
SECRET = 900_000_000_000_001_001  # tests.api.conftest.SECRET_CATEGORY
BILLING, SUPPORT = 940_000_000_000_000_001, 940_000_000_000_000_002


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def ticket(
    number: int,
    created: datetime,
    *,
    closed: datetime | None = None,
    closed_by: str | None = None,
    category: tuple[int, str] | None = None,
    origin: str = Ticket.Origin.DM,
    messages: tuple[tuple[str, int | None, datetime], ...] = (),
) -> Ticket:
    """A ticket of user ``number`` with ``messages`` (kind, staff ID or None for the user, when)."""
    user_id = 950_000_000_000_000_000 + number
    row = Ticket.objects.create(
        user_id=user_id,
        user_name=f"customer{number}",
        status=Ticket.Status.CLOSED if closed else Ticket.Status.OPEN,
        closed_at=closed,
        closed_by=closed_by,
        category_id=category[0] if category else None,
        category_name=category[1] if category else None,
        origin=origin,
    )
    Ticket.objects.filter(pk=row.pk).update(created_at=created)  # auto_now_add
    for n, (kind, staff, when) in enumerate(messages, start=1):
        TicketMessage.objects.create(
            ticket=row,
            kind=kind,
            author_id=staff or user_id,
            author_name=NAMES.get(staff, f"customer{number}"),
            message_number=n if kind == "staff" else None,
            content=f"message {n}",
            created_at=when,
        )
    refresh_first_responses(Ticket.objects.filter(pk=row.pk))  # as the reply service records it
    return row


def seed() -> dict[str, Any]:
    """The nine tickets above."""
    billing, support, secret = (BILLING, "Billing"), (SUPPORT, "Support"), (SECRET, "Secret")
    user, staff, note = "user", "staff", "internal"
    return {
        "T1": ticket(
            1,
            at(12, 10),
            closed=at(12, 12),
            closed_by=str(ALICE),
            category=billing,
            messages=(
                (user, None, at(12, 10)),
                (staff, ALICE, at(12, 10, 10)),
                (staff, BOB, at(12, 10, 30)),
                (staff, ALICE, at(12, 11)),
            ),
        ),
        "T2": ticket(
            2,
            at(13, 9),
            closed=at(16, 9),
            closed_by=str(BOB),
            category=billing,
            messages=((user, None, at(13, 9)), (staff, BOB, at(13, 9, 5))),
        ),
        "T3": ticket(
            3,
            at(16, 8),
            category=support,
            messages=((user, None, at(16, 8)), (staff, ALICE, at(16, 9)), (user, None, at(16, 9, 30))),
        ),
        "T4": ticket(4, at(18, 14), messages=((user, None, at(18, 14)),)),
        "T5": ticket(
            5,
            at(17, 10),
            closed=at(18, 10),
            closed_by="scheduled",
            category=support,
            messages=((user, None, at(17, 10)), (note, ALICE, at(17, 10, 1)), (staff, CAROL, at(17, 12))),
        ),
        "T6": ticket(
            6,
            at(1, 0),
            closed=at(12, 8),
            closed_by=str(ALICE),
            category=billing,
            messages=((staff, ALICE, at(1, 1)), (staff, ALICE, at(12, 7))),
        ),
        "T7": ticket(
            7, at(15, 10), category=billing, origin=Ticket.Origin.STAFF, messages=((staff, BOB, at(15, 10)),)
        ),
        "T8": ticket(
            8,
            at(14, 10),
            category=secret,
            messages=((user, None, at(14, 10)), (staff, ALICE, at(14, 10, 20))),
        ),
        "T9": ticket(9, at(1, 0, month=2), closed=at(10, 0, month=2), closed_by=str(ALICE)),
    }


def recent_day(days_ago: int, hour: int, minute: int = 0, now: datetime | None = None) -> datetime:
    """``hour:minute`` UTC, ``days_ago`` days before today (UTC, the default ``TIME_ZONE``)."""
    from datetime import timedelta

    from django.utils import timezone

    today = (now or timezone.now()).astimezone(UTC).date() - timedelta(days=days_ago)
    return datetime(today.year, today.month, today.day, hour, minute, tzinfo=UTC)


def seed_recent() -> dict[str, Any]:
    """Four tickets of the last four days (before today, so the clock never moves them), for pages
    served by another process (whose clock cannot be set):

        R1  1 day ago 09:00 → 11:00 by A, Billing   user 09:00, A 09:15
        R2  2 days ago 10:00, open, Support          user 10:00, B 10:05, A 11:00
        R3  3 days ago 08:00 → 2 days ago 08:00 by B, Billing   user 08:00, A 09:00
        R4  4 days ago 12:00, open, no category      user 12:00 (unanswered)

    Over 7 days: first responses 5, 15 and 60 min (average 26 min 40 s, median 15 min);
    resolutions 2 h and 1 d (average and median 13 h); A 3 replies, 1 close, answered R1 in
    15 min, R2 and R3 in 1 h (median 1 h, average 45 min); B 1 reply (5 min), 1 close.
    """
    d = recent_day
    billing, support = (BILLING, "Billing"), (SUPPORT, "Support")
    return {
        "R1": ticket(
            101,
            d(1, 9),
            closed=d(1, 11),
            closed_by=str(ALICE),
            category=billing,
            messages=(("user", None, d(1, 9)), ("staff", ALICE, d(1, 9, 15))),
        ),
        "R2": ticket(
            102,
            d(2, 10),
            category=support,
            messages=(("user", None, d(2, 10)), ("staff", BOB, d(2, 10, 5)), ("staff", ALICE, d(2, 11))),
        ),
        "R3": ticket(
            103,
            d(3, 8),
            closed=d(2, 8),
            closed_by=str(BOB),
            category=billing,
            messages=(("user", None, d(3, 8)), ("staff", ALICE, d(3, 9))),
        ),
        "R4": ticket(104, d(4, 12), messages=(("user", None, d(4, 12)),)),
    }

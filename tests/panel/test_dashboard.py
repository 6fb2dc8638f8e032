"""The dashboard: bot block and controls, today's figures (median first response), the activity."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from panel.selectors.dashboard import latest_activity, median_first_response, start_of_today, today_figures
from tests.api.conftest import SECRET_CATEGORY
from tickets.models import SystemState, Ticket, TicketMessage
from tickets.services.botcontrol import bot_heartbeat

pytestmark = pytest.mark.django_db

Kind = TicketMessage.Kind
_users = iter(range(950_000_000_000_000_001, 960_000_000_000_000_000))


def ticket(
    *,
    opened: timedelta,
    replies: tuple[timedelta, ...] = (),
    closed: timedelta | None = None,
    category_id: int | None = None,
    notes: tuple[timedelta, ...] = (),
) -> Ticket:
    """A ticket opened ``opened`` ago, with staff replies (and internal notes) that long after its opening."""
    now = timezone.now()
    user_id = next(_users)
    created = Ticket.objects.create(
        user_id=user_id,
        user_name=f"user{user_id % 1000}",
        status=Ticket.Status.CLOSED if closed is not None else Ticket.Status.OPEN,
        closed_at=now - closed if closed is not None else None,
        category_id=category_id,
    )
    Ticket.objects.filter(pk=created.pk).update(created_at=now - opened)
    created.refresh_from_db()
    number = 0
    for kind, delays in ((Kind.STAFF, replies), (Kind.INTERNAL, notes)):
        for delay in delays:
            number += 1
            TicketMessage.objects.create(
                ticket=created,
                kind=kind,
                author_id=1,
                author_name="Staffer",
                content=f"reply {number}",
                created_at=created.created_at + delay,
                message_number=number if kind == Kind.STAFF else None,
            )
    return created


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def test_median_first_response_counts_first_staff_replies_of_today_only(guild) -> None:
    since = start_of_today()
    age = min(timezone.now() - since, timedelta(hours=3)) / 2  # opened today, whatever the hour
    ticket(opened=age, replies=(minutes(1), minutes(2)))  # first reply after 1 min (the second is ignored)
    ticket(opened=age, replies=(minutes(3),), notes=(minutes(0.5),))  # a note is not a reply: 3 min
    ticket(opened=age, replies=(minutes(10),))
    ticket(opened=age, replies=(minutes(30),))
    ticket(opened=age)  # not answered yet: left out
    ticket(opened=timedelta(days=3), replies=(minutes(5),))  # answered days ago: left out

    count, median = median_first_response(since=since)

    assert count == 4
    assert median == minutes(6.5)  # (3 + 10) / 2


def test_an_odd_count_takes_the_middle_and_hidden_categories_are_left_out(guild) -> None:
    since = start_of_today()
    age = min(timezone.now() - since, timedelta(hours=3)) / 2
    for delay in (1, 4, 9):
        ticket(opened=age, replies=(minutes(delay),))
    ticket(opened=age, replies=(minutes(0.1),), category_id=SECRET_CATEGORY)

    assert median_first_response(since=since) == (4, minutes(2.5))
    assert median_first_response(since=since, hidden=frozenset({SECRET_CATEGORY})) == (3, minutes(4))


def test_today_figures(guild, django_assert_max_num_queries) -> None:
    age = min(timezone.now() - start_of_today(), timedelta(hours=3)) / 2
    ticket(opened=age)
    ticket(opened=age, closed=age / 2, replies=(minutes(2),))
    ticket(opened=timedelta(days=2))
    ticket(opened=timedelta(days=2), closed=timedelta(days=1))
    ticket(opened=age, category_id=SECRET_CATEGORY)

    with django_assert_max_num_queries(3):
        figures = today_figures(hidden=frozenset({SECRET_CATEGORY}))

    assert (figures.open_tickets, figures.opened_today, figures.closed_today) == (2, 2, 1)
    assert (figures.answered_today, figures.median_first_response) == (1, minutes(2))


def test_latest_activity_merges_openings_closings_and_replies_newest_first(guild) -> None:
    old = ticket(opened=timedelta(hours=5), closed=timedelta(hours=1), replies=(minutes(10),))
    ticket(opened=timedelta(hours=2), category_id=SECRET_CATEGORY)

    items = latest_activity(hidden=frozenset({SECRET_CATEGORY}))

    assert [(item.kind, item.ticket_id) for item in items] == [
        ("closed", old.pk),
        ("staff_reply", old.pk),
        ("opened", old.pk),
    ]
    assert items[1].actor_name == "Staffer" and items[1].excerpt == "reply 1"


def test_the_dashboard_shows_the_bot_and_the_figures(client_for) -> None:
    bot_heartbeat(connected=True, latency_ms=42)
    ticket(opened=minutes(1))

    html = client_for("viewer").get("/panel").content.decode()

    assert 'data-state="running"' in html
    assert "42 ms" in html
    assert 'id="stat-open">1<' in html
    assert "opened a ticket" in html
    assert "/panel/bot/stop" not in html, "ViewPanel alone sees no bot control"


def test_bot_controls_for_managebot_holders(guild, user_for) -> None:
    from django.test import Client

    from tests.api.conftest import make_user, next_id

    client = Client()
    client.force_login(make_user(next_id(), grants=("ViewPanel", "ManageBot")))
    assert "/panel/bot/stop" in client.get("/panel").content.decode()

    response = client.post("/panel/bot/stop")
    assert (response.status_code, response["Location"]) == (302, "/panel")
    assert SystemState.load().desired_state == "stopped"

    fragment = client.post("/panel/bot/start", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "Bot is starting" in fragment.content.decode()
    assert SystemState.load().desired_state == "running"

    client.post("/panel/bot/presence", {"presence": "idle"})
    assert SystemState.load().presence == "idle"
    refused = client.post("/panel/bot/presence", {"presence": "sleepy"}, HTTP_HX_REQUEST="true")
    assert "Invalid status value" in refused.content.decode()
    assert SystemState.load().presence == "idle"


def test_the_bot_fragment_and_the_overview_fragment(client_for) -> None:
    client = client_for("viewer")
    bot = client.get("/panel/bot")
    assert bot.status_code == 200 and 'id="bot-status"' in bot.content.decode()
    overview = client.get("/panel/overview")
    assert overview.status_code == 200 and 'id="overview"' in overview.content.decode()
    assert client.post("/panel/bot/stop").status_code == 403

"""``/panel/tickets`` and ``/panel/tickets/<id>``: what they show, to whom, paging, and staff actions
through the bot's services (against the in-memory Discord of the ``guild`` fixture)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import CUSTOMER, INBOX, SECRET_CATEGORY, STAFF_ROLE, Guild, make_user, next_id
from tickets.models import (
    Attachment,
    MessageEdit,
    ScheduledClosure,
    Snippet,
    Ticket,
    TicketMessage,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
Kind = TicketMessage.Kind


def make_ticket(*, at: datetime = T0, messages: int = 0, **fields: Any) -> Ticket:
    defaults = {"user_id": next_id(), "user_name": "Username", "channel_id": next_id(), "category_id": INBOX}
    ticket = Ticket.objects.create(**{**defaults, **fields})
    Ticket.objects.filter(pk=ticket.pk).update(created_at=at, last_message_at=fields.get("last_message_at"))
    for number in range(messages):
        add_message(ticket, f"message {number}", at=at + timedelta(minutes=number))
    ticket.refresh_from_db()
    return ticket


def add_message(ticket: Ticket, content: str, *, kind: str = Kind.USER, at: datetime = T0, **fields: Any):
    staff = kind != Kind.USER
    return TicketMessage.objects.create(
        ticket=ticket,
        kind=kind,
        author_id=fields.pop("author_id", 42 if staff else ticket.user_id),
        author_name=fields.pop("author_name", "Mod" if staff else ticket.user_name),
        content=content,
        created_at=at,
        is_internal=kind == Kind.INTERNAL,
        **fields,
    )


def staff_client(*grants: str, discord_id: int | None = None) -> tuple[Client, int]:
    """A signed-in member of the staff role (who sees the Inbox category) holding ``grants``."""
    discord_id = discord_id or next_id()
    client = Client()
    client.force_login(make_user(discord_id, roles=(STAFF_ROLE,), grants=grants))
    return client, discord_id


@pytest.fixture
def viewer(guild: Guild) -> Client:
    return staff_client("ViewPanel")[0]


@pytest.fixture
def manager(guild: Guild) -> tuple[Client, int]:
    return staff_client("ViewPanel", "ManageTickets")


def row_names(html: str) -> list[str]:
    """User names of the list's rows, in order."""
    return re.findall(r'<a href="/panel/tickets/[0-9a-f-]+">([^<]+)</a>', html)


# --- the list ---------------------------------------------------------------------------------------
def test_the_list_shows_open_tickets_latest_activity_first(viewer: Client) -> None:
    make_ticket(user_name="quiet", at=T0)
    make_ticket(user_name="busy", at=T0 - timedelta(days=1), last_message_at=T0 + timedelta(hours=1))
    make_ticket(user_name="done", at=T0, status=Ticket.Status.CLOSED, closed_at=T0)

    html = viewer.get("/panel/tickets").content.decode()

    assert row_names(html) == ["busy", "quiet"]


def test_the_list_leaves_out_tickets_the_caller_may_not_see(viewer: Client) -> None:
    make_ticket(user_name="visible")
    make_ticket(user_name="secret", category_id=SECRET_CATEGORY)

    assert row_names(viewer.get("/panel/tickets?status=all").content.decode()) == ["visible"]


def test_a_row_shows_user_category_status_staff_and_counts(viewer: Client) -> None:
    handler = make_user(next_id(), roles=(STAFF_ROLE,))
    staff_id = int(handler.socialaccount_set.get().uid)
    ticket = make_ticket(
        user_name="alice", category_name="Inbox", taken_by=staff_id, label="billing", messages=3
    )

    html = viewer.get("/panel/tickets").content.decode()
    row = html[html.index(f'id="ticket-{ticket.pk}"') :]
    row = row[: row.index("</tr>")]

    assert "alice" in row and str(ticket.user_id) in row and "Inbox" in row
    assert "badge-open" in row and "billing" in row and handler.username in row
    assert '<td class="num hide-phone">3</td>' in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=closed", ["closed-one"]),
        ("status=all&sort=user&order=asc", ["bob", "closed-one", "zed"]),
        ("user=ZE", ["zed"]),
        ("staff=none", ["zed", "bob"]),
        ("category=777", []),
    ],
)
def test_the_list_filters(viewer: Client, query: str, expected: list[str]) -> None:
    make_ticket(user_name="bob", at=T0)
    make_ticket(user_name="zed", at=T0 + timedelta(minutes=1))
    make_ticket(user_name="closed-one", status=Ticket.Status.CLOSED, closed_at=T0)

    assert row_names(viewer.get(f"/panel/tickets?{query}").content.decode()) == expected


def test_the_list_filters_by_user_id_and_by_staff(viewer: Client) -> None:
    target = make_ticket(user_name="wanted")
    make_ticket(user_name="other", taken_by=900_000_000_000_001_234)

    assert row_names(viewer.get(f"/panel/tickets?user={target.user_id}").content.decode()) == ["wanted"]
    assert row_names(viewer.get("/panel/tickets?staff=900000000000001234").content.decode()) == ["other"]
    for other_digits in ("²" * 18, "９" * 18, "0900000000000001234"):
        assert viewer.get(f"/panel/tickets?staff={other_digits}").status_code == 200
        assert viewer.get(f"/panel/tickets?user={other_digits}").status_code == 200


def test_bad_filter_values_fall_back_to_their_defaults(viewer: Client) -> None:
    make_ticket(user_name="bob")

    response = viewer.get("/panel/tickets?status=nope&sort=x&order=y&category=abc&after=garbage&size=-3")

    assert response.status_code == 200
    assert row_names(response.content.decode()) == ["bob"]


def test_keyset_pages_walk_forward_and_back_without_gaps_or_repeats(viewer: Client) -> None:
    for n in range(7):
        make_ticket(user_name=f"u{n}", at=T0 + timedelta(minutes=n))
    seen: list[list[str]] = []
    url = "/panel/tickets?size=3"
    while url:
        html = viewer.get(url).content.decode()
        seen.append(row_names(html))
        found = re.search(r'href="(\?[^"]*after=[^"]*)" rel="next"', html)
        url = "/panel/tickets" + found.group(1).replace("&amp;", "&") if found else ""
    assert seen == [["u6", "u5", "u4"], ["u3", "u2", "u1"], ["u0"]]

    back = re.search(r'href="(\?[^"]*before=[^"]*)" rel="prev"', html).group(1).replace("&amp;", "&")
    assert row_names(viewer.get("/panel/tickets" + back).content.decode()) == ["u3", "u2", "u1"]


def test_the_list_costs_the_same_queries_whatever_the_page_size(viewer: Client) -> None:
    for n in range(30):
        make_ticket(user_name=f"u{n}", at=T0 + timedelta(minutes=n), messages=2, taken_by=1000 + n % 3)
    viewer.get("/panel/tickets")  # the caller's access is cached from here, as in a session

    counts = []
    for size in (5, 30):
        with CaptureQueriesContext(connection) as queries:
            assert viewer.get(f"/panel/tickets?size={size}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_list_fragment_is_the_list_alone_and_listens_for_events(viewer: Client) -> None:
    make_ticket(user_name="bob")

    html = viewer.get("/panel/tickets?fragment=list", HTTP_HX_REQUEST="true").content.decode()

    assert html.lstrip().startswith('<div id="tickets-list"') and "<html" not in html
    assert "rm:message.created from:body" in html and "rm:ticket.opened from:body" in html


def test_a_later_page_does_not_move_by_itself(viewer: Client) -> None:
    for n in range(3):
        make_ticket(user_name=f"u{n}", at=T0 + timedelta(minutes=n))
    first = viewer.get("/panel/tickets?size=2").content.decode()
    after = re.search(r'after=([^"&]+)', first).group(1)

    html = viewer.get(f"/panel/tickets?size=2&after={after}").content.decode()

    assert "rm:message.created" not in html


# --- one ticket ------------------------------------------------------------------------------------
def test_the_ticket_page_shows_the_conversation_as_staff_and_user_saw_it(viewer: Client) -> None:
    ticket = make_ticket(user_name="alice")
    add_message(ticket, "I need help", at=T0 + timedelta(minutes=1))
    add_message(
        ticket,
        "On it",
        kind=Kind.STAFF,
        at=T0 + timedelta(minutes=2),
        message_number=1,
        author_role="Moderator",
    )
    add_message(
        ticket,
        "Who is it?",
        kind=Kind.STAFF,
        at=T0 + timedelta(minutes=3),
        message_number=2,
        is_anonymous=True,
    )
    add_message(ticket, "check the logs", kind=Kind.INTERNAL, at=T0 + timedelta(minutes=4))
    edited = add_message(
        ticket, "new text", at=T0 + timedelta(minutes=5), edited_at=T0 + timedelta(minutes=6)
    )
    MessageEdit.objects.create(message=edited, before="old text", after="new text", edited_by=ticket.user_id)
    add_message(ticket, "oops", at=T0 + timedelta(minutes=7), deleted_at=T0 + timedelta(minutes=8))
    with_files = add_message(ticket, "files", at=T0 + timedelta(minutes=9))
    Attachment.objects.create(
        message=with_files,
        filename="shot.png",
        size=2048,
        content_type="image/png",
        url="https://cdn.example/shot.png",
    )
    Attachment.objects.create(
        message=with_files,
        filename="log.txt",
        size=10,
        content_type="text/plain",
        url="https://cdn.example/log.txt",
    )
    ScheduledClosure.objects.create(
        ticket=ticket, due_at=T0 + timedelta(hours=2), scheduled_by=42, silent=True
    )

    html = viewer.get(f"/panel/tickets/{ticket.pk}").content.decode()

    assert html.index("I need help") < html.index("On it") < html.index("check the logs")
    assert 'class="msg msg-user' in html and 'class="msg msg-staff' in html
    assert "#1</span>" in html and "Moderator" in html and "Anonymous" in html
    assert 'class="msg msg-internal' in html and "Internal note" in html
    assert '<details class="msg-edits">' in html and "old text" in html
    assert "<del>oops</del>" in html and "Deleted" in html
    # Neither file is stored yet: both are named with their size and state, never linked to Discord's
    # CDN (its URLs expire after about a day).
    assert "cdn.example" not in html
    assert "shot.png" in html and "2.0\xa0KB" in html and "Not fetched yet" in html
    assert "log.txt" in html and "10\xa0bytes" in html
    assert "Ticket opened by the user&#x27;s DM" in html or "Ticket opened by the user's DM" in html
    assert "scheduled a silent close" in html


def test_the_conversation_filters_by_kind_and_searches(viewer: Client) -> None:
    ticket = make_ticket()
    add_message(ticket, "from the user", at=T0 + timedelta(minutes=1))
    add_message(ticket, "a staff reply", kind=Kind.STAFF, at=T0 + timedelta(minutes=2), message_number=1)
    add_message(ticket, "a private note", kind=Kind.INTERNAL, at=T0 + timedelta(minutes=3))

    notes = viewer.get(f"/panel/tickets/{ticket.pk}?show=internal").content.decode()
    found = viewer.get(f"/panel/tickets/{ticket.pk}/messages?q=STAFF").content.decode()

    assert "a private note" in notes and "from the user" not in notes and "a staff reply" not in notes
    assert "a staff reply" in found and "from the user" not in found and "a private note" not in found


def test_a_hidden_or_unknown_ticket_is_refused(viewer: Client) -> None:
    secret = make_ticket(category_id=SECRET_CATEGORY)

    assert viewer.get(f"/panel/tickets/{secret.pk}").status_code == 403
    assert viewer.get(f"/panel/tickets/{secret.pk}/messages").status_code == 403
    assert viewer.get("/panel/tickets/00000000-0000-0000-0000-000000000000").status_code == 404
    assert viewer.get("/panel/tickets/not-a-ticket").status_code == 404


def test_a_long_conversation_opens_on_its_newest_page_and_loads_older_ones(viewer: Client) -> None:
    ticket = make_ticket(messages=130)

    html = viewer.get(f"/panel/tickets/{ticket.pk}").content.decode()
    newest = re.findall(r"message (\d+)\s*<", html)
    assert newest == [str(n) for n in range(70, 130)]
    older = re.search(r'hx-get="([^"]+before=[^"]+)"', html).group(1).replace("&amp;", "&")

    page = viewer.get(older).content.decode()
    assert re.findall(r"message (\d+)\s*<", page) == [str(n) for n in range(10, 70)]
    oldest = re.search(r'hx-get="([^"]+before=[^"]+)"', page).group(1).replace("&amp;", "&")
    last = viewer.get(oldest).content.decode()
    assert re.findall(r"message (\d+)\s*<", last) == [str(n) for n in range(0, 10)]
    assert "before=" not in last and "Ticket opened" in last


def test_the_live_tail_brings_only_what_came_after(viewer: Client) -> None:
    ticket = make_ticket(messages=3)
    html = viewer.get(f"/panel/tickets/{ticket.pk}").content.decode()
    cursor = re.findall(r'data-cursor="([^"]+)"', html)[-1]
    add_message(ticket, "brand new", at=T0 + timedelta(hours=1))

    tail = viewer.get(f"/panel/tickets/{ticket.pk}/messages?after={cursor}").content.decode()

    assert "brand new" in tail and "message 2" not in tail


def test_a_ticket_page_costs_the_same_queries_whatever_its_length(viewer: Client) -> None:
    short, long = make_ticket(messages=5), make_ticket(messages=80)
    for ticket in (short, long):
        for message in ticket.messages.all()[:3]:
            MessageEdit.objects.create(message=message, before="b", after="a", edited_by=1)
            Attachment.objects.create(message=message, filename="f.txt", size=1, url="https://cdn.example/f")
    viewer.get(f"/panel/tickets/{short.pk}")

    counts = []
    for ticket in (short, long):
        with CaptureQueriesContext(connection) as queries:
            assert viewer.get(f"/panel/tickets/{ticket.pk}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- actions ------------------------------------------------------------------------------------------
def test_a_viewer_sees_no_action_and_may_not_act(viewer: Client) -> None:
    ticket = make_ticket()

    html = viewer.get(f"/panel/tickets/{ticket.pk}").content.decode()

    assert "Send reply" not in html and "/take" not in html and "/close" not in html
    for action in ("reply", "note", "close", "close/cancel", "take", "release", "move"):
        assert viewer.post(f"/panel/tickets/{ticket.pk}/{action}", {"content": "x"}).status_code == 403


def open_ticket(guild: Guild, text: str = "Hello, I need help") -> Ticket:
    """A ticket opened by CUSTOMER's DM through the relay service (the in-memory Discord)."""
    from tickets import services

    dm = guild.discord.user_writes_dm(CUSTOMER, text)
    result = services.user_message_relay(
        user_id=CUSTOMER, user_name="customer", dm_message_id=dm.id, dm_channel_id=dm.channel_id, content=text
    )
    return Ticket.objects.get(pk=result.ticket.pk)


def test_a_reply_reaches_the_user_as_the_bot_command_sends_it(guild: Guild, manager) -> None:
    client, staff_id = manager
    ticket = open_ticket(guild)

    response = client.post(f"/panel/tickets/{ticket.pk}/reply", {"content": "We are on it"}, follow=True)

    assert "Reply #1 sent." in response.content.decode()
    reply = TicketMessage.objects.get(ticket=ticket, kind=Kind.STAFF)
    assert (reply.message_number, reply.author_id, reply.is_anonymous) == (1, staff_id, False)
    dms = guild.discord.dms(CUSTOMER)
    assert "We are on it" in dms[-1].text
    assert any("We are on it" in m.text for m in guild.discord.channel_messages(ticket.channel_id))


def test_an_anonymous_reply_with_a_snippet(guild: Guild, manager) -> None:
    client, _staff = manager
    ticket = open_ticket(guild)
    Snippet.objects.create(key="thanks", content="Thank you for waiting.", created_by=1)

    client.post(
        f"/panel/tickets/{ticket.pk}/reply", {"content": "Hi", "anonymous": "on", "snippet": "thanks"}
    )

    reply = TicketMessage.objects.get(ticket=ticket, kind=Kind.STAFF)
    assert reply.is_anonymous and reply.content == "Hi\nThank you for waiting."
    assert "Thank you for waiting." in guild.discord.dms(CUSTOMER)[-1].text


def test_a_refused_reply_keeps_its_text_and_sends_nothing(guild: Guild, manager) -> None:
    client, _staff = manager
    ticket = open_ticket(guild)
    before = len(guild.discord.dms(CUSTOMER))

    response = client.post(f"/panel/tickets/{ticket.pk}/reply", {"content": "see {{nosuch}}"})
    fragment = client.post(
        f"/panel/tickets/{ticket.pk}/reply", {"content": "see {{nosuch}}"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 400 and "Unknown snippet: nosuch" in response.content.decode()
    assert "see {{nosuch}}" in response.content.decode()
    assert (
        "Unknown snippet: nosuch" in fragment.content.decode()
        and "see {{nosuch}}" in fragment.content.decode()
    )
    assert not TicketMessage.objects.filter(ticket=ticket, kind=Kind.STAFF).exists()
    assert len(guild.discord.dms(CUSTOMER)) == before


def test_an_internal_note_goes_to_the_channel_and_never_to_the_user(guild: Guild, manager) -> None:
    client, staff_id = manager
    ticket = open_ticket(guild)
    before = len(guild.discord.dms(CUSTOMER))

    client.post(f"/panel/tickets/{ticket.pk}/note", {"content": "VIP customer"})

    note = TicketMessage.objects.get(ticket=ticket, kind=Kind.INTERNAL)
    assert note.author_id == staff_id and note.inbox_message_id
    assert any("VIP customer" in m.text for m in guild.discord.channel_messages(ticket.channel_id))
    assert len(guild.discord.dms(CUSTOMER)) == before


def test_take_release_and_scheduled_close_are_told_in_the_channel(guild: Guild, manager) -> None:
    client, staff_id = manager
    ticket = open_ticket(guild)

    client.post(f"/panel/tickets/{ticket.pk}/take")
    assert Ticket.objects.get(pk=ticket.pk).taken_by == staff_id
    fragment = client.post(f"/panel/tickets/{ticket.pk}/release", HTTP_HX_REQUEST="true").content.decode()
    assert Ticket.objects.get(pk=ticket.pk).taken_by is None
    assert 'id="ticket-side"' in fragment and "Nobody handles this ticket any more." in fragment

    client.post(f"/panel/tickets/{ticket.pk}/close", {"delay": "2h", "silent": "on"})
    closure = ScheduledClosure.objects.get(ticket=ticket, state=ScheduledClosure.State.PENDING)
    assert closure.silent and closure.scheduled_by == staff_id
    client.post(f"/panel/tickets/{ticket.pk}/close/cancel")
    assert not ScheduledClosure.objects.filter(ticket=ticket, state=ScheduledClosure.State.PENDING).exists()

    said = " ".join(m.text for m in guild.discord.channel_messages(ticket.channel_id))
    assert f"<@{staff_id}> now handles this ticket." in said
    assert "Nobody handles this ticket any more." in said
    assert "will close silently" in said and "The scheduled close was cancelled." in said


def test_a_bad_delay_changes_nothing(guild: Guild, manager) -> None:
    client, _staff = manager
    ticket = open_ticket(guild)

    response = client.post(f"/panel/tickets/{ticket.pk}/close", {"delay": "soon"}, follow=True)

    assert "is not a duration" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).is_open
    assert not ScheduledClosure.objects.filter(ticket=ticket).exists()


def test_close_now_closes_through_the_service(guild: Guild, manager) -> None:
    client, staff_id = manager
    ticket = open_ticket(guild)

    client.post(f"/panel/tickets/{ticket.pk}/close", {"silent": ""})

    closed = Ticket.objects.get(pk=ticket.pk)
    assert not closed.is_open and closed.closed_by == str(staff_id) and not closed.close_silently
    html = client.get(f"/panel/tickets/{ticket.pk}").content.decode()
    assert "Send reply" not in html and "This ticket is closed" in html


def test_move_to_another_category(guild: Guild, manager) -> None:
    client, _staff = manager
    ticket = open_ticket(guild)
    from tickets.models import GuildChannel

    target = guild.discord.add_category(guild.config.mode_guild_id, "Billing")
    GuildChannel.objects.create(
        guild_id=guild.config.mode_guild_id, channel_id=target, name="Billing", type=4
    )

    response = client.post(f"/panel/tickets/{ticket.pk}/move", {"category": "Billing"}, follow=True)

    assert "Moved to Billing." in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).category_id == target


def test_takes_releases_moves_and_labels_stay_in_the_conversation(guild: Guild, manager) -> None:
    client, staff_id = manager
    ticket = open_ticket(guild)
    from tickets import services
    from tickets.models import GuildChannel, TicketChange

    target = guild.discord.add_category(guild.config.mode_guild_id, "Billing")
    GuildChannel.objects.create(
        guild_id=guild.config.mode_guild_id, channel_id=target, name="Billing", type=4
    )
    client.post(f"/panel/tickets/{ticket.pk}/take")
    client.post(f"/panel/tickets/{ticket.pk}/release")
    client.post(f"/panel/tickets/{ticket.pk}/move", {"category": "Billing"})
    services.ticket_label(ticket=ticket, label="refund", by=staff_id, port=guild.discord)

    changes = list(TicketChange.objects.filter(ticket=ticket).values_list("kind", "actor_id", "detail"))
    assert changes == [
        ("taken", staff_id, ""),
        ("released", staff_id, ""),
        ("moved", staff_id, "Billing"),
        ("labelled", staff_id, "refund"),
    ]
    html = client.get(f"/panel/tickets/{ticket.pk}").content.decode()
    events = re.findall(r'<div class="msg msg-event"[^>]*>\s*<p>\s*(.*?)\s*<time', html, re.S)
    assert len(events) == 5, events  # opened, then the four changes, in order
    assert "took the ticket" in events[1] and "released the ticket" in events[2]
    assert "moved the ticket to Billing" in events[3] and "refund" in events[4]
    # The filter "system" keeps them; "user" alone hides them.
    assert "took the ticket" in client.get(f"/panel/tickets/{ticket.pk}?show=system").content.decode()
    assert "took the ticket" not in client.get(f"/panel/tickets/{ticket.pk}?show=user").content.decode()


def test_a_password_only_superuser_is_told_to_sign_in_with_discord(guild: Guild) -> None:
    client = Client()
    client.force_login(make_user(None, superuser=True))
    ticket = make_ticket()

    response = client.post(f"/panel/tickets/{ticket.pk}/take", follow=True)

    assert "Sign in with Discord" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).taken_by is None


def test_a_ticket_cannot_be_moved_to_a_category_the_caller_may_not_see(guild: Guild, manager) -> None:
    client, _staff = manager
    ticket = open_ticket(guild)
    before = Ticket.objects.get(pk=ticket.pk).category_id

    response = client.post(f"/panel/tickets/{ticket.pk}/move", {"category": "Secret"}, follow=True)

    assert "Secret is not one of the available choices" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).category_id == before


def test_an_htmx_reply_answers_with_a_fresh_composer_and_asks_for_the_new_messages(
    guild: Guild, manager
) -> None:
    client, _staff = manager
    ticket = open_ticket(guild)

    response = client.post(f"/panel/tickets/{ticket.pk}/reply", {"content": "Hello"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response["HX-Trigger"] == "rm:refresh-tail"
    assert html.lstrip().startswith('<section id="ticket-composer"') and "Reply #1 sent." in html
    assert "Hello</textarea>" not in html


def test_the_side_panel_fragment_brings_the_composer_out_of_band(guild: Guild, manager) -> None:
    client, _staff = manager
    ticket = open_ticket(guild)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CLOSED, closed_at=T0)

    html = client.get(f"/panel/tickets/{ticket.pk}/side", HTTP_HX_REQUEST="true").content.decode()

    assert 'id="ticket-side"' in html and "badge-closed" in html
    assert 'id="ticket-composer" class="composer" hx-swap-oob="true"' in html
    assert "This ticket is closed" in html


def test_one_message_fragment_shows_it_as_it_is_now(viewer: Client) -> None:
    ticket = make_ticket()
    message = add_message(ticket, "new words", at=T0, edited_at=T0 + timedelta(minutes=1))
    MessageEdit.objects.create(
        message=message, before="old words", after="new words", edited_by=ticket.user_id
    )

    html = viewer.get(f"/panel/tickets/{ticket.pk}/messages/{message.pk}").content.decode()

    assert html.lstrip().startswith(f'<article id="msg-{message.pk}"') and "old words" in html
    assert f"detail.data.message_id=={message.pk}" in html and 'data-cursor="' in html
    other = make_ticket()
    assert viewer.get(f"/panel/tickets/{other.pk}/messages/{message.pk}").status_code == 404

"""The relay's hot path, locked in: how many queries a DM costs, and that what it reads in one go
(block, maintenance, prompt, configuration, earlier copies missing) is never stale."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets import services
from tickets.models import (
    BlockedUser,
    BotConfig,
    CategorySettings,
    GuildMember,
    ScheduledClosure,
    StaffAlert,
    SystemState,
    Ticket,
    TicketCategory,
    TicketMessage,
)
from tickets.services import Relay
from tickets.services._common import use_config

from .conftest import GUILD, STAFF, USER

# The hot path: a DM into an open ticket. One read (``_relay_state.dm_snapshot``), the message, the
# ticket's "user wrote last", the live event, and the copy's ID once it is in the channel.
RELAYED_DM_QUERIES = 6


# Transaction control: counted apart (a test's own transaction turns the DM's into savepoints).
CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


def statements(captured) -> list[str]:
    """The SQL statements run that read or write data (not BEGIN, COMMIT or savepoints)."""
    return [q["sql"] for q in captured if not q["sql"].startswith(CONTROL)]


@pytest.fixture
def member(scene):
    """The user is in the bot's member cache, as the bot keeps it (so Discord is not asked)."""
    GuildMember.objects.create(guild_id=GUILD, user_id=USER)
    return scene


def relay_counted(scene, content: str):
    with CaptureQueriesContext(connection) as captured:
        result = scene.dm(USER, content)
    return result, statements(captured.captured_queries)


def test_a_dm_into_an_open_ticket_costs_at_most_six_queries(member):
    cfg = BotConfig.load()
    use_config(lambda: cfg)  # the bot process hands its cached configuration, as runbot does
    try:
        member.dm(USER, "first")
        for text in ("second", "third"):
            result, sql = relay_counted(member, text)
            assert result.outcome == Relay.RELAYED
            assert len(sql) <= RELAYED_DM_QUERIES, "\n".join(sql)
    finally:
        use_config(None)
    ticket = Ticket.objects.get(user_id=USER)
    copies = [
        m.text for m in member.discord.channel_messages(ticket.channel_id) if m.nonce and m.nonce[0] == "u"
    ]
    assert copies == ["first", "second", "third"]
    assert not TicketMessage.objects.filter(ticket=ticket, inbox_message_id__isnull=True).exists()


def test_a_replayed_dm_costs_one_query_and_changes_nothing(member):
    sent = member.discord.user_writes_dm(USER, "hello")
    kwargs = dict(user_id=USER, user_name="alice", dm_message_id=sent.id, dm_channel_id=sent.channel_id)
    services.user_message_relay(content="hello", port=member.discord, **kwargs)
    cfg = BotConfig.load()
    use_config(lambda: cfg)
    try:
        with CaptureQueriesContext(connection) as captured:
            again = services.user_message_relay(content="hello", port=member.discord, **kwargs)
    finally:
        use_config(None)
    assert again.outcome == Relay.DUPLICATE
    assert len(statements(captured.captured_queries)) == 1
    assert TicketMessage.objects.filter(dm_message_id=sent.id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_test_transaction_the_count_holds(member):
    """Without the test's wrapping transaction (as in the bot: autocommit, one transaction per DM)."""
    cfg = BotConfig.load()
    use_config(lambda: cfg)
    try:
        member.dm(USER, "first")
        result, sql = relay_counted(member, "second")
    finally:
        use_config(None)
    assert result.outcome == Relay.RELAYED
    assert len(sql) <= RELAYED_DM_QUERIES, "\n".join(sql)


@pytest.mark.django_db(transaction=True)
def test_a_relayed_dm_writes_in_one_transaction(member):
    """As in the bot (autocommit): the DM's writes go in one transaction; then the copy's ID."""
    cfg = BotConfig.load()
    use_config(lambda: cfg)
    try:
        member.dm(USER, "first")
        with CaptureQueriesContext(connection) as captured:
            assert member.dm(USER, "second").outcome == Relay.RELAYED
    finally:
        use_config(None)
    control = [q["sql"].split()[0] for q in captured.captured_queries if q["sql"].startswith(CONTROL)]
    assert control == ["BEGIN", "COMMIT"]
    assert len(statements(captured.captured_queries)) <= RELAYED_DM_QUERIES


def test_a_block_saved_between_two_dms_refuses_the_second(member):
    assert member.dm(USER, "first").outcome == Relay.OPENED
    BlockedUser.objects.create(user_id=USER, user_name="alice", blocked_by=STAFF)
    assert member.dm(USER, "second").outcome == Relay.BLOCKED


def test_maintenance_set_between_two_dms_refuses_the_second(member):
    assert member.dm(USER, "first").outcome == Relay.OPENED
    SystemState.objects.update_or_create(pk=1, defaults={"presence": SystemState.Presence.MAINTENANCE})
    assert member.dm(USER, "second").outcome == Relay.MAINTENANCE


def test_a_configuration_saved_elsewhere_applies_to_the_next_dm(member):
    """The bot's cached copy is stale; the DM reads the configuration's stamp and loads it again."""
    stale = BotConfig.load()
    use_config(lambda: stale)
    try:
        fresh = BotConfig.load()
        fresh.bot_welcome_message = "Changed on the configuration page."
        fresh.save()
        assert member.dm(USER, "hello").outcome == Relay.OPENED
    finally:
        use_config(None)
    assert "Changed on the configuration page." in [m.text for m in member.discord.dms(USER)]


def test_the_category_prompt_turned_on_holds_the_first_dm(member):
    settings = CategorySettings.load()
    settings.prompt_enabled = True
    settings.save()
    TicketCategory.objects.create(name="Billing", enabled=True, discord_category_id=member.inbox)
    assert member.dm(USER, "hello").outcome == Relay.PROMPTED
    assert not Ticket.objects.filter(user_id=USER).exists()


def test_a_dm_cancels_a_scheduled_close_and_fires_staff_alerts(member):
    member.dm(USER, "first")
    ticket = Ticket.objects.get(user_id=USER)
    closure = ScheduledClosure.objects.create(ticket=ticket, scheduled_by=STAFF, due_at=ticket.created_at)
    StaffAlert.objects.create(ticket=ticket, staff_id=STAFF)
    result = member.dm(USER, "second")
    assert result.cancelled_close and result.alerted_staff == [STAFF]
    closure.refresh_from_db()
    assert closure.state == ScheduledClosure.State.CANCELLED
    assert StaffAlert.objects.get(ticket=ticket).fired_at is not None

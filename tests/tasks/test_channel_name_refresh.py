"""The periodic refresh brings channel names (status, age) up to date within Discord's limit of two
renames per ten minutes, leaving one rename free for events, and retries a refused rename."""

from __future__ import annotations

import time

from tickets import services
from tickets.models import Ticket


def renames(scene) -> list:
    return [c for c in scene.discord.calls if c[0] == "edit_channel"]


def test_a_stale_name_is_refreshed_once(scene, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(last_message_by="staff")
    assert services.stale_channel_names() == [ticket]
    assert services.channel_names_refresh(port=scene.discord) == 1
    assert scene.discord.channels[ticket.channel_id].name.startswith("🔵・")
    assert services.stale_channel_names() == []
    assert services.channel_names_refresh(port=scene.discord) == 0


def test_the_refresh_leaves_the_second_rename_of_the_window_to_events(scene, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(renames=[time.time() - 60], last_message_by="staff")
    assert services.channel_names_refresh(port=scene.discord) == 0
    assert renames(scene) == []
    Ticket.objects.filter(pk=ticket.pk).update(renames=[time.time() - 601])
    assert services.channel_names_refresh(port=scene.discord) == 1


def test_a_rename_discord_refused_is_tried_again(scene, ticket, fail_next):
    Ticket.objects.filter(pk=ticket.pk).update(last_message_by="staff")
    fail_next("edit_channel", status=500)
    assert services.channel_names_refresh(port=scene.discord) == 0
    ticket.refresh_from_db()
    assert not ticket.channel_name.startswith("🔵")
    Ticket.objects.filter(pk=ticket.pk).update(renames=[])
    assert services.channel_names_refresh(port=scene.discord) == 1

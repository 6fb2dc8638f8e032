"""Audit log forwarding as a service, on the in-memory Discord: formatting of every kind within
Discord's embed limits, batches of 10 embeds and 6000 characters, the cursor and the pending batch."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.utils import translation

from tickets.discord import OutgoingMessage
from tickets.models import AuditLogCursor
from tickets.services import auditlog
from tickets.services.auditlog.formatting import CHANGES, KINDS, embed_size, entry_embed

from .conftest import STAFF, USER, Scene

pytestmark = pytest.mark.django_db

# Entry IDs of tomorrow: made after forwarding started.
ENTRY_IDS = itertools.count(auditlog._snowflake_now() + (86_400_000 << 22))


def entry(action: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(next(ENTRY_IDS)),
        "user_id": str(STAFF),
        "target_id": str(USER),
        "action_type": action,
        **fields,
    }


def add(scene: Scene, *entries: dict[str, Any]) -> list[dict[str, Any]]:
    scene.discord.audit_entries.setdefault(scene.guild, []).extend(entries)
    return list(entries)


def posted(scene: Scene) -> list[list[dict[str, Any]]]:
    return [m.embeds for m in scene.discord.channel_messages(scene.logs) if m.embeds]


def test_every_kind_and_every_change_key_fits_discords_limits_in_both_languages() -> None:
    changes = [
        {"key": key, "old_value": "x" * 2000, "new_value": "y" * 2000} for key in CHANGES if key[0] != "$"
    ]
    changes.append({"key": "$add", "new_value": [{"id": "1", "name": "a"}] * 300})
    for language in ("en", "fr"):
        with translation.override(language):
            for action in [*KINDS, 0, 255]:
                embed = entry_embed(
                    entry(
                        action, changes=changes, reason="r" * 600, options={"count": "3", "channel_id": "5"}
                    ),
                    {},
                )
                assert embed_size(embed) <= 6000
                assert len(embed["title"]) <= 256
                assert len(embed.get("fields", [])) <= 25
                assert all(len(f["value"]) <= 1024 for f in embed.get("fields", []))
                assert embed["fields"][-1]["value"].startswith("r")  # the reason is kept


def test_entries_are_posted_oldest_first_ten_per_message_and_the_cursor_follows(scene: Scene) -> None:
    cursor = auditlog.audit_log_start(guild_id=scene.guild)
    ids = [e["id"] for e in add(scene, *(entry(20, reason=f"#{i}") for i in range(23)))]
    results = []
    while not results or results[-1].more:
        results.append(
            auditlog.audit_log_forward(guild_id=scene.guild, channel_id=scene.logs, port=scene.discord)
        )
    assert [r.entries for r in results] == [10, 10, 3]
    footers = [e["footer"]["text"] for embeds in posted(scene) for e in embeds]
    assert footers == [f"ID: {i}" for i in ids]
    cursor.refresh_from_db()
    assert (cursor.last_entry_id, cursor.forwarded, cursor.pending_through_id) == (int(ids[-1]), 23, None)
    assert (
        auditlog.audit_log_forward(guild_id=scene.guild, channel_id=scene.logs, port=scene.discord).entries
        == 0
    )


def test_a_message_holds_at_most_6000_characters_of_embeds(scene: Scene) -> None:
    auditlog.audit_log_start(guild_id=scene.guild)
    add(scene, *(entry(20, reason="r" * 1000) for _ in range(8)))
    while auditlog.audit_log_forward(guild_id=scene.guild, channel_id=scene.logs, port=scene.discord).more:
        pass
    messages = posted(scene)
    assert sum(len(m) for m in messages) == 8
    assert len(messages) > 1
    assert all(sum(embed_size(e) for e in m) <= 6000 for m in messages)


def test_a_batch_left_pending_is_posted_again_with_its_nonce_and_not_twice(scene: Scene) -> None:
    auditlog.audit_log_start(guild_id=scene.guild)
    first, second = add(scene, entry(22), entry(23))
    # The bot posted this batch and stopped before moving the cursor.
    cursor = AuditLogCursor.objects.get(guild_id=scene.guild)
    cursor.pending_through_id, cursor.pending_nonce = int(first["id"]), f"al{first['id']}"
    cursor.save()
    scene.discord.send(scene.logs, OutgoingMessage(embeds=[{"title": "already"}], nonce=f"al{first['id']}"))
    result = auditlog.audit_log_forward(guild_id=scene.guild, channel_id=scene.logs, port=scene.discord)
    assert (result.entries, result.more) == (1, True)
    auditlog.audit_log_forward(guild_id=scene.guild, channel_id=scene.logs, port=scene.discord)
    messages = posted(scene)
    assert len(messages) == 2  # the pending batch was not posted a second time
    assert messages[1][0]["footer"]["text"] == f"ID: {second['id']}"


def test_turning_forwarding_off_forgets_where_it_was(scene: Scene) -> None:
    auditlog.audit_log_start(guild_id=scene.guild)
    assert auditlog.audit_log_pause() == 1
    assert not AuditLogCursor.objects.exists()

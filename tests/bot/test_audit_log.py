"""The guild's audit log forwarded to the logs channel (``bot.enable_discord_logs``): formatted per
kind, in English and French, in order, once, across restarts and crashes, within Discord's rate."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakediscord import auditlog as A
from tests.fakediscord import permissions as P
from tickets.models import AuditLogCursor
from tickets.services import auditlog

from .conftest import Modmail, eventually

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


# --- helpers ---------------------------------------------------------------------------------
def forwarded(modmail: Modmail) -> list[tuple[str, dict[str, Any], str]]:
    """Every forwarded entry in the logs channel, in order: (entry ID, embed, message ID)."""
    found = []
    for message in modmail.emu.messages(modmail.demo.logs_channel_id):
        if message["author"]["id"] != str(modmail.emu.bot_id):
            continue
        for embed in message.get("embeds") or []:
            footer = (embed.get("footer") or {}).get("text", "")
            if footer.startswith("ID: "):
                found.append((footer[4:], embed, message["id"]))
    return found


async def forwarding_on(modmail: Modmail, **config: Any) -> None:
    """Turn forwarding on and wait until the bot has started it (entries from then on are posted)."""
    await modmail.reload_config(bot_enable_discord_logs=True, **config)
    guild = modmail.demo.guild_id
    await eventually(lambda: modmail.db(lambda: AuditLogCursor.objects.filter(guild_id=guild).exists()), 20)


async def until_forwarded(modmail: Modmail, entry_id: str) -> list[tuple[str, dict[str, Any], str]]:
    """The forwarded entries once ``entry_id`` is among them."""
    return await modmail.emu.wait_for(
        lambda: (lambda got: got if any(e == entry_id for e, _, _ in got) else None)(forwarded(modmail)),
        timeout=30,
    )


def field(embed: dict[str, Any], name: str) -> str | None:
    return next((f["value"] for f in embed.get("fields") or [] if f["name"] == name), None)


def display_name(modmail: Modmail, user_id: int) -> str:
    user = modmail.emu.user(user_id)
    return user.get("global_name") or user["username"]


# --- formatting ------------------------------------------------------------------------------
async def test_each_kind_is_posted_with_its_title_target_changes_reason_and_author(modmail: Modmail) -> None:
    emu, demo = modmail.emu, modmail.demo
    await forwarding_on(modmail)
    alice = demo.user_ids[0]
    kick = await emu.add_audit_log_entry(
        demo.guild_id, A.MEMBER_KICK, demo.staff_id, target_id=alice, reason="spam"
    )
    roles = await emu.add_audit_log_entry(
        demo.guild_id,
        A.MEMBER_ROLE_UPDATE,
        demo.admin_id,
        target_id=alice,
        changes=[A.change("$add", new=[{"id": str(demo.staff_role_id), "name": "Staff"}])],
    )
    bulk = await emu.add_audit_log_entry(
        demo.guild_id,
        A.MESSAGE_BULK_DELETE,
        demo.staff_id,
        target_id=demo.general_channel_id,
        options={"count": 7},
    )
    odd = await emu.add_audit_log_entry(demo.guild_id, 199, demo.staff_id)
    # What the bot itself does through Discord's API is in the audit log too.
    await modmail.bot.get_channel(demo.general_channel_id).edit(topic="Rules first")
    got = await until_forwarded(modmail, odd["id"])
    topic_entry = await modmail.emu.wait_for(
        lambda: next((e for e in emu.audit_log(demo.guild_id) if e["action_type"] == A.CHANNEL_UPDATE), None)
    )
    got = await until_forwarded(modmail, topic_entry["id"])
    by_id = {entry_id: embed for entry_id, embed, _ in got}

    embed = by_id[kick["id"]]
    assert embed["title"] == "👢 Member kicked"
    assert embed["color"] == 0xED4245
    assert embed["description"] == f"**Target:** <@{alice}> (`{alice}`)"
    assert field(embed, "Reason") == "spam"
    assert embed["author"]["name"] == display_name(modmail, demo.staff_id)

    embed = by_id[roles["id"]]
    assert embed["title"] == "🎭 Member roles updated"
    assert field(embed, "Roles added") == f"<@&{demo.staff_role_id}>"
    assert embed["author"]["name"] == display_name(modmail, demo.admin_id)

    embed = by_id[bulk["id"]]
    assert embed["title"] == "🗑️ Messages bulk deleted"
    assert "7 messages deleted" in embed["description"]
    assert f"<#{demo.general_channel_id}>" in embed["description"]

    assert by_id[odd["id"]]["title"] == "❓ Unknown action (199)"

    embed = by_id[topic_entry["id"]]
    assert embed["title"] == "✏️ Channel updated"
    assert field(embed, "Topic") == "— → Rules first"
    assert embed["author"]["name"] == display_name(modmail, emu.bot_id)
    assert [e for e, _, _ in got] == sorted((e for e, _, _ in got), key=int)


async def test_entries_are_written_in_the_bots_language(modmail: Modmail) -> None:
    emu, demo = modmail.emu, modmail.demo
    await forwarding_on(modmail, language_default_language="fr")
    ban = await emu.add_audit_log_entry(
        demo.guild_id,
        A.MEMBER_BAN_ADD,
        demo.staff_id,
        target_id=demo.user_ids[1],
        options={"delete_member_days": 1},
        reason="raid",
    )
    nick = await emu.add_audit_log_entry(
        demo.guild_id,
        A.MEMBER_UPDATE,
        demo.staff_id,
        target_id=demo.user_ids[1],
        changes=[A.change("nick", "a", "b")],
    )
    by_id = {e: embed for e, embed, _ in await until_forwarded(modmail, nick["id"])}
    embed = by_id[ban["id"]]
    assert embed["title"] == "🔨 Membre banni"
    assert embed["description"].startswith(f"**Cible :** <@{demo.user_ids[1]}>")
    assert "Ses messages du dernier jour ont été supprimés" in embed["description"]
    reason = embed["fields"][-1]
    assert reason["value"] == "raid" and reason["name"] != "Reason"
    assert by_id[nick["id"]]["title"] == "✏️ Membre modifié"
    assert by_id[nick["id"]]["fields"][0]["value"] == "`a` → `b`"


# --- order, once, rate ------------------------------------------------------------------------
async def test_a_burst_of_sixty_is_posted_in_order_once_batched_within_the_channel_rate(
    modmail: Modmail,
) -> None:
    emu, demo = modmail.emu, modmail.demo
    await forwarding_on(modmail)
    emu.rate_limit_mode = True
    ids = []
    for i in range(60):
        entry = await emu.add_audit_log_entry(
            demo.guild_id, A.MEMBER_KICK, demo.staff_id, target_id=demo.user_ids[i % 4], reason=f"#{i}"
        )
        ids.append(entry["id"])
    got = await until_forwarded(modmail, ids[-1])
    assert [e for e, _, _ in got] == ids
    assert [field(embed, "Reason") for _, embed, _ in got] == [f"#{i}" for i in range(60)]
    messages = {m for _, _, m in got}
    per_message = [sum(1 for _, _, m in got if m == mid) for mid in messages]
    assert max(per_message) <= 10
    assert len(messages) < 60  # batched while busy
    posts = emu.calls_to("POST", rf"^/channels/{demo.logs_channel_id}/messages$")
    assert posts and all(call.status == 200 for call in posts)  # never rate limited


async def test_entries_made_while_the_bot_is_away_are_posted_after_a_restart_and_none_twice(
    modmail: Modmail,
) -> None:
    emu, demo = modmail.emu, modmail.demo
    await forwarding_on(modmail)
    first = await emu.add_audit_log_entry(
        demo.guild_id, A.ROLE_CREATE, demo.admin_id, target_id=demo.staff_role_id
    )
    await until_forwarded(modmail, first["id"])
    away = []

    async def meanwhile() -> None:
        for _ in range(3):
            away.append(
                await emu.add_audit_log_entry(
                    demo.guild_id, A.MEMBER_KICK, demo.staff_id, target_id=demo.user_ids[2]
                )
            )

    async with modmail.restarted(meanwhile):
        last = await emu.add_audit_log_entry(demo.guild_id, A.ROLE_DELETE, demo.admin_id, target_id=123)
        got = await until_forwarded(modmail, last["id"])
    assert [e for e, _, _ in got] == [first["id"], *(a["id"] for a in away), last["id"]]


async def test_a_crash_after_posting_and_before_moving_on_does_not_post_twice(
    modmail: Modmail, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, demo = modmail.emu, modmail.demo
    modmail.bot.get_cog("AuditLog").retry_after = 0.2
    real_advance = auditlog._advance
    crashes = []

    def advance_crashing_once(*args: Any, **kwargs: Any) -> None:
        if not crashes:
            crashes.append(args)
            raise RuntimeError("the process died here")
        real_advance(*args, **kwargs)

    monkeypatch.setattr(auditlog, "_advance", advance_crashing_once)
    await forwarding_on(modmail)
    first = await emu.add_audit_log_entry(
        demo.guild_id, A.MEMBER_KICK, demo.staff_id, target_id=demo.user_ids[0]
    )
    await until_forwarded(modmail, first["id"])
    await emu.wait_for(lambda: crashes, timeout=20)
    second = await emu.add_audit_log_entry(
        demo.guild_id, A.MEMBER_KICK, demo.staff_id, target_id=demo.user_ids[1]
    )
    got = await until_forwarded(modmail, second["id"])
    assert [e for e, _, _ in got] == [first["id"], second["id"]]
    # The post was sent again (same nonce) and Discord answered with the first message.
    posts = emu.calls_to("POST", rf"^/channels/{demo.logs_channel_id}/messages$")
    assert len(posts) == 3


async def test_nothing_is_forwarded_while_off_and_older_entries_are_not_dumped_when_turned_on(
    modmail: Modmail,
) -> None:
    emu, demo = modmail.emu, modmail.demo
    before = await emu.add_audit_log_entry(
        demo.guild_id, A.MEMBER_KICK, demo.staff_id, target_id=demo.user_ids[0]
    )
    await forwarding_on(modmail)
    after = await emu.add_audit_log_entry(
        demo.guild_id, A.MEMBER_KICK, demo.staff_id, target_id=demo.user_ids[1]
    )
    got = await until_forwarded(modmail, after["id"])
    assert [e for e, _, _ in got] == [after["id"]]
    assert before["id"] not in {e for e, _, _ in got}
    await modmail.reload_config(bot_enable_discord_logs=False)
    await eventually(lambda: modmail.db(lambda: not AuditLogCursor.objects.exists()), 20)


async def test_in_dual_mode_both_servers_entries_reach_the_staff_servers_logs_channel(
    modmail: Modmail,
) -> None:
    emu, demo = modmail.emu, modmail.demo
    staff_guild = emu.create_guild("Staff HQ", owner_id=demo.owner_id)
    logs = emu.create_channel(staff_guild, "staff-logs")
    await forwarding_on(
        modmail,
        mode_type="dual",
        mode_community_guild_id=demo.guild_id,
        mode_staff_guild_id=staff_guild,
        bot_logs_channel_id=logs,
    )
    await eventually(
        lambda: modmail.db(lambda: AuditLogCursor.objects.filter(guild_id=staff_guild).exists()), 20
    )
    community = await emu.add_audit_log_entry(
        demo.guild_id, A.MEMBER_KICK, demo.staff_id, target_id=demo.user_ids[0]
    )
    staff = await emu.add_audit_log_entry(staff_guild, A.ROLE_CREATE, demo.owner_id, target_id=staff_guild)

    def footers() -> list[str] | None:
        found = [
            e["footer"]["text"]
            for m in emu.messages(logs)
            for e in m.get("embeds") or []
            if (e.get("footer") or {}).get("text", "").startswith("ID: ")
        ]
        return found if len(found) >= 2 else None

    assert sorted(await emu.wait_for(footers, timeout=30)) == sorted(
        [f"ID: {community['id']}", f"ID: {staff['id']}"]
    )


async def test_entries_made_while_the_bot_may_not_read_the_audit_log_are_posted_once_it_may(
    modmail: Modmail,
) -> None:
    emu, demo = modmail.emu, modmail.demo
    await forwarding_on(modmail)
    emu.set_bot_permissions(demo.guild_id, P.ALL & ~P.ADMINISTRATOR & ~P.VIEW_AUDIT_LOG)
    unseen = await emu.add_audit_log_entry(
        demo.guild_id, A.MEMBER_KICK, demo.staff_id, target_id=demo.user_ids[0]
    )
    emu.set_bot_permissions(demo.guild_id, P.ADMINISTRATOR)
    seen = await emu.add_audit_log_entry(
        demo.guild_id, A.MEMBER_KICK, demo.staff_id, target_id=demo.user_ids[1]
    )
    got = await until_forwarded(modmail, seen["id"])
    assert [e for e, _, _ in got] == [unseen["id"], seen["id"]]

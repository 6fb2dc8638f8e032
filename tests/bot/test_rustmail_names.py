"""Every name in ``botrunner.rustmail_names.RUSTMAIL_NAMES`` (Rustmail's command names, aliases and
slash options, from its source and its guide) runs its command, end to end: each text name is typed
(``!am <@bob>``), each slash name and each slash option is invoked against the emulator, which
refuses an option the registered command does not have. ``CASES`` says how to drive each command
and what its effect looks like; a name whose command has no case fails the test, so a new row of
the table cannot go untested.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import nextcord
import pytest
import pytest_asyncio

from botrunner.bot import ModmailBot
from botrunner.commanddocs import slash_leaves
from botrunner.runtime import ServiceRunner
from botrunner.rustmail_names import RUSTMAIL_NAMES, RustmailName
from tickets import services
from tickets.errors import DomainError
from tickets.models import BotConfig, GuildMember, Reminder, Ticket, TicketMessage

from .conftest import Modmail, eventually, text_of
from .test_staffing import mirror_guild

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

# Slash options the emulator cannot send: it has no uploads for attachment options.
NOT_DRIVEN = {"reply attachment": "the emulator has no uploads for attachment options"}

SNIPPET_TEXT = "FAQ-ANSWER: see the pinned guide"


class Context(dict):
    """Values the cases refer to as ``{name}``, plus what the test needs at hand."""

    modmail: Modmail
    ticket: Ticket
    channel_id: int
    counter: itertools.count

    def fill(self, value: Any) -> Any:
        """``"{reply}"`` is the value itself (an int stays an int); other strings are formatted."""
        if isinstance(value, str):
            whole = re.fullmatch(r"\{(\w+)\}", value)
            return self[whole.group(1)] if whole else value.format_map(self)
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        return value


Prepare = Callable[[Context], Awaitable[None]]
Check = Callable[[Context], Awaitable[bool]]


@dataclass
class Case:
    """How to drive a command: ``text`` follows the typed name; ``slash`` maps each slash name to its
    options; ``options`` overrides them when one option is the one under test; ``expect`` is a
    phrase of the answer (or of the bot's message in the channel), or an async check."""

    text: str = ""
    slash: dict[str, dict[str, Any]] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    expect: str | Check = ""
    menu: str = ""
    prepare: Prepare | None = None
    channel: str = "ticket"
    admin: bool = False


# --- what cases prepare -------------------------------------------------------------------------
def staff(ctx: Context) -> services.StaffIdentity:
    return services.StaffIdentity(id=ctx.modmail.demo.staff_id, name="Sam Staff", role="Staff")


async def a_reply(ctx: Context) -> None:
    message = await ctx.modmail.db(
        lambda: services.ticket_reply(ticket=ctx.ticket, staff=staff(ctx), content=f"to edit {ctx['n']}")
    )
    ctx["reply"] = message.message_number
    ctx["reply_message"] = message.inbox_message_id


async def a_reminder(ctx: Context) -> None:
    reminder = await ctx.modmail.db(
        lambda: services.reminder_add(
            ticket=ctx.ticket, staff_id=ctx.modmail.demo.staff_id, when="5h", content="prepared"
        )
    )
    ctx["reminder"] = reminder.pk


async def quietly(ctx: Context, work: Callable[[], Any]) -> None:
    """Bring the state about; it may be so already (a refusal says so)."""
    with contextlib.suppress(DomainError):
        await ctx.modmail.db(work)


async def an_alert(ctx: Context) -> None:
    await quietly(ctx, lambda: services.alert_set(ticket=ctx.ticket, staff_id=ctx.modmail.demo.staff_id))


async def a_scheduled_close(ctx: Context) -> None:
    await ctx.modmail.db(
        lambda: services.close_schedule(ticket=ctx.ticket, delay="5h", staff_id=ctx.modmail.demo.staff_id)
    )


async def taken(ctx: Context) -> None:
    await quietly(ctx, lambda: services.ticket_take(ticket=ctx.ticket, staff_id=ctx.modmail.demo.staff_id))


async def bob_added(ctx: Context) -> None:
    await quietly(ctx, lambda: services.staff_add(ticket=ctx.ticket, target_id=ctx["bob"]))


async def other_category(ctx: Context) -> None:
    """The name of the Discord category the ticket is not in (of Escalated and Overflow)."""
    current = await ctx.modmail.db(lambda: Ticket.objects.get(pk=ctx.ticket.pk).category_name)
    ctx["other_category"] = "Overflow" if current == "Escalated" else "Escalated"


async def free_user(ctx: Context) -> None:
    """A new member of the guild, with no ticket."""
    emu, guild = ctx.modmail.emu, ctx.modmail.demo.guild_id
    user = emu.create_user(f"newcomer{ctx['n']}", global_name=f"Newcomer {ctx['n']}")
    emu.add_member(guild, user)
    await eventually(
        lambda: ctx.modmail.db(lambda: GuildMember.objects.filter(guild_id=guild, user_id=user).exists()), 20
    )
    ctx["free_user"] = user


async def orphaned_ticket(ctx: Context) -> None:
    """A new user's ticket, and the user left the server; the command runs in its channel."""
    await free_user(ctx)
    ticket = await ctx.modmail.open_ticket(ctx["free_user"], "A ticket to force close")
    await ctx.modmail.emu.member_leave(ctx.modmail.demo.guild_id, ctx["free_user"])
    await eventually(lambda: ctx.modmail.db(lambda: Ticket.objects.get(pk=ticket.pk).user_left), 20)
    ctx["fresh_ticket"] = ticket
    ctx["channel"] = ticket.channel_id


async def fresh_key(ctx: Context) -> None:
    ctx["key"] = f"key{ctx['n']}"


async def fresh_snippet(ctx: Context) -> None:
    await fresh_key(ctx)
    await ctx.modmail.db(
        lambda: services.snippet_create(key=ctx["key"], content="doomed", staff_id=ctx.modmail.demo.staff_id)
    )


async def discord_category(ctx: Context) -> None:
    ctx["discord_category"] = ctx.modmail.emu.create_category(ctx.modmail.demo.guild_id, f"Dept {ctx['n']}")
    ctx["discord_category_text"] = str(ctx["discord_category"])  # a string option's value
    ctx["cat"] = f"Dept{ctx['n']}"
    await mirror_guild(ctx.modmail)


async def ticket_category(ctx: Context) -> None:
    await discord_category(ctx)
    await ctx.modmail.db(
        lambda: services.category_create(discord_category_id=ctx["discord_category"], name=ctx["cat"])
    )


async def category_with_role(ctx: Context) -> None:
    await ticket_category(ctx)
    await ctx.modmail.db(lambda: services.category_role_add(name=ctx["cat"], role_id=ctx["staff_role"]))


# --- what effects look like ---------------------------------------------------------------------
async def force_closed(ctx: Context) -> bool:
    ticket = ctx["fresh_ticket"]
    return await ctx.modmail.db(lambda: Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.CLOSED)


async def reply_deleted(ctx: Context) -> bool:
    return await ctx.modmail.db(
        lambda: TicketMessage.objects.get(ticket=ctx.ticket, message_number=ctx["reply"]).is_deleted
    )


async def reply_edited(ctx: Context) -> bool:
    return await ctx.modmail.db(
        lambda: (
            TicketMessage.objects.get(ticket=ctx.ticket, message_number=ctx["reply"]).content
            == f"edited {ctx['n']}"
        )
    )


async def reminder_gone(ctx: Context) -> bool:
    return await ctx.modmail.db(
        lambda: Reminder.objects.get(pk=ctx["reminder"]).state == Reminder.State.CANCELLED
    )


CASES: dict[str, Case] = {
    "reply": Case(
        text="hello {n}",
        slash={"reply": {"message": "hello {n}"}},
        options={
            "reply content": {"content": "hello {n}"},
            "reply snippet": {"snippet": "faq"},
            "reply anonymous": {"message": "hello {n}", "anonymous": True},
        },
        expect="{hello}",
    ),
    "anonreply": Case(text="hello {n}", expect="{hello}"),
    "edit": Case(
        text="{reply} edited {n}",
        slash={"edit": {"message_id": "{reply}", "new_content": "edited {n}"}},
        options={"edit message": {"message_id": "{reply}", "message": "edited {n}"}},
        expect=reply_edited,
        prepare=a_reply,
    ),
    "delete": Case(
        text="{reply}",
        slash={"delete": {"message_id": "{reply}"}},
        menu="{reply_message}",
        expect=reply_deleted,
        prepare=a_reply,
    ),
    "close": Case(
        text="5h",
        slash={"close": {"time": "5h"}},
        options={
            "close time_before_close": {"time_before_close": "6h"},
            "close silent": {"time": "5h", "silent": True},
            "close cancel": {"cancel": True},
        },
        expect="will close",
    ),
    "force_close": Case(slash={"force_close": {}}, expect=force_closed, prepare=orphaned_ticket),
    "recover": Case(slash={"recover": {}}, expect="recovered"),
    "alert": Case(
        slash={"alert": {}},
        options={"alert cancel": {"cancel": True}},
        expect="pinged on the user's next message",
    ),
    "move_thread": Case(
        text="{other_category}",
        slash={"move": {"category": "{other_category}"}, "move_thread": {"category": "{other_category}"}},
        expect="moved to",
        prepare=other_category,
    ),
    "new_thread": Case(
        text="{free_user}",
        slash={"new_thread": {"user": "{free_user}"}},
        options={"new_thread user_id": {"user_id": "{free_user}"}},
        menu="{free_user}",
        expect="ticket opened with",
        prepare=free_user,
        channel="general",
    ),
    "add_staff": Case(
        text="<@{bob}>",
        slash={"addmod": {"target": "{bob}"}, "add_staff": {"user": "{bob}"}},
        expect="can now see this ticket",
    ),
    "remove_staff": Case(
        text="<@{bob}>",
        slash={"delmod": {"target": "{bob}"}, "remove_staff": {"user": "{bob}"}},
        menu="{bob}",
        expect="was taken back",
        prepare=bob_added,
    ),
    "add_reminder": Case(
        text="2h note {n}",
        slash={
            "remind": {"time": "2h", "content": "note {n}", "roles": "<@&{staff_role}>"},
            "add_reminder": {"time": "2h", "content": "note {n}"},
        },
        expect="reminder #",
    ),
    "remove_reminder": Case(
        text="{reminder}",
        slash={"unremind": {"id": "{reminder}"}, "remove_reminder": {"reminder_id": "{reminder}"}},
        expect=reminder_gone,
        prepare=a_reminder,
    ),
    "id": Case(slash={"id": {}}, expect="discord id of"),
    "help": Case(text="close", slash={"help": {"command": "close"}}, expect="--silent"),
    "logs": Case(slash={"logs": {}}, options={"logs id": {"id": "{user}"}}, expect="closed tickets"),
    "take": Case(slash={"take": {}}, expect="now handles this ticket"),
    "release": Case(slash={"release": {}}, expect="nobody handles", prepare=taken),
    "ping": Case(slash={"ping": {}}, expect="pong"),
    "status": Case(text="online", slash={"status": {"mode": "online"}}, expect="status set to", admin=True),
    "rename": Case(text="lbl{n}", slash={"rename": {"label": "lbl{n}"}}, expect="label set to"),
    "baninfo": Case(text="{user}", slash={"baninfo": {"query": "alice"}}, expect="banned user"),
    "reminder_subscription": Case(
        text="<@&{staff_role}>",
        slash={"reminder_subscription": {"action": "unsubscribe", "role": "{staff_role}"}},
        expect="subscribed",
    ),
    "snippet": Case(expect="usage"),
    "snippet create": Case(
        text="{key} body {n}",
        slash={"snippet create": {"key": "{key}", "content": "body {n}"}},
        expect="saved",
        prepare=fresh_key,
    ),
    "snippet list": Case(slash={"snippet list": {}}, expect="snippets ("),
    "snippet show": Case(text="faq", slash={"snippet show": {"key": "faq"}}, expect="FAQ-ANSWER"),
    "snippet edit": Case(
        text=f"faq {SNIPPET_TEXT}",
        slash={"snippet edit": {"key": "faq", "content": SNIPPET_TEXT}},
        expect="updated",
    ),
    "snippet delete": Case(
        text="{key}", slash={"snippet delete": {"key": "{key}"}}, expect="deleted", prepare=fresh_snippet
    ),
    "snippet use": Case(text="faq", slash={"snippet use": {"key": "faq"}}, expect="FAQ-ANSWER"),
    "category": Case(expect="usage"),
    "category create": Case(
        text="{discord_category} {cat} | A department | 🏷️",
        slash={
            "category create": {
                "name": "{cat}",
                "discord_category_id": "{discord_category_text}",
                "description": "A department",
                "emoji": "🏷️",
            }
        },
        expect="created",
        prepare=discord_category,
    ),
    "category list": Case(slash={"category list": {}}, expect="ticket categories"),
    "category rename": Case(
        text="{cat} | {cat}b",
        slash={"category rename": {"old_name": "{cat}", "new_name": "{cat}b"}},
        expect="renamed to",
        prepare=ticket_category,
    ),
    "category move": Case(
        text="{cat} 1",
        slash={"category move": {"name": "{cat}", "position": 1}},
        expect="now at position",
        prepare=ticket_category,
    ),
    "category delete": Case(
        text="{cat}", slash={"category delete": {"name": "{cat}"}}, expect="deleted", prepare=ticket_category
    ),
    "category enable": Case(
        text="{cat}",
        slash={"category enable": {"name": "{cat}"}},
        expect="is offered",
        prepare=ticket_category,
    ),
    "category disable": Case(
        text="{cat}",
        slash={"category disable": {"name": "{cat}"}},
        expect="no longer offered",
        prepare=ticket_category,
    ),
    "category timeout": Case(
        text="120", slash={"category timeout": {"seconds": 120}}, expect="seconds to choose"
    ),
    "category on": Case(slash={"category on": {}}, expect="prompt is on"),
    "category off": Case(slash={"category off": {}}, expect="prompt is off"),
    "category roles add": Case(
        text="{cat} <@&{staff_role}>",
        slash={"category roles add": {"name": "{cat}", "role": "{staff_role}"}},
        expect="is pinged when",
        prepare=ticket_category,
    ),
    "category roles remove": Case(
        text="{cat} <@&{staff_role}>",
        slash={"category roles remove": {"name": "{cat}", "role": "{staff_role}"}},
        expect="no longer pinged",
        prepare=category_with_role,
    ),
    "category roles list": Case(
        text="{cat}",
        slash={"category roles list": {"name": "{cat}"}},
        expect="pinged for",
        prepare=category_with_role,
    ),
    "category roles clear": Case(
        text="{cat}",
        slash={"category roles clear": {"name": "{cat}"}},
        expect="no longer pinged",
        prepare=category_with_role,
    ),
}

# Names (options, arguments) that need a state of their own first, then the case's prepare...
ROW_PREPARE: dict[str, Prepare] = {
    "close cancel": a_scheduled_close,
    "close -c": a_scheduled_close,
    "close --cancel": a_scheduled_close,
    "alert cancel": an_alert,
    "alert c": an_alert,
}
# ...and whose effect differs from the case's.
ROW_EXPECT: dict[str, str] = {
    "close cancel": "was cancelled",
    "close -c": "was cancelled",
    "close --cancel": "was cancelled",
    "close silent": "close silently",
    "close -s": "close silently",
    "close --silent": "close silently",
    "alert cancel": "alert cancelled",
    "alert c": "alert cancelled",
    "reply snippet": "FAQ-ANSWER",
}


# --- driving --------------------------------------------------------------------------------------
async def context(modmail: Modmail) -> Context:
    demo = modmail.demo
    ctx = Context()
    ctx.modmail = modmail
    ctx.counter = itertools.count(1)
    ctx.ticket = await modmail.open_ticket(demo.user_ids[0])
    ctx.update(user=demo.user_ids[0], bob=demo.user_ids[1], staff_role=demo.staff_role_id)
    modmail.emu.create_category(demo.guild_id, "Escalated")
    modmail.emu.create_category(demo.guild_id, "Overflow")
    await mirror_guild(modmail)
    await modmail.db(lambda: services.snippet_create(key="faq", content=SNIPPET_TEXT, staff_id=demo.staff_id))
    return ctx


def slash_path(name: str, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``category roles add`` + options → ``/category`` with ``{"roles": {"add": options}}``."""
    head, *rest = name.split()
    for word in reversed(rest):
        options = {word: options}
    return head, options


async def drive(ctx: Context, row: RustmailName) -> str | None:
    """Run one name; None when its command had the effect expected, else what went wrong."""
    modmail, demo = ctx.modmail, ctx.modmail.demo
    case = CASES.get(row.command)
    if case is None:
        return f"no case in CASES for {row.command!r}"
    ctx["n"] = next(ctx.counter)
    ctx["hello"] = f"hello {ctx['n']}"
    ctx["channel"] = demo.general_channel_id if case.channel == "general" else ctx.ticket.channel_id
    if row.name in ROW_PREPARE:
        await ROW_PREPARE[row.name](ctx)
    if case.prepare is not None:
        await case.prepare(ctx)
    channel = ctx["channel"]
    author = demo.admin_id if case.admin else demo.staff_id
    before = {m["id"]: text_of(m) for m in modmail.emu.messages(channel)}
    payload = None
    if row.form in ("text", "argument"):
        await modmail.staff_says(channel, ctx.fill(f"!{row.name} {case.text}".strip()), user_id=author)
    elif row.form in ("user menu", "message menu"):
        if not case.menu:
            return f"no menu target in CASES[{row.command!r}]"
        payload = await modmail.emu.invoke_context_command(
            row.name, author, channel, ctx.fill(case.menu), on_message=row.form == "message menu"
        )
    else:
        slash_name = row.name if row.form == "slash" else row.name.rsplit(" ", 1)[0]
        if row.form == "option":
            options = case.options.get(row.name, case.slash.get(slash_name))
            if options is None or row.name.rsplit(" ", 1)[1] not in options:
                return f"no options in CASES[{row.command!r}] use {row.name!r}"
        else:
            options = case.slash.get(slash_name)
            if options is None:
                return f"no options in CASES[{row.command!r}] for /{slash_name}"
        name, nested = slash_path(slash_name, ctx.fill(options))
        payload = await modmail.emu.invoke_command(name, author, channel, nested, guild_id=demo.guild_id)
    expect = ROW_EXPECT.get(row.name, case.expect)
    try:
        if callable(expect):
            await eventually(lambda: expect(ctx), 20)
        else:
            await modmail.emu.wait_for(lambda: answered(ctx, channel, before, payload, ctx.fill(expect)), 20)
    except (AssertionError, TimeoutError):
        said = [text_of(m) for m in modmail.emu.messages(channel) if m["id"] not in before][-3:]
        if payload is not None:
            said += [text_of(r.get("data") or {}) for r in modmail.emu.interaction_responses(payload["id"])]
        return f"{row.form} {row.name!r}: no sign of {expect!r}; the bot said {said}"
    return None


def answered(ctx: Context, channel: int, before: dict, payload: dict | None, phrase: str) -> bool:
    """The phrase is in a new (or changed) message of the bot in the channel, or in the answer to
    the slash command."""
    bot = str(ctx.modmail.emu.bot_id)
    wanted = phrase.lower()
    for message in ctx.modmail.emu.messages(channel):
        text = text_of(message)
        if message["author"]["id"] == bot and wanted in text.lower() and before.get(message["id"]) != text:
            return True
    if payload is not None:
        for response in ctx.modmail.emu.interaction_responses(payload["id"]):
            if wanted in text_of(response.get("data") or {}).lower():
                return True
    return False


async def drive_all(modmail: Modmail, rows: list[RustmailName]) -> None:
    ctx = await context(modmail)
    failures = [failure for row in rows if (failure := await drive(ctx, row))]
    assert failures == [], "\n".join(failures)


# --- the table itself -------------------------------------------------------------------------------
@pytest_asyncio.fixture
async def bot_offline() -> AsyncIterator[ModmailBot]:
    """The bot with every cog loaded, never connected (its commands as they are registered)."""
    runner = ServiceRunner(threads=1)
    bot = ModmailBot(cfg=BotConfig(), runner=runner)
    yield bot
    await bot.close()
    runner.executor.shutdown(wait=True)


async def test_every_text_name_of_the_table_resolves_to_its_command(bot_offline):
    wrong = {
        row.name: getattr(bot_offline.get_command(row.name), "qualified_name", None)
        for row in RUSTMAIL_NAMES
        if row.form == "text"
        and getattr(bot_offline.get_command(row.name), "qualified_name", None) != row.command
    }
    assert wrong == {}, "Rustmail text names that run another command, or nothing"


async def test_every_argument_of_the_table_follows_a_command(bot_offline):
    orphans = [
        row.name
        for row in RUSTMAIL_NAMES
        if row.form == "argument" and bot_offline.get_command(row.name.split()[0]) is None
    ]
    assert orphans == []


async def test_every_context_menu_of_the_table_is_registered(bot_offline):
    kinds = {
        "user menu": nextcord.ApplicationCommandType.user,
        "message menu": nextcord.ApplicationCommandType.message,
    }
    registered = {(c.type, c.name) for c in bot_offline.get_all_application_commands()}
    missing = [
        r.name for r in RUSTMAIL_NAMES if r.form in kinds and (kinds[r.form], r.name) not in registered
    ]
    assert missing == []


async def test_every_slash_name_and_option_of_the_table_is_registered(bot_offline):
    leaves = dict(slash_leaves(bot_offline.get_all_application_commands()))
    missing = [row.name for row in RUSTMAIL_NAMES if row.form == "slash" and row.name not in leaves]
    assert missing == []
    options = [row.name.rsplit(" ", 1) for row in RUSTMAIL_NAMES if row.form == "option"]
    absent = [f"{c} {o}" for c, o in options if c not in leaves or o not in leaves[c].options]
    assert absent == []


async def test_every_command_of_the_table_has_an_end_to_end_case():
    assert {row.command for row in RUSTMAIL_NAMES} <= set(CASES)
    assert set(NOT_DRIVEN) <= {row.name for row in RUSTMAIL_NAMES if row.form == "option"}


# --- end to end ---------------------------------------------------------------------------------------
async def test_every_rustmail_text_name_runs_its_command(modmail):
    await drive_all(modmail, [row for row in RUSTMAIL_NAMES if row.form == "text"])


async def test_every_rustmail_context_menu_runs_its_command(modmail):
    await drive_all(modmail, [row for row in RUSTMAIL_NAMES if row.form.endswith("menu")])


async def test_every_rustmail_argument_word_is_understood(modmail):
    await drive_all(modmail, [row for row in RUSTMAIL_NAMES if row.form == "argument"])


async def test_every_rustmail_slash_name_runs_its_command(modmail):
    await drive_all(modmail, [row for row in RUSTMAIL_NAMES if row.form == "slash"])


async def test_every_rustmail_slash_option_is_taken(modmail):
    rows = [r for r in RUSTMAIL_NAMES if r.form == "option" and r.name not in NOT_DRIVEN]
    await drive_all(modmail, rows)

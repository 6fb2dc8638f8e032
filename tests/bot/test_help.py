"""help and help <command>, and the descriptions of every command and option, in English and French.

The description checks iterate over the commands the bot registers, so a new command, alias or
option is held to them without being listed here: each text command has a summary, each of its
arguments and flags a meaning, each example an explanation, and who may use it; each slash command,
subcommand and option has a description within Discord's 100 characters; all of it has a French
translation that differs from the English (checked string by string), and the slash commands carry
it to Discord as their French localization.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import nextcord
import pytest
import pytest_asyncio
from django.utils import translation
from nextcord.ext import commands

from botrunner.bot import ModmailBot
from botrunner.commanddocs import (
    DESCRIPTION_LIMIT,
    Doc,
    HelpEntry,
    help_entry,
    slash_leaves,
    slash_nodes,
)
from botrunner.runtime import ServiceRunner
from botrunner.rustmail_names import slash_aliases
from tickets.models import BotConfig

from .conftest import Modmail, bot_says, text_of
from .conftest import slash_said as slash

pytestmark = [pytest.mark.asyncio]

DISCORD_SLASH_COMMANDS_PER_SCOPE = 100
DISCORD_OPTIONS_PER_COMMAND = 25
DISCORD_MENUS_PER_KIND = 5
# English strings that are the same word in French.
SAME_IN_FRENCH: set[str] = set()


def french(text: str) -> str:
    with translation.override("fr"):
        return translation.gettext(text)


@pytest_asyncio.fixture
async def bot() -> AsyncIterator[ModmailBot]:
    """The bot with every cog loaded, never connected: its commands as it registers them."""
    runner = ServiceRunner(threads=1)
    loaded = ModmailBot(cfg=BotConfig(), runner=runner)
    yield loaded
    await loaded.close()
    runner.executor.shutdown(wait=True)


def entries(bot: ModmailBot) -> Iterator[HelpEntry]:
    for command in bot.walk_commands():
        yield help_entry(bot, command, slash_aliases(command.qualified_name))


def help_strings(entry: HelpEntry) -> Iterator[tuple[str, str]]:
    """(what, msgid) for every string help shows about a command."""
    name = entry.command.qualified_name
    yield f"{name}: summary", entry.summary
    yield f"{name}: who may use it", entry.permission
    for arg in entry.args:
        yield f"{name} {arg.name}", arg.help
    for example in entry.examples:
        yield f"{name} example {example.line!r}", example.does


def untranslated(strings: Iterator[tuple[str, str]]) -> list[str]:
    problems = []
    for what, text in strings:
        if not text or not text.strip():
            problems.append(f"{what}: no description")
        elif french(text) == text and text not in SAME_IN_FRENCH:
            problems.append(f"{what}: no French for {text!r}")
    return problems


# --- every command and option described, in both languages ----------------------------------------
async def test_every_text_command_argument_and_example_is_explained_in_english_and_french(bot):
    problems = [p for entry in entries(bot) for p in untranslated(help_strings(entry))]
    assert problems == [], "\n".join(problems)


async def test_every_argument_of_a_text_command_is_in_its_help(bot):
    """A documented command lists arguments when it takes some; an undocumented one gets each
    argument's meaning from its slash twin's option of the same name."""
    missing = []
    for entry in entries(bot):
        params = list(entry.command.clean_params)
        # A group's words are its subcommands, each explained in its own help.
        grouped = isinstance(entry.command, commands.Group)
        if params and not grouped and not [a for a in entry.args if a.text]:
            missing.append(f"{entry.command.qualified_name}: takes {params}, explains none")
        if entry.command.extras.get("doc") is None:
            missing += [
                f"{entry.command.qualified_name} {a.name}: no meaning" for a in entry.args if not a.help
            ]
    assert missing == []


async def test_every_slash_command_and_option_is_described_in_both_languages_within_discords_limits(bot):
    problems = []
    for node in slash_nodes(bot.get_all_application_commands()):
        described = [(f"/{node.name}", node)] + [
            (f"/{node.name} {name}", option)
            for name, option in (getattr(node, "options", None) or {}).items()
        ]
        for what, item in described:
            english = item.description
            french_text = (item.description_localizations or {}).get("fr")
            if not english or english == nextcord.application_command.DEFAULT_SLASH_DESCRIPTION:
                problems.append(f"{what}: no description")
                continue
            if len(english) > DESCRIPTION_LIMIT:
                problems.append(f"{what}: {len(english)} characters in English")
            if not french_text or french_text != french(english) or french_text == english:
                problems.append(f"{what}: no French description for {english!r}")
            elif len(french_text) > DESCRIPTION_LIMIT:
                problems.append(f"{what}: {len(french_text)} characters in French")
        if len(getattr(node, "options", None) or {}) > DISCORD_OPTIONS_PER_COMMAND:
            problems.append(f"/{node.name}: more than {DISCORD_OPTIONS_PER_COMMAND} options")
    assert problems == [], "\n".join(problems)


async def test_slash_options_say_what_the_help_says(bot):
    """One source: a slash option's description is the meaning help gives the same argument."""
    by_name = dict(slash_leaves(bot.get_all_application_commands()))
    differ = []
    for command in bot.walk_commands():
        doc: Doc | None = command.extras.get("doc")
        if doc is None:
            continue
        for name in [command.qualified_name, *slash_aliases(command.qualified_name)]:
            twin = by_name.get(name)
            if twin is None:
                continue
            if twin.description != doc.summary:
                differ.append(f"/{name}: {twin.description!r} is not {doc.summary!r}")
            for option_name, option in twin.options.items():
                try:
                    meaning = doc.option(option_name)
                except KeyError:
                    differ.append(f"/{name} {option_name}: not in the help of {command.qualified_name}")
                    continue
                if option.description != meaning:
                    differ.append(f"/{name} {option_name}: {option.description!r} is not {meaning!r}")
    assert differ == [], "\n".join(differ)


async def test_the_slash_commands_fit_in_discords_limit_per_scope(bot):
    top_level = [
        c for c in bot.get_all_application_commands() if c.type == nextcord.ApplicationCommandType.chat_input
    ]
    names = [c.name for c in top_level]
    assert len(names) == len(set(names))
    assert len(top_level) <= DISCORD_SLASH_COMMANDS_PER_SCOPE, sorted(names)
    for kind in (nextcord.ApplicationCommandType.user, nextcord.ApplicationCommandType.message):
        menus = [c.name for c in bot.get_all_application_commands() if c.type == kind]
        assert len(menus) <= DISCORD_MENUS_PER_KIND, menus


# --- help, end to end ------------------------------------------------------------------------------
def fields(message: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for e in message.get("embeds") or [] for f in e.get("fields") or []}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form", ["text", "slash"])
async def test_help_close_explains_durations_flags_aliases_examples_and_who_may_use_it(modmail, form):
    channel = modmail.demo.general_channel_id
    if form == "text":
        await modmail.staff_says(channel, "!help close")
        answer = await bot_says(modmail, channel, "Usage")
    else:
        answer = await slash(modmail, "help", channel, {"command": "close"})
        assert answer["flags"] & 64
    shown = fields(answer)
    assert "`!close [duration] [-s|--silent] [-c|--cancel]`" in shown["Usage"]
    assert "/close [time] [silent] [cancel] [time_before_close]" in shown["Usage"]
    arguments = shown["Arguments"]
    for expected in ("`duration`", "30m, 2h, 1d, 1d12h", "`-s, --silent`", "`-c, --cancel`", "close message"):
        assert expected in arguments
    assert "`time_before_close`" in arguments
    assert shown["Aliases"] == "`!c`"
    assert "`!close 2h`" in shown["Examples"] and "`!close -c`" in shown["Examples"]
    assert "inbox category" in shown["Who can use it"]


@pytest.mark.django_db(transaction=True)
async def test_help_explains_anonreply_and_names_rustmail_slash_aliases(modmail):
    channel = modmail.demo.general_channel_id
    await modmail.staff_says(channel, "!help ar")
    anonreply = await bot_says(modmail, channel, "!anonreply")
    assert "without your name" in text_of(anonreply)
    assert "`message`" in fields(anonreply)["Arguments"]
    await modmail.staff_says(channel, "!help am")
    add_staff = fields(await bot_says(modmail, channel, "!add_staff"))
    assert {"`!addmod`", "`!am`", "`/addmod`"} <= set(add_staff["Aliases"].split(", "))
    assert "/addmod <target>" in add_staff["Usage"] and "/add_staff <user>" in add_staff["Usage"]
    answer = await slash(modmail, "help", channel, {"command": "/category roles clear"})
    assert "!category roles clear <name>" in text_of(answer)
    await modmail.staff_says(channel, "!help frobnicate")
    await bot_says(modmail, channel, "no command named frobnicate")


@pytest.mark.django_db(transaction=True)
async def test_help_lists_every_command_with_its_summary(modmail):
    channel = modmail.demo.general_channel_id
    await modmail.staff_says(channel, "!help")
    await bot_says(modmail, channel, "Commands")
    bot = str(modmail.emu.bot_id)

    def listing() -> str:
        return "\n".join(text_of(m) for m in modmail.emu.messages(channel) if m["author"]["id"] == bot)

    for command in modmail.bot.commands:
        summary = help_entry(modmail.bot, command).summary
        await modmail.emu.wait_for(lambda c=command, s=summary: f"!{c.name}" in listing() and s in listing())


@pytest.mark.django_db(transaction=True)
async def test_help_in_french_translates_every_string(modmail: Modmail):
    await modmail.reload_config(language_default_language="fr")
    channel = modmail.demo.general_channel_id
    for name in ("close", "add_staff", "category roles clear", "logs"):
        await modmail.staff_says(channel, f"!help {name}")
        answer = await bot_says(modmail, channel, f"!{name}")
        shown = text_of(answer)
        entry = help_entry(modmail.bot, modmail.bot.get_command(name))
        for what, text in help_strings(entry):
            assert french(text) in shown, f"{what}: {french(text)!r} not shown"
        assert {"Utilisation", "Paramètres", "Exemples", "Qui peut l'utiliser"} <= set(fields(answer))
    await modmail.staff_says(channel, "!help")
    listing = text_of(await bot_says(modmail, channel, "Commandes"))
    assert french(help_entry(modmail.bot, modmail.bot.get_command("anonreply")).summary) in listing


@pytest.mark.django_db(transaction=True)
async def test_discord_receives_every_slash_description_in_french(modmail):
    """What the emulator registered: each command, subcommand and option with its French text."""

    def walk(items: list[dict[str, Any]], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for item in items:
            where = f"{path} {item['name']}".strip()
            yield where, item
            yield from walk(item.get("options") or [], where)

    # Context menus (user, message) have no description on Discord.
    registered = [c for c in modmail.emu.commands(modmail.demo.guild_id) if int(c.get("type", 1)) == 1]
    assert registered
    missing = [
        where
        for where, item in walk(registered, "")
        if french(item["description"]) == item["description"]
        or (item.get("description_localizations") or {}).get("fr") != french(item["description"])
    ]
    assert missing == []
    wanted = modmail.bot.get_all_application_commands()
    assert len(registered) == len([c for c in wanted if c.type == nextcord.ApplicationCommandType.chat_input])


@pytest.mark.django_db(transaction=True)
async def test_discord_receives_the_choices_of_status_in_french(modmail):
    status = next(c for c in modmail.emu.commands(modmail.demo.guild_id) if c["name"] == "status")
    choices = {c["value"]: c for c in status["options"][0]["choices"]}

    assert set(choices) == {"online", "idle", "dnd", "invisible", "maintenance"}
    assert choices["dnd"]["name"] == "Do not disturb"
    assert choices["dnd"]["name_localizations"]["fr"] == french("Do not disturb") != "Do not disturb"
    assert choices["online"]["name_localizations"]["fr"] == "En ligne"

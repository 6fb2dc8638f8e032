"""Rules every cog keeps, checked by loading each module of ``botrunner.bot.COGS`` into a ModmailBot
(no connection, no database: loading a cog must touch neither).

- No two text commands share a name or alias (nor two subcommands of one group).
- No two slash commands share a name (nor two subcommands of one group).
- Every cog module registers something: a text command, a slash command or a listener.
- Every slash command, subcommands included, has a text twin of the same (qualified) name, unless
  it is listed in ``SLASH_WITHOUT_TEXT_TWIN`` with the reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import nextcord
import pytest
import pytest_asyncio
from nextcord.ext import commands

from botrunner.bot import COGS, ModmailBot
from botrunner.runtime import ServiceRunner
from tickets.models import BotConfig

pytestmark = [pytest.mark.asyncio]

# Slash commands that have no text form on purpose: qualified name → why.
SLASH_WITHOUT_TEXT_TWIN: dict[str, str] = {}


@dataclass
class Module:
    """What one module of COGS added to the bot."""

    name: str
    cogs: list[commands.Cog] = field(default_factory=list)

    @property
    def text_commands(self) -> list[commands.Command]:
        return [c for cog in self.cogs for c in cog.walk_commands()]

    @property
    def slash_commands(self) -> list[nextcord.BaseApplicationCommand]:
        return [c for cog in self.cogs for c in cog.application_commands]

    @property
    def listeners(self) -> list[str]:
        return [name for cog in self.cogs for name, _ in cog.get_listeners()]


@dataclass
class Loaded:
    bot: ModmailBot
    modules: list[Module]


@pytest_asyncio.fixture
async def loaded() -> AsyncIterator[Loaded]:
    """Every cog module loaded one by one into a bot that never connects."""
    runner = ServiceRunner(threads=1)
    bot = ModmailBot(cfg=BotConfig(), runner=runner, cogs=())
    modules = []
    for name in COGS:
        before = set(bot.cogs)
        bot.load_extension(name)
        modules.append(Module(name, [bot.cogs[c] for c in set(bot.cogs) - before]))
    yield Loaded(bot, modules)
    await bot.close()
    runner.executor.shutdown(wait=True)


def slash_names(
    command: nextcord.BaseApplicationCommand | nextcord.SlashApplicationSubcommand,
) -> Iterator[str]:
    """The qualified names a slash command answers to: itself, or each leaf of its groups."""
    children = getattr(command, "children", {}) or {}
    if not children:
        yield command.qualified_name if hasattr(command, "qualified_name") else command.name
        return
    for child in children.values():
        yield from slash_names(child)


def duplicates(names: list[str]) -> list[str]:
    return sorted(name for name, count in Counter(n.lower() for n in names).items() if count > 1)


async def test_every_cog_module_registers_a_command_or_a_listener(loaded):
    empty = [
        m.name
        for m in loaded.modules
        if not m.cogs or not (m.text_commands or m.slash_commands or m.listeners)
    ]
    assert empty == [], f"cog modules that register nothing (placeholders?): {empty}"


async def test_no_two_text_commands_share_a_name_or_alias(loaded):
    top_level = [c for c in loaded.bot.commands]
    assert duplicates([n for c in top_level for n in (c.name, *c.aliases)]) == []
    for group in (c for c in loaded.bot.walk_commands() if isinstance(c, commands.Group)):
        children = list(group.commands)
        assert duplicates([n for c in children for n in (c.name, *c.aliases)]) == [], group.qualified_name


async def test_no_two_slash_commands_share_a_name(loaded):
    slash = [c for m in loaded.modules for c in m.slash_commands]
    by_type: dict[object, list[str]] = {}
    for command in slash:
        by_type.setdefault(command.type, []).append(command.name)
    for kind, names in by_type.items():
        assert duplicates(names) == [], f"{kind.name} commands registered twice"
    # Discord allows a slash command and a context menu of the same name (Rustmail's new_thread).
    chat_input = [c for c in slash if c.type == nextcord.ApplicationCommandType.chat_input]
    leaves = [name for command in chat_input for name in slash_names(command)]
    assert duplicates(leaves) == []


async def test_every_slash_command_has_a_text_twin(loaded):
    slash = [c for m in loaded.modules for c in m.slash_commands]
    leaves = [name for command in slash for name in slash_names(command)]
    assert leaves, "no slash command at all"
    missing = [
        name
        for name in leaves
        if name not in SLASH_WITHOUT_TEXT_TWIN and loaded.bot.get_command(name) is None
    ]
    assert missing == [], f"slash commands without a text twin: {missing}"


async def test_the_exemptions_name_real_slash_commands(loaded):
    slash = [c for m in loaded.modules for c in m.slash_commands]
    leaves = {name for command in slash for name in slash_names(command)}
    assert set(SLASH_WITHOUT_TEXT_TWIN) <= leaves

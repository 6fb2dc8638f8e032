"""``help`` and ``help <command>``, in the bot's language.

The list shows every command with its usage, aliases and summary; ``help <command>`` adds each
argument and flag with its meaning, the slash form and its options, the Rustmail names it answers
to, examples, and who may use it. Everything comes from the commands' :class:`~botrunner.commanddocs.Doc`
(or, for a command without one, its description and its slash twin's option descriptions), so the
help and the slash commands say the same thing.
"""

from __future__ import annotations

import nextcord
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from nextcord.ext import commands

from botrunner.bot import ModmailBot
from botrunner.commanddocs import Arg, Doc, Example, HelpEntry, help_entry, slash_usage
from botrunner.invocation import Invocation
from botrunner.rustmail_names import slash_aliases

HELP = Doc(
    summary=gettext_noop("List the commands, or explain one: arguments, flags, examples, who may use it"),
    usage="[command]",
    args=(Arg("command", gettext_noop("The command to explain, by its name or an alias (e.g. close, am)")),),
    examples=(
        Example("help", gettext_noop("lists every command")),
        Example("help close", gettext_noop("explains close: durations, -s, -c, examples")),
        Example("/help command:snippet create", gettext_noop("explains a subcommand")),
    ),
)

EMBED_LIMIT = 4096
FIELD_LIMIT = 1024


class Help(commands.Cog):
    """help."""

    def __init__(self, bot: ModmailBot) -> None:
        self.bot = bot

    # --- the command, once -----------------------------------------------------------------
    async def _help(self, inv: Invocation, name: str) -> None:
        prefix = self.bot.cfg.command_prefix or "!"
        with inv.language():
            if name.strip():
                command = self.find(name, prefix)
                if command is None:
                    await inv.fail(
                        _("There is no command named %(name)s. %(prefix)shelp lists them.")
                        % {"name": name.strip(), "prefix": prefix}
                    )
                await inv.answer(embed=self.command_embed(command, prefix))
                return
            lines = [self._line(command, prefix) for command in self._listed(self.bot.commands)]
            footer = _("%(prefix)shelp <command> explains one; every command also exists as /command.") % {
                "prefix": prefix
            }
            for index, part in enumerate(_split(lines, EMBED_LIMIT)):
                embed = nextcord.Embed(description=part, color=self._color())
                if index == 0:
                    embed.title = _("Commands")
                embed.set_footer(text=footer)
                await inv.answer(embed=embed)

    def find(self, name: str, prefix: str) -> commands.Command | None:
        """A command by name, alias or slash name, typed with or without ``!`` or ``/``."""
        words = name.strip().lower().split()
        if words:
            words[0] = words[0].removeprefix(prefix).removeprefix("/")
        command = self.bot.get_command(" ".join(words))
        return None if command is None or command.hidden else command

    def entry(self, command: commands.Command) -> HelpEntry:
        return help_entry(self.bot, command, slash_aliases(command.qualified_name))

    def command_embed(self, command: commands.Command, prefix: str) -> nextcord.Embed:
        """Everything about one command, in the active language."""
        entry = self.entry(command)
        embed = nextcord.Embed(
            title=f"{prefix}{command.qualified_name}",
            description=_(entry.summary) if entry.summary else None,
            color=self._color(),
        )
        usage = ["`" + f"{prefix}{command.qualified_name} {entry.usage}".strip() + "`"]
        usage += [f"`{slash_usage(name, twin)}`" for name, twin in entry.slash]
        embed.add_field(name=_("Usage"), value="\n".join(usage)[:FIELD_LIMIT], inline=False)
        if entry.args:
            lines = [self._arg_line(arg, entry) for arg in entry.args]
            embed.add_field(name=_("Arguments"), value="\n".join(lines)[:FIELD_LIMIT], inline=False)
        names = [f"`{prefix}{_qualified_alias(command, alias)}`" for alias in command.aliases]
        names += [f"`/{name}`" for name, _twin in entry.slash if name != command.qualified_name]
        if names:
            embed.add_field(name=_("Aliases"), value=", ".join(names), inline=False)
        if isinstance(command, commands.Group):
            subcommands = self._listed(command.commands)
            value = "\n".join(self._line(sub, prefix, usage=True) for sub in subcommands)
            embed.add_field(name=_("Subcommands"), value=value[:FIELD_LIMIT], inline=False)
        if entry.examples:
            value = "\n".join(self._example(example, prefix) for example in entry.examples)
            embed.add_field(name=_("Examples"), value=value[:FIELD_LIMIT], inline=False)
        embed.add_field(name=_("Who can use it"), value=_(entry.permission), inline=False)
        return embed

    def _line(self, command: commands.Command, prefix: str, *, usage: bool = False) -> str:
        """``!close`` (!c) — summary; with ``usage``, its arguments too (the list of every command
        leaves them to ``help <command>``, so that it fits in one message)."""
        entry = self.entry(command)
        shown = f"{prefix}{command.qualified_name} {entry.usage if usage else ''}".strip()
        line = f"`{shown}`"
        if command.aliases:
            line += " (" + ", ".join(f"{prefix}{a}" for a in command.aliases) + ")"
        return f"{line} — {_(entry.summary)}" if entry.summary else line

    @staticmethod
    def _arg_line(arg: Arg, entry: HelpEntry) -> str:
        slash_options = {name for _name, twin in entry.slash for name in twin.options}
        given = [name for name in arg.slash_names if name in slash_options]
        if arg.text:
            head = f"`{arg.name}`"
            if given and given != [arg.name]:
                head += " (/: " + ", ".join(f"`{name}`" for name in given) + ")"
        else:
            head = "/: " + ", ".join(f"`{name}`" for name in given or arg.slash_names)
        return f"{head} — {_(arg.help)}" if arg.help else head

    @staticmethod
    def _example(example: Example, prefix: str) -> str:
        line = example.line if example.line.startswith("/") else f"{prefix}{example.line}"
        return f"`{line}` — {_(example.does)}"

    @staticmethod
    def _listed(found: object) -> list[commands.Command]:
        return sorted((c for c in found if not c.hidden), key=lambda c: c.name)

    def _color(self) -> int:
        return int(self.bot.cfg.thread_system_message_color or "faa81a", 16)

    # --- entry points ----------------------------------------------------------------------
    @nextcord.slash_command(name="help", description=HELP.summary)
    async def help_slash(
        self,
        interaction: nextcord.Interaction,
        command: str = nextcord.SlashOption(description=HELP.option("command"), required=False, default=""),
    ) -> None:
        await self._help(Invocation(self.bot, interaction=interaction), command)

    @commands.command(name="help", **HELP.text())
    async def help_text(self, ctx: commands.Context, *, command: str = "") -> None:
        await self._help(Invocation(self.bot, ctx=ctx), command)


def _qualified_alias(command: commands.Command, alias: str) -> str:
    parent = command.full_parent_name
    return f"{parent} {alias}" if parent else alias


def _split(lines: list[str], limit: int) -> list[str]:
    """Join lines into as few texts of at most ``limit`` characters as possible."""
    parts: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            parts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    return [*parts, current] if current else parts


def setup(bot: ModmailBot) -> None:
    bot.add_cog(Help(bot))

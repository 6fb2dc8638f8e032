"""What a staff command does, written once and read by both of its forms.

A cog declares one :class:`Doc` per command: a summary, every argument and flag with its meaning,
examples, and who may use it. The text command carries it (``@commands.command(..., **DOC.text())``)
and ``help`` shows it; the slash command takes its description and each option's description from
the same ``Doc`` (``DOC.summary``, ``DOC.option("time")``). The strings are English msgids
(``gettext_noop``): ``help`` translates them in the bot's language, and :func:`localize_slash_commands`
gives every slash command and option its French description, which Discord shows to French clients.

A command without a ``Doc`` is still explained: its description, and its arguments as described by
its slash twin's options of the same name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import nextcord
from django.utils import translation
from django.utils.translation import gettext_noop
from nextcord.ext import commands

STAFF = gettext_noop("Staff: members of the staff server who can see the inbox category")
ADMIN = gettext_noop("Administrators: the Administrator permission, or the panel's super admins")

# Discord's limit for a command's or an option's description, in every language.
DESCRIPTION_LIMIT = 100
# Languages the slash commands are described in besides English (Discord locale → Django language).
SLASH_LOCALES = {"fr": "fr"}


@dataclass(frozen=True)
class Arg:
    """One argument or flag. ``name`` is how the text form writes it (``duration``, ``-s, --silent``);
    ``slash`` names the slash options with the same meaning (default: ``name``; empty for a text-only
    flag means the same); ``text=False`` marks an option only the slash form has."""

    name: str
    help: str
    slash: tuple[str, ...] | None = None
    text: bool = True

    @property
    def slash_names(self) -> tuple[str, ...]:
        return (self.name,) if self.slash is None else self.slash


@dataclass(frozen=True)
class Example:
    """A command line (without the prefix; a slash form starts with ``/``) and what it does."""

    line: str
    does: str


@dataclass(frozen=True)
class Doc:
    """Everything ``help`` says about a command, and the source of its slash descriptions."""

    summary: str
    usage: str | None = None
    args: tuple[Arg, ...] = ()
    examples: tuple[Example, ...] = ()
    permission: str = STAFF

    def option(self, name: str) -> str:
        """The description of the slash option ``name`` (an argument's meaning)."""
        for arg in self.args:
            if name in arg.slash_names:
                return arg.help
        raise KeyError(f"no argument of {self.summary!r} is the slash option {name!r}")

    def text(self) -> dict[str, Any]:
        """Keyword arguments for ``@commands.command``: description, usage and this Doc."""
        kwargs: dict[str, Any] = {"description": self.summary, "extras": {"doc": self}}
        if self.usage is not None:
            kwargs["usage"] = self.usage
        return kwargs


@dataclass
class HelpEntry:
    """What ``help <command>`` shows, for a documented command or not."""

    command: commands.Command
    summary: str
    usage: str
    args: list[Arg]
    examples: list[Example]
    permission: str
    slash: list[tuple[str, Any]] = field(default_factory=list)


def slash_leaves(commands_: Iterable[Any], parent: str = "") -> Iterator[tuple[str, Any]]:
    """``(qualified name, command)`` of every slash command or subcommand that runs something
    (groups are walked, not listed): ``("category roles add", ...)``."""
    for command in commands_:
        if not _chat_input(command):
            continue
        name = f"{parent} {command.name}".strip()
        children = getattr(command, "children", None) or {}
        if children:
            yield from slash_leaves(children.values(), name)
        else:
            yield name, command


def _chat_input(command: Any) -> bool:
    """A slash command or one of its subcommands (not a user or message context menu)."""
    if isinstance(command, nextcord.BaseApplicationCommand):
        return command.type == nextcord.ApplicationCommandType.chat_input
    return True


def slash_nodes(commands_: Iterable[Any]) -> Iterator[Any]:
    """Every slash command, subcommand group and subcommand (all carry a description)."""
    for command in commands_:
        if not _chat_input(command):
            continue
        yield command
        yield from slash_nodes((getattr(command, "children", None) or {}).values())


def slash_twins(
    bot: commands.Bot, command: commands.Command, aliases: Iterable[str] = ()
) -> list[tuple[str, Any]]:
    """``(name, slash command)`` of the slash commands that run ``command``: the one of the same
    qualified name, then ``aliases`` (its other slash names, in the order given)."""
    by_name = dict(slash_leaves(bot.get_all_application_commands()))
    names = [command.qualified_name, *aliases]
    return [(n, by_name[n]) for n in dict.fromkeys(names) if n in by_name]


def help_entry(bot: commands.Bot, command: commands.Command, slash_aliases: Iterable[str] = ()) -> HelpEntry:
    """What there is to say about ``command`` (untranslated msgids)."""
    twins = slash_twins(bot, command, slash_aliases)
    signature = command.signature
    doc: Doc | None = command.extras.get("doc")
    if doc is not None:
        return HelpEntry(
            command=command,
            summary=doc.summary,
            usage=signature,
            args=list(doc.args),
            examples=list(doc.examples),
            permission=doc.permission,
            slash=twins,
        )
    options = {name: option for _name, twin in twins for name, option in twin.options.items()}
    args = [
        Arg(name, _described(options.get(name)), slash=(name,) if name in options else ())
        for name in command.clean_params
    ]
    args += [
        Arg(name, _described(option), text=False)
        for name, option in options.items()
        if name not in command.clean_params
    ]
    summary = command.description or (twins[0][1].description if twins else "") or command.short_doc
    return HelpEntry(
        command=command,
        summary=summary or "",
        usage=signature,
        args=args,
        examples=[],
        permission=STAFF,
        slash=twins,
    )


def _described(option: Any) -> str:
    description = getattr(option, "description", "") or ""
    return "" if description == nextcord.application_command.DEFAULT_SLASH_DESCRIPTION else description


def slash_usage(name: str, command: Any) -> str:
    """``/close [time] [silent] [cancel]``: required options in angle brackets."""
    parts = [f"/{name}"]
    for name, option in command.options.items():
        parts.append(f"<{name}>" if option.required else f"[{name}]")
    return " ".join(parts)


def translated(text: str, language: str) -> str:
    """``text`` (an English msgid) in ``language``."""
    with translation.override(language):
        return translation.gettext(text)


def localize_slash_commands(commands_: Iterable[Any]) -> None:
    """Give every slash command, subcommand and option its descriptions in ``SLASH_LOCALES``."""
    for node in slash_nodes(commands_):
        node.description_localizations = _localizations(node.description)
        for option in (getattr(node, "options", None) or {}).values():
            option.description_localizations = _localizations(option.description)
            if isinstance(getattr(option, "choices", None), dict):  # names shown to people
                named = {str(name): _localizations(str(name)) for name in option.choices}
                option.choice_localizations = {name: found for name, found in named.items() if found} or None


def _localizations(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    found = {locale: translated(text, language) for locale, language in SLASH_LOCALES.items()}
    return {locale: value for locale, value in found.items() if value != text} or None

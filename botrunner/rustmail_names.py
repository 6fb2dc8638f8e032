"""Every command name, alias and slash option name that Rustmail's source or its documentation uses,
and the command of this bot that answers to it. Staff coming from Rustmail type these.

- Text names are the command's name or one of its aliases (``!am`` is ``add_staff``).
- A slash name other than the command's own is registered as a slash command of its own that runs
  the same code (Discord has no aliases for slash commands): ``/addmod`` and ``/add_staff`` both
  exist. Each such name takes one of Discord's 100 slash commands per scope.
- An option name is an option of that slash command (``/close time_before_close`` and
  ``/close time`` both exist; Rustmail's source and its guide disagree, so both are accepted).
- An argument is a word Rustmail reads after a command to pick another action or a flag
  (``!remind subscribe <role>``, ``!alert c``, ``!close -s``).
- A menu is a context menu command (right-click → Apps): on a member (``new_thread``,
  ``delmod``) or on a message (``delete``, on a reply's copy in the ticket channel). Discord
  allows 5 of each kind per scope, apart from the 100 slash commands.

``help`` lists a command's Rustmail slash names with its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SOURCE = "source"
DOCS = "docs"
BOTH = "source, docs"


@dataclass(frozen=True)
class RustmailName:
    """``form``: how it is typed; ``name``: as typed (``close time_before_close`` for an option of
    ``/close``); ``command``: the qualified name of the command here; ``where``: where Rustmail uses it."""

    form: Literal["text", "argument", "slash", "option", "user menu", "message menu"]
    name: str
    command: str
    where: str


def _text(command: str, *names: str, where: str = SOURCE) -> list[RustmailName]:
    return [RustmailName("text", name, command, where) for name in names]


def _arguments(command: str, *names: str, where: str = SOURCE) -> list[RustmailName]:
    return [RustmailName("argument", name, command, where) for name in names]


def _slash(command: str, name: str, where: str = SOURCE) -> RustmailName:
    return RustmailName("slash", name, command, where)


def _options(slash: str, command: str, *options: str, where: str = SOURCE) -> list[RustmailName]:
    return [RustmailName("option", f"{slash} {option}", command, where) for option in options]


RUSTMAIL_NAMES: tuple[RustmailName, ...] = (
    # Text commands and aliases: Rustmail's guild message handler, then its guide.
    *_text("reply", "reply", "r", where=BOTH),
    *_text("anonreply", "anonreply", "ar", where=BOTH),
    *_text("edit", "edit", "e", where=BOTH),
    *_text("delete", "delete", where=BOTH),
    *_text("close", "close", where=BOTH),
    *_text("close", "c"),
    *_text("force_close", "force_close", where=BOTH),
    *_text("force_close", "fc"),
    *_text("recover", "recover", where=BOTH),
    *_text("alert", "alert", where=BOTH),
    *_text("move_thread", "move", "mv"),
    *_text("move_thread", "move_thread", where=DOCS),
    *_text("new_thread", "new_thread", where=BOTH),
    *_text("new_thread", "nt"),
    *_text("add_staff", "addmod", "am"),
    *_text("add_staff", "add_staff", where=DOCS),
    *_text("remove_staff", "delmod", "dm"),
    *_text("remove_staff", "remove_staff", where=DOCS),
    *_text("add_reminder", "remind", "rem"),
    *_text("add_reminder", "add_reminder", where=DOCS),
    *_text("remove_reminder", "unremind", "urem"),
    *_text("remove_reminder", "remove_reminder", where=DOCS),
    *_text("id", "id", where=BOTH),
    *_text("help", "help"),
    *_text("logs", "logs", where=BOTH),
    *_text("take", "take", where=BOTH),
    *_text("release", "release", where=BOTH),
    *_text("ping", "ping"),
    *_text("snippet", "snippet", "s"),
    *_text("status", "status"),
    *_text("category", "category", where=BOTH),
    *_text("rename", "rename", "rn"),
    *_text("baninfo", "baninfo", "bi"),
    # Words read after a command: another action, or a flag.
    *_arguments("reminder_subscription", "remind subscribe", "remind unsubscribe", "rem sub", "rem unsub"),
    *_arguments("alert", "alert cancel", where=BOTH),
    *_arguments("alert", "alert c"),
    *_arguments("close", "close -s", "close -c", where=BOTH),
    *_arguments("close", "close --silent", "close --cancel", "close cancel"),
    # Subcommands typed after their command.
    *_text("snippet create", "snippet create"),
    *_text("snippet list", "snippet list"),
    *_text("snippet show", "snippet show"),
    *_text("snippet edit", "snippet edit"),
    *_text("snippet delete", "snippet delete"),
    *_text("category create", "category create", where=BOTH),
    *_text("category list", "category list", where=BOTH),
    *_text("category rename", "category rename"),
    *_text("category move", "category move"),
    *_text("category delete", "category delete", "category remove"),
    *_text("category enable", "category enable"),
    *_text("category disable", "category disable"),
    *_text("category timeout", "category timeout", where=BOTH),
    *_text("category on", "category on", where=BOTH),
    *_text("category off", "category off", where=BOTH),
    *_text("category roles add", "category roles add"),
    *_text("category roles remove", "category roles remove"),
    *_text("category roles list", "category roles list"),
    *_text("category roles clear", "category roles clear"),
    # Slash commands: the names Rustmail registers, then those its guide shows.
    _slash("reply", "reply", BOTH),
    _slash("edit", "edit", BOTH),
    _slash("delete", "delete", BOTH),
    _slash("close", "close", BOTH),
    _slash("force_close", "force_close", BOTH),
    _slash("recover", "recover", BOTH),
    _slash("alert", "alert", BOTH),
    _slash("move_thread", "move"),
    _slash("move_thread", "move_thread", DOCS),
    _slash("new_thread", "new_thread", BOTH),
    _slash("add_staff", "addmod"),
    _slash("add_staff", "add_staff", DOCS),
    _slash("remove_staff", "delmod"),
    _slash("remove_staff", "remove_staff", DOCS),
    _slash("add_reminder", "remind"),
    _slash("add_reminder", "add_reminder", DOCS),
    _slash("remove_reminder", "unremind"),
    _slash("remove_reminder", "remove_reminder", DOCS),
    _slash("id", "id", BOTH),
    _slash("help", "help"),
    _slash("logs", "logs", BOTH),
    _slash("take", "take", BOTH),
    _slash("release", "release", BOTH),
    _slash("ping", "ping"),
    _slash("status", "status"),
    _slash("rename", "rename"),
    _slash("baninfo", "baninfo"),
    _slash("reminder_subscription", "reminder_subscription"),
    _slash("snippet create", "snippet create"),
    _slash("snippet list", "snippet list"),
    _slash("snippet show", "snippet show"),
    _slash("snippet edit", "snippet edit"),
    _slash("snippet delete", "snippet delete"),
    _slash("snippet use", "snippet use"),
    _slash("category create", "category create", BOTH),
    _slash("category list", "category list", BOTH),
    _slash("category delete", "category delete"),
    _slash("category rename", "category rename"),
    _slash("category move", "category move"),
    _slash("category enable", "category enable"),
    _slash("category disable", "category disable"),
    _slash("category timeout", "category timeout", BOTH),
    _slash("category on", "category on", BOTH),
    _slash("category off", "category off", BOTH),
    _slash("category roles add", "category roles add"),
    _slash("category roles remove", "category roles remove"),
    _slash("category roles list", "category roles list"),
    _slash("category roles clear", "category roles clear"),
    # Context menus Rustmail registers.
    RustmailName("user menu", "new_thread", "new_thread", SOURCE),
    RustmailName("user menu", "delmod", "remove_staff", SOURCE),
    RustmailName("message menu", "delete", "delete", SOURCE),
    # Slash options: Rustmail's source, then its guide where it differs.
    *_options("reply", "reply", "message", "snippet", "attachment", "anonymous"),
    *_options("reply", "reply", "content", where=DOCS),
    *_options("edit", "edit", "message_id", where=BOTH),
    *_options("edit", "edit", "message"),
    *_options("edit", "edit", "new_content", where=DOCS),
    *_options("delete", "delete", "message_id", where=BOTH),
    *_options("close", "close", "time_before_close"),
    *_options("close", "close", "silent", "cancel", where=BOTH),
    *_options("close", "close", "time", where=DOCS),
    *_options("alert", "alert", "cancel", where=BOTH),
    *_options("move", "move_thread", "category"),
    *_options("move_thread", "move_thread", "category", where=DOCS),
    *_options("new_thread", "new_thread", "user_id"),
    *_options("new_thread", "new_thread", "user", where=DOCS),
    *_options("addmod", "add_staff", "target"),
    *_options("add_staff", "add_staff", "user", where=DOCS),
    *_options("delmod", "remove_staff", "target"),
    *_options("remove_staff", "remove_staff", "user", where=DOCS),
    *_options("remind", "add_reminder", "time", "content", "roles"),
    *_options("add_reminder", "add_reminder", "time", "content", where=DOCS),
    *_options("unremind", "remove_reminder", "id"),
    *_options("remove_reminder", "remove_reminder", "reminder_id", where=DOCS),
    *_options("help", "help", "command"),
    *_options("logs", "logs", "id"),
    *_options("status", "status", "mode"),
    *_options("rename", "rename", "label"),
    *_options("baninfo", "baninfo", "query"),
    *_options("reminder_subscription", "reminder_subscription", "action", "role"),
    *_options("snippet create", "snippet create", "key", "content"),
    *_options("snippet show", "snippet show", "key"),
    *_options("snippet edit", "snippet edit", "key", "content"),
    *_options("snippet delete", "snippet delete", "key"),
    *_options("snippet use", "snippet use", "key"),
    *_options("category create", "category create", "discord_category_id", "name", "description", "emoji"),
    *_options("category delete", "category delete", "name"),
    *_options("category rename", "category rename", "old_name", "new_name"),
    *_options("category move", "category move", "name", "position"),
    *_options("category enable", "category enable", "name"),
    *_options("category disable", "category disable", "name"),
    *_options("category timeout", "category timeout", "seconds"),
    *_options("category roles add", "category roles add", "name", "role"),
    *_options("category roles remove", "category roles remove", "name", "role"),
    *_options("category roles list", "category roles list", "name"),
    *_options("category roles clear", "category roles clear", "name"),
)


def slash_aliases(command: str) -> list[str]:
    """The other slash commands that run ``command`` (``add_staff`` → ``addmod``)."""
    return [
        n.name for n in RUSTMAIL_NAMES if n.form == "slash" and n.command == command and n.name != command
    ]

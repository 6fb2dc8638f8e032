"""A prefixed word that names no command, typed in a ticket channel: answered, never kept as a note.

Any other staff message in a ticket channel becomes an internal note. A mistyped command
(``!freply hi``) must not: staff would believe it ran. It gets a short error answer naming the
closest command (deleted after ``error_handling.error_message_ttl`` when
``auto_delete_error_messages`` is on), and nothing is stored or sent to the user.

The known names are the text commands registered on the bot when the message arrives, aliases
included, so a command or alias added later is suggested without any list to update here.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

import nextcord
from django.utils.translation import gettext as _

from .invocation import Invocation

if TYPE_CHECKING:
    from .bot import ModmailBot

# Right after the prefix: a letter or _, then letters, digits, _ or -, up to Discord's 32
# characters for a command name, then a space or the end. "!!", "! note", "!important:" or
# "!2nd try" are notes.
COMMAND_WORD = re.compile(r"(?P<word>[^\W\d][\w-]{0,31})(?=\s|$)")
# difflib's similarity needed for a suggestion (0.6 is its default: "freply" → "reply").
CUTOFF = 0.6


def command_attempt(content: str, prefix: str) -> str | None:
    """The command name a message tries to run, or None when it reads as a note."""
    if not prefix or not content.startswith(prefix):
        return None
    match = COMMAND_WORD.match(content, len(prefix))
    return match.group("word") if match else None


def command_names(bot: ModmailBot) -> list[str]:
    """Every name a text command answers to now: names and aliases, hidden commands left out."""
    return sorted({name.lower() for name, command in bot.all_commands.items() if not command.hidden})


def closest_command(bot: ModmailBot, word: str) -> str | None:
    """The registered name (or alias) nearest to ``word``: the most similar by difflib, else the
    shortest name that starts with it; None when nothing is near."""
    word = word.lower()
    names = command_names(bot)
    close = difflib.get_close_matches(word, names, n=1, cutoff=CUTOFF)
    if close:
        return close[0]
    starting = [name for name in names if len(word) >= 2 and name.startswith(word)]
    return min(starting, key=len) if starting else None


async def answer_unknown_command(bot: ModmailBot, message: nextcord.Message, word: str) -> None:
    """Tell the author that ``word`` is no command (or why they may not use commands here)."""
    prefix = bot.cfg.command_prefix or "!"
    inv = Invocation(bot, ctx=await bot.get_context(message))
    with bot.language():
        refusal = bot.command_refusal(message.author, message.guild)
        if refusal:
            await inv.answer(refusal, error=True)
            return
        typed = f"`{prefix}{word}`"
        suggestion = closest_command(bot, word)
        if suggestion is None:
            text = _("Unknown command %(command)s: %(help)s lists the commands.") % {
                "command": typed,
                "help": f"`{prefix}help`",
            }
        else:
            command = bot.all_commands[suggestion]
            usage = f"{prefix}{suggestion} {command.signature}".strip()
            text = _("Unknown command %(command)s. Did you mean %(suggestion)s?") % {
                "command": typed,
                "suggestion": f"`{usage}`",
            }
        text += "\n" + _("Nothing was sent to the user and no note was kept.")
        await inv.answer(text, error=True)

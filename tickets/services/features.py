"""The features channel (``bot.enable_features`` with ``bot.features_channel_id``) and its polls.

The bot posts one message there with a "Create a poll" button: once, remembered in
:class:`~tickets.models.FeatureMessage`, and posted again only when it was deleted or the channel
changed. The button opens a form (a question and its options); submitting it posts the poll in
the channel the button is in, one numbered line per option, with the matching reactions to vote.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from tickets.discord import DiscordError, DiscordPort, OutgoingMessage, SentMessage, get_port
from tickets.errors import InvalidInput
from tickets.models import BotConfig, FeatureMessage

log = logging.getLogger("rustmail.features")

POLL = "poll"
# The button and the form share this ID: "feature:<feature>:<action>".
POLL_CREATE = "feature:poll:create"
QUESTION_FIELD = "question"
OPTIONS_FIELD = "options"
QUESTION_LENGTH = (3, 200)
OPTIONS_LENGTH = (3, 1000)
OPTION_LENGTH = 200
MAX_OPTIONS = 10
NUMBERS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟")
POLL_COLOR = 0x5865F2
NO_PINGS = {"parse": []}


@dataclass(frozen=True)
class Poll:
    """A question and its options, checked."""

    question: str
    options: tuple[str, ...]


def features_channel(cfg: BotConfig) -> int | None:
    """Where the features message goes, when features are on."""
    if cfg.bot_enable_features and cfg.bot_features_channel_id:
        return int(cfg.bot_features_channel_id)
    return None


def features_message(cfg: BotConfig) -> OutgoingMessage:
    """The message of the features channel: what polls are, and the button that starts one."""
    text = _(
        "Press the button below to create a poll in this channel: write a question and its "
        "options (2 to 10, separated by | or one per line); members vote with the reactions."
    )
    embed = {
        "title": "📊 " + _("Polls"),
        "description": text,
        "color": int(cfg.thread_system_message_color, 16),
    }
    button = {
        "type": 2,
        "style": 3,
        "label": _("Create a poll"),
        "custom_id": POLL_CREATE,
        "emoji": {"name": "📊"},
    }
    return OutgoingMessage(embeds=[embed], components=[{"type": 1, "components": [button]}])


def features_sync(*, port: DiscordPort | None = None) -> bool:
    """Post the features message unless it is already in the features channel; True if posted.

    Run when the bot starts: the message is posted once, not on every start. It is posted again
    when it was deleted or the configured channel changed (then the old one is removed)."""
    cfg = BotConfig.load()
    channel_id = features_channel(cfg)
    if channel_id is None:
        return False
    port = port or get_port()
    stored = FeatureMessage.objects.filter(key=POLL).first()
    if stored is not None:
        if stored.channel_id == channel_id and port.get_message(channel_id, stored.message_id) is not None:
            return False
        if stored.channel_id != channel_id:
            try:
                port.delete(stored.channel_id, stored.message_id)
            except DiscordError as error:
                log.info("The previous features message could not be removed: %s", error)
    # In the language of the configuration read here (the one that turned features on), whatever
    # copy of it the calling bot holds.
    with translation.override(cfg.language_default_language or "en"):
        message = features_message(cfg)
    sent = port.send(channel_id, message)
    FeatureMessage.objects.update_or_create(
        key=POLL, defaults={"channel_id": channel_id, "message_id": sent.id}
    )
    return True


def poll_parse(*, question: str, options: str) -> Poll:
    """Check a poll as typed in the form: options separated by ``|`` or one per line."""
    question = " ".join(question.split())
    low, high = QUESTION_LENGTH
    if not low <= len(question) <= high:
        raise InvalidInput(
            _("The question must be %(low)s to %(high)s characters long.") % {"low": low, "high": high}
        )
    if len(options) > OPTIONS_LENGTH[1]:
        raise InvalidInput(
            _("The options are too long (%(max)s characters at most).") % {"max": OPTIONS_LENGTH[1]}
        )
    choices = [" ".join(o.split()) for o in re.split(r"[|\n]", options)]
    choices = list(dict.fromkeys(c for c in choices if c))
    if not 2 <= len(choices) <= MAX_OPTIONS:
        raise InvalidInput(
            _("A poll needs 2 to %(max)s different options, separated by | or one per line.")
            % {"max": MAX_OPTIONS}
        )
    too_long = next((c for c in choices if len(c) > OPTION_LENGTH), None)
    if too_long is not None:
        raise InvalidInput(_("An option is too long (%(max)s characters at most).") % {"max": OPTION_LENGTH})
    return Poll(question=question, options=tuple(choices))


def poll_message(poll: Poll, *, author_name: str) -> OutgoingMessage:
    """The poll as posted: the question, a numbered line per option, who asked."""
    lines = "\n".join(f"{NUMBERS[i]} {option}" for i, option in enumerate(poll.options))
    embed = {
        "title": f"📊 {poll.question}",
        "description": lines,
        "color": POLL_COLOR,
        "footer": {"text": _("Poll by %(name)s · vote with the reactions") % {"name": author_name}},
    }
    return OutgoingMessage(embeds=[embed], allowed_mentions=NO_PINGS)


def poll_post(
    *, channel_id: int, question: str, options: str, author_name: str, port: DiscordPort | None = None
) -> SentMessage:
    """Post a poll in the channel, with one reaction per option to vote with."""
    if features_channel(BotConfig.load()) is None:
        raise InvalidInput(_("Polls are turned off."))
    poll = poll_parse(question=question, options=options)
    port = port or get_port()
    sent = port.send(channel_id, poll_message(poll, author_name=author_name))
    for i in range(len(poll.options)):
        port.react(channel_id, sent.id, NUMBERS[i])
    return sent

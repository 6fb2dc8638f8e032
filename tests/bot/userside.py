"""What the users'-side tests read: the bot's reactions, relayed copies, stored messages."""

from __future__ import annotations

import re

from tests.fakediscord import guilds as G
from tests.fakediscord import messages as M
from tests.fakediscord.models import Message
from tickets.models import TicketMessage


def bot_reactions(emu, message_id) -> list[str]:
    """The emojis the bot put on a message."""
    message = emu.message(message_id) or {}
    return [r["emoji"]["name"] for r in message.get("reactions") or [] if r["me"]]


def from_bot(emu, messages) -> list[dict]:
    """The messages the bot sent, out of ``messages``."""
    return [m for m in messages if m["author"]["id"] == str(emu.bot_id)]


def user_copies(emu, channel_id) -> list[dict]:
    """The copies of user messages in a ticket channel (their nonce names the DM they copy)."""
    return [m for m in from_bot(emu, emu.messages(channel_id)) if str(m.get("nonce") or "").startswith("u")]


def body(message) -> str:
    """What the user wrote, as a relayed copy shows it (embed description, or plain text without the
    author header and block quote)."""
    if message.get("embeds"):
        return message["embeds"][0].get("description") or ""
    text = re.sub(r"^\*\*[^*]+\*\*:\n", "", message["content"])
    return text.removeprefix(">>> ")


def bodies(emu, channel_id) -> list[str]:
    """What each relayed copy in a ticket channel shows of the user's text, oldest first."""
    return [body(m) for m in user_copies(emu, channel_id)]


async def user_messages(modmail, ticket) -> list[str]:
    """The user's messages the database holds for a ticket, in the order they were sent."""
    return await modmail.db(
        lambda: list(
            TicketMessage.objects.filter(ticket=ticket, kind="user")
            .order_by("created_at", "id")
            .values_list("content", flat=True)
        )
    )


def long_text(length: int) -> str:
    """A text without spaces whose every position is recognisable."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(alphabet[(i * 7 + i // 62) % 62] for i in range(length))


async def dm_longer_than_a_client_allows(emu, user_id: int, content: str) -> dict:
    """A DM over Discord's 2000 characters (4000 with Nitro): the emulator's user path refuses it
    like Discord's client, so it is stored and dispatched directly (what a relay of a long
    message, e.g. from recovery or a future limit, must survive)."""
    channel = G.dm_channel(emu.state, int(user_id))
    msg = Message(id=emu.state.ids.next(), channel_id=channel.id, guild_id=None, author_id=int(user_id))
    msg.content = content
    emu.state.store_message(msg)
    M.dispatch_message(emu.state, "MESSAGE_CREATE", msg)
    await emu.gateway.flush()
    return emu.state.message_payload(msg)


async def dispatch_again(emu, message_id) -> None:
    """Deliver a message's MESSAGE_CREATE a second time, as a gateway replay would."""
    M.dispatch_message(emu.state, "MESSAGE_CREATE", emu.state.messages[int(message_id)])
    await emu.gateway.flush()


def typing_calls(emu, channel_id) -> list:
    """The bot's typing indicators in a channel (POST /channels/{id}/typing)."""
    return emu.calls_to("POST", rf"/channels/{channel_id}/typing$")

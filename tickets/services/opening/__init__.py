"""Opening tickets and relaying what users send.

A user's DM goes through ``user_message_relay``: refused (bot, blocked, not a member, maintenance),
held (category prompt), or stored in the user's open ticket (opened if needed) and copied into its
channel. The database decides everything first, in one transaction; Discord follows after commit.
Exactly once: the DM's ID is unique in ``TicketMessage``; the channel copy carries a nonce derived
from it, so a replay after a crash returns the first copy instead of posting a second.
"""

from __future__ import annotations

from ._base import IncomingAttachment, Relay, RelayResult, _is_member, _send_dm
from .channels import _create_in_inbox, _open_ticket_row, _recap, channel_name, ensure_channel
from .delivery import (
    _confirm,
    _copy_to_channel,
    _deliver_user_message,
    _known_attachments,
    _store_in_open_ticket,
    _store_user_message,
    _TicketGone,
    _undelivered_before,
    user_message_confirm,
)
from .relay import (
    _guild_or_none,
    _held,
    _refusal,
    _refuse,
    _tell_delayed,
    user_message_failed,
    user_message_relay,
)
from .repair import (
    CANCELLED_WITHOUT_CHANNEL,
    _cancel_if_empty,
    _channel_or_cancel,
    _settled_open_ticket,
    _stale,
    ticket_channel_repair,
    tickets_repair_stuck,
)
from .staff import (
    _discord_user,
    parse_snowflake,
    ticket_open_by_staff,
    ticket_open_external,
    ticket_open_on_channel,
)

__all__ = [
    "CANCELLED_WITHOUT_CHANNEL",
    "IncomingAttachment",
    "Relay",
    "RelayResult",
    "_TicketGone",
    "_cancel_if_empty",
    "_channel_or_cancel",
    "_confirm",
    "_copy_to_channel",
    "_create_in_inbox",
    "_deliver_user_message",
    "_discord_user",
    "_guild_or_none",
    "_held",
    "_is_member",
    "_known_attachments",
    "_open_ticket_row",
    "_recap",
    "_refusal",
    "_refuse",
    "_send_dm",
    "_settled_open_ticket",
    "_stale",
    "_store_in_open_ticket",
    "_store_user_message",
    "_tell_delayed",
    "_undelivered_before",
    "channel_name",
    "ensure_channel",
    "parse_snowflake",
    "ticket_channel_repair",
    "ticket_open_by_staff",
    "ticket_open_external",
    "ticket_open_on_channel",
    "tickets_repair_stuck",
    "user_message_confirm",
    "user_message_failed",
    "user_message_relay",
]

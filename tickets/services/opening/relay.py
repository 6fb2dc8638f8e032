"""``user_message_relay``: what happens to a user's DM (refused, held, or stored and copied)."""

from __future__ import annotations

from datetime import datetime

from django.db import DatabaseError
from django.utils.translation import gettext as _

from tickets import rendering
from tickets.discord import DiscordError, DiscordPort
from tickets.errors import DomainError
from tickets.models import BotConfig, TicketMessage

from .._common import bot_language, community_guild_id, config, config_at, log, now, port_or_default
from .._relay_state import DmSnapshot, dm_snapshot
from ..refusals import Reason, block_notice, refusal_record
from ._base import IncomingAttachment, Relay, RelayResult, _send_dm
from .delivery import _deliver_user_message, _store_user_message


def _refusal(port: DiscordPort, cfg: BotConfig, user_id: int, text: str) -> None:
    with bot_language(cfg):
        _send_dm(port, user_id, rendering.system(cfg, text))


def user_message_relay(
    *,
    user_id: int,
    user_name: str,
    dm_message_id: int,
    dm_channel_id: int | None = None,
    content: str = "",
    attachments: list[IncomingAttachment] | None = None,
    created_at: datetime | None = None,
    is_bot: bool = False,
    recovered: bool = False,
    confirm: bool = True,
    port: DiscordPort | None = None,
) -> RelayResult:
    """Take a DM the user sent the bot: store it in their open ticket (opening one if needed) and copy
    it into the ticket channel, exactly once. Returns what happened; refusals are recorded, then told
    to the user, and so is a DM that was stored but whose copy Discord refused (``Relay.DELAYED``).
    A DM seen before (relayed, held by a category prompt, or refused) is a ``Relay.DUPLICATE``: a
    refused DM stays refused once the reason is gone (recovery and replays never relay it).

    ``confirm=False`` skips the ✅ on this DM: the caller knows a later DM of the same user is about
    to be relayed, and its ✅ acknowledges this one too (one Discord request saved per DM in a burst)."""
    port = port_or_default(port)
    attachments = attachments or []
    if is_bot:
        return RelayResult(Relay.IGNORED)
    # One query tells "new", "seen before" and "stored, copy missing" apart, with all the rest the
    # decision needs (the hot path: see ``_relay_state``).
    cached = config()
    try:
        guild_id = community_guild_id(cached)
    except DomainError:
        guild_id = None  # not configured: the membership check below says so
    facts = dm_snapshot(user_id=user_id, dm_message_id=dm_message_id, guild_id=guild_id)
    if facts.seen:
        return RelayResult(Relay.DUPLICATE)
    cfg = config_at(facts.config_stamp, cached)
    if cfg is not cached and guild_id != _guild_or_none(cfg):
        facts.member = False  # the community guild changed meanwhile: ask again
    if facts.stored_pk is not None:
        existing = TicketMessage.objects.select_related("ticket").get(pk=facts.stored_pk)
    else:
        existing = None
    if existing is None:
        refusal = _refuse(cfg=cfg, port=port, user_id=user_id, facts=facts)
        if refusal is not None:
            outcome, text = refusal
            refusal_record(user_id=user_id, dm_message_id=dm_message_id, reason=Reason(outcome.value))
            _refusal(port, cfg, user_id, text)
            return RelayResult(outcome)
        if facts.ticket is None and facts.prompt_enabled:  # the prompt only stands before a ticket
            from ..categories import selection_hold

            held = selection_hold(
                cfg=cfg,
                port=port,
                user_id=user_id,
                user_name=user_name,
                dm_message_id=dm_message_id,
                dm_channel_id=dm_channel_id,
                content=content,
                attachments=attachments,
                created_at=created_at,
            )
            if held is not None:
                return RelayResult(held)
        result = _store_user_message(
            cfg=cfg,
            user_id=user_id,
            user_name=user_name,
            dm_message_id=dm_message_id,
            dm_channel_id=dm_channel_id,
            content=content,
            attachments=attachments,
            created_at=created_at or now(),
            recovered=recovered,
            known_ticket=facts.ticket,
        )
        if result.outcome == Relay.DUPLICATE:
            return result
        earlier_uncopied = facts.earlier_uncopied or result.outcome == Relay.OPENED
    else:  # stored earlier but its channel copy may be missing (a crash in between): finish the job
        result = RelayResult(Relay.RELAYED, ticket=existing.ticket, message=existing)
        earlier_uncopied = True
    try:
        _deliver_user_message(
            result=result,
            cfg=cfg,
            port=port,
            dm_channel_id=dm_channel_id,
            confirm=confirm,
            earlier_uncopied=earlier_uncopied,
        )
    except (DiscordError, DomainError) as error:
        # Kept: the user's next DM (or the next recovery) delivers it first, in order.
        log.warning("DM %s stored but not copied to its ticket: %s", dm_message_id, error)
        _tell_delayed(cfg=cfg, port=port, user_id=user_id, dm_channel_id=dm_channel_id, dm_id=dm_message_id)
        return RelayResult(Relay.DELAYED, ticket=result.ticket, message=result.message)
    return result


def _tell_delayed(
    *, cfg: BotConfig, port: DiscordPort, user_id: int, dm_channel_id: int | None, dm_id: int
) -> None:
    """Tell the user their DM has not reached the staff yet (a ⚠️ on it, and why)."""
    try:
        if dm_channel_id:
            port.react(dm_channel_id, dm_id, "⚠️")
        with bot_language(cfg):
            text = _(
                "Your message could not reach the staff yet. It is kept and will be delivered "
                "with your next message."
            )
            _refusal(port, cfg, user_id, text)
    except DiscordError as error:
        log.info("Could not tell user %s about a delayed DM: %s", user_id, error)


def user_message_failed(
    *, user_id: int, dm_channel_id: int, dm_message_id: int, port: DiscordPort | None = None
) -> None:
    """A DM could not even be stored (``user_message_relay`` raised): put ⚠️ on it and ask the user
    to send it again. Never raises: there is nobody left to tell. Unless it was stored after all,
    it is recorded as refused: the user sends it again, so relaying this one later would repeat it."""
    port = port_or_default(port)
    try:
        if not TicketMessage.objects.filter(dm_message_id=dm_message_id).exists() and not _held(
            dm_message_id
        ):
            refusal_record(user_id=user_id, dm_message_id=dm_message_id, reason=Reason.FAILED)
    except DatabaseError as error:
        log.warning("DM %s could not be recorded as refused: %s", dm_message_id, error)
    try:
        cfg = config()
        port.react(dm_channel_id, dm_message_id, "⚠️")
        with bot_language(cfg):
            _refusal(port, cfg, user_id, _("Your message could not be delivered. Please send it again."))
    except DiscordError as error:
        log.info("Could not tell user %s that DM %s failed: %s", user_id, dm_message_id, error)


def _held(dm_message_id: int) -> bool:
    """The DM waits in a category prompt's queue."""
    from tickets.models import PendingMessage

    return PendingMessage.objects.filter(dm_message_id=dm_message_id).exists()


def _guild_or_none(cfg: BotConfig) -> int | None:
    try:
        return community_guild_id(cfg)
    except DomainError:
        return None


def _refuse(
    *,
    cfg: BotConfig,
    port: DiscordPort,
    user_id: int,
    facts: DmSnapshot,
) -> tuple[Relay, str] | None:
    """Why this DM opens nothing and what the user is told, or None when it may go through."""
    with bot_language(cfg):
        if facts.blocked:
            return Relay.BLOCKED, block_notice()
        if facts.maintenance:
            return Relay.MAINTENANCE, _("The bot is under maintenance. Please try again later.")
        # A member in the bot's cache needs no question to Discord.
        if not facts.member and port.get_member(community_guild_id(cfg), user_id) is None:
            return Relay.NOT_MEMBER, _("You must be a member of the server to contact the staff.")
    return None

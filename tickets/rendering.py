"""How messages look on Discord: embeds or plain text, colours and block quotes, per the configuration.

Pure functions from domain data to ``OutgoingMessage``; no database, no network.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from tickets.discord import OutgoingMessage
from tickets.models import BotConfig

MESSAGE_LIMIT = 2000
EMBED_DESCRIPTION_LIMIT = 4096
NO_PINGS = {"parse": []}


def chunks(text: str, limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters, at line or word breaks when possible."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n") if rest[cut : cut + 1] == "\n" else rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces


def _color(hex_value: str) -> int:
    return int(hex_value, 16)


def _quote(text: str, cfg: BotConfig) -> str:
    return f">>> {text}" if cfg.thread_block_quote and text else text


def user_message_to_inbox(
    *, cfg: BotConfig, author: str, author_id: int, content: str, attachments: list[str], nonce: str | None
) -> list[OutgoingMessage]:
    """A user's DM as it appears in the ticket channel; several messages when it is too long for one."""
    links = "\n".join(attachments)
    if cfg.thread_embedded_message:
        body = content + (f"\n\n{links}" if links else "")
        parts = chunks(body or "\u200b", EMBED_DESCRIPTION_LIMIT)
        return [
            OutgoingMessage(
                embeds=[
                    {
                        "author": {"name": author},
                        "description": part,
                        "color": _color(cfg.thread_user_message_color),
                        "footer": {"text": f"{author_id}"},
                    }
                ],
                allowed_mentions=NO_PINGS,
                nonce=f"{nonce}:{index}" if nonce else None,
            )
            for index, part in enumerate(parts)
        ]
    header = f"**{author}**:\n"
    body = _quote(content, cfg) + (f"\n{links}" if links else "")
    parts = chunks(body, MESSAGE_LIMIT - len(header) - 4)
    messages = []
    for index, part in enumerate(parts):
        text = (header if index == 0 else "") + (
            part if index == 0 or not cfg.thread_block_quote else f">>> {part}"
        )
        messages.append(
            OutgoingMessage(
                content=text, allowed_mentions=NO_PINGS, nonce=f"{nonce}:{index}" if nonce else None
            )
        )
    return messages


def staff_reply(
    *,
    cfg: BotConfig,
    staff_name: str,
    staff_role: str,
    content: str,
    number: int,
    anonymous: bool,
    for_user: bool,
    attachments: list[str] | None = None,
    nonce: str | None = None,
) -> OutgoingMessage:
    """A staff reply: the user's copy (anonymous hides the sender) or the channel copy (always says who)."""
    links = "\n".join(attachments or [])
    body = content + (f"\n\n{links}" if links else "")
    if for_user:
        name = _("Staff team") if anonymous else staff_name
        role = "" if anonymous else staff_role
        footer = role
    else:
        name = _("%(name)s (Anonymous)") % {"name": staff_name} if anonymous else staff_name
        footer = _("Message #%(number)s") % {"number": number}
        if staff_role:
            footer = f"{staff_role} · {footer}"
    if cfg.thread_embedded_message:
        embed: dict = {
            "author": {"name": name},
            "description": body or "\u200b",
            "color": _color(cfg.thread_staff_message_color),
        }
        if footer:
            embed["footer"] = {"text": footer}
        return OutgoingMessage(embeds=[embed], allowed_mentions=NO_PINGS, nonce=nonce)
    # A block quote only starts at the beginning of a line. Services keep replies within
    # ``reply_limit``, so nothing is cut here.
    prefix = f"**{name}**" + (f" ({footer})" if footer else "")
    return OutgoingMessage(content=f"{prefix}:\n{_quote(body, cfg)}", allowed_mentions=NO_PINGS, nonce=nonce)


def reply_limit(
    cfg: BotConfig, *, staff_name: str, staff_role: str, anonymous: bool, attachments: list[str] | None = None
) -> int:
    """How many characters of text a staff reply may have: Discord's 2000, less what the plain-text
    form adds around it (name, role, number, quote, links) in the longer of its two copies."""
    if cfg.thread_embedded_message:
        return MESSAGE_LIMIT
    widest = 10**6  # a reply number wider than any ticket will reach
    overhead = max(
        len(
            staff_reply(
                cfg=cfg,
                staff_name=staff_name,
                staff_role=staff_role,
                content="x",
                number=widest,
                anonymous=anonymous,
                for_user=for_user,
                attachments=attachments,
            ).content
        )
        - 1
        for for_user in (True, False)
    )
    return MESSAGE_LIMIT - overhead


def system(
    cfg: BotConfig, text: str, *, title: str | None = None, pings: str = "", nonce: str | None = None
) -> OutgoingMessage:
    """A message from the bot itself (notices, logs, welcome)."""
    if cfg.thread_embedded_message:
        embed: dict = {
            "description": text[:EMBED_DESCRIPTION_LIMIT],
            "color": _color(cfg.thread_system_message_color),
        }
        if title:
            embed["title"] = title
        return OutgoingMessage(content=pings, embeds=[embed], nonce=nonce)
    heading = f"**{title}**\n" if title else ""
    return OutgoingMessage(content=f"{pings}\n{heading}{text}".strip()[:MESSAGE_LIMIT], nonce=nonce)

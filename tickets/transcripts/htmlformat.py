"""The HTML transcript: one self-contained page (inline CSS, no script) that reads like the
conversation. The page around the messages comes from ``tickets/transcript.html``; each message is
written here, every piece of user content escaped (names, roles, file names) or cleaned by nh3 (the
text, see ``markup``)."""

from __future__ import annotations

import base64
import functools
import zlib
from collections.abc import Iterator
from html import escape

from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tickets.models import Attachment, Ticket, TicketMessage
from tickets.services import attachments

from .markup import markdown_html
from .source import Entry, attachment_link, author_avatars, message_count, stamp, ticket_messages
from .textformat import header_lines

TEMPLATE = "tickets/transcript.html"
MESSAGES_MARK = "<!--transcript-messages-->"
# Bytes of thumbnails one page inlines at most (the rest are links): the log channel's copy must
# stay under Discord's upload limit.
INLINE_BUDGET = 4 * 1024 * 1024
AVATAR_URL = "https://cdn.discordapp.com/avatars/{id}/{hash}.png?size=64"


def _initials(name: str) -> str:
    words = name.split()
    if not words:
        return "?"
    return (words[0][0] + (words[1][0] if len(words) > 1 else "")).upper()


@functools.lru_cache(maxsize=256)
def _avatar(author_id: int, name: str, avatar_hash: str | None) -> str:
    """Initials on a colour drawn from the ID, the Discord picture on top when there is one (the
    same few authors write every message: computed once each)."""
    hue = zlib.crc32(str(author_id).encode()) % 360
    image = ""
    if avatar_hash:
        url = AVATAR_URL.format(id=int(author_id), hash=escape(avatar_hash, quote=True))
        image = f'<img src="{url}" alt="" width="40" height="40" loading="lazy">'
    initials = escape(_initials(name))
    return f'<span class="avatar" style="--hue:{hue}" aria-hidden="true">{initials}{image}</span>'


class Images:
    """How the page shows pictures: a stored image's thumbnail inlined (``data:``), so the file
    shows it offline and without a session, while ``budget`` bytes last; otherwise a link."""

    def __init__(self, *, base_url: str | None, budget: int | None = None) -> None:
        self.base_url = base_url
        self.budget = INLINE_BUDGET if budget is None else budget

    def thumbnail(self, attachment: Attachment) -> str | None:
        if self.budget <= 0 or attachments.thumbnail_url(attachment) is None:
            return None
        handle = attachments.thumbnail_open(attachment)
        if handle is None:
            return None
        with handle:
            data = handle.read(self.budget + 1)
        if len(data) > self.budget:
            self.budget = 0
            return None
        self.budget -= len(data)
        return "data:image/png;base64," + base64.b64encode(data).decode()

    def html(self, attachment: Attachment) -> str:
        """A file of a message: its picture (inlined thumbnail, or the image itself) or its name,
        linked to the stored copy (else to Discord's URL); only http(s) links are kept."""
        url = escape(attachment_link(attachment, self.base_url), quote=True)
        if not url.startswith(("https://", "http://")):
            url = ""
        name = escape(attachment.filename)
        if attachment.content_type.startswith("image/"):
            picture = self.thumbnail(attachment) or url
            if picture:
                image = f'<img src="{picture}" alt="{name}" loading="lazy">'
                return (
                    f'<a class="file" href="{url}">{image}</a>' if url else f'<div class="file">{image}</div>'
                )
        link = f'<a href="{url}">{name}</a>' if url else name
        return f'<div class="file">📎 {link} <span class="muted">{attachment.size:,} B</span></div>'


def _flags(message: TicketMessage) -> list[str]:
    flags = []
    if message.message_number:
        flags.append(f"#{message.message_number}")
    if message.kind == TicketMessage.Kind.INTERNAL or message.is_internal:
        flags.append(_("internal note"))
    if message.is_anonymous:
        flags.append(_("anonymous"))
    if message.recovered:
        flags.append(_("recovered"))
    if message.edited_at:
        flags.append(_("edited %(at)s") % {"at": stamp(message.edited_at)})
    if message.deleted_at:
        flags.append(_("deleted %(at)s") % {"at": stamp(message.deleted_at)})
    return flags


def message_html(entry: Entry, avatars: dict[int, str], images: Images) -> str:
    """One message as the page shows it: avatar, name, role, time, flags, text (a staff reply or an
    internal note as an embed, as Discord shows them), files, and earlier versions."""
    message = entry.message
    name = escape(message.author_name)
    role = f' <span class="role">{escape(message.author_role)}</span>' if message.author_role else ""
    flags = "".join(f' <span class="flag">{escape(flag)}</span>' for flag in _flags(message))
    body = f'<div class="text" dir="auto">{markdown_html(message.content)}</div>'
    if message.kind in (TicketMessage.Kind.STAFF, TicketMessage.Kind.INTERNAL):
        body = f'<div class="embed">{body}</div>'
    files = "".join(images.html(a) for a in entry.attachments)
    edits = entry.edits
    history = ""
    if edits:
        versions = "".join(
            f'<li><span class="muted">{escape(stamp(e.edited_at))}</span>'
            f'<div class="text" dir="auto">{markdown_html(e.before)}</div></li>'
            for e in edits
        )
        summary = escape(_("Earlier versions"))
        history = f"<details><summary>{summary}</summary><ol>{versions}</ol></details>"
    classes = f"msg {message.kind}" + (" deleted" if message.deleted_at else "")
    return (
        f'<article class="{classes}" id="m{message.pk}">'
        f"{_avatar(message.author_id, message.author_name, avatars.get(message.author_id))}"
        f'<div class="body"><header><strong class="name">{name}</strong>{role} '
        f'<time datetime="{message.created_at.isoformat()}">{escape(stamp(message.created_at))}</time>'
        f"{flags}</header>{body}{files}{history}</div></article>\n"
    )


def render_html(ticket: Ticket, *, base_url: str | None = None) -> Iterator[str]:
    """The transcript as one HTML page, in pieces (one per message); files link to their stored
    copies (absolute with ``base_url``)."""
    page = render_to_string(
        TEMPLATE,
        {
            "ticket": ticket,
            "language": get_language() or "en",
            "header": header_lines(ticket, count=message_count(ticket)),
        },
    )
    head, _mark, tail = page.partition(MESSAGES_MARK)
    yield head
    avatars = author_avatars(ticket)
    images = Images(base_url=base_url)
    for entry in ticket_messages(ticket):
        yield message_html(entry, avatars, images)
    yield tail

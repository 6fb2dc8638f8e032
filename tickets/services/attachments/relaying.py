"""What goes with a relayed message: the files themselves, and a line for each file that cannot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tickets.discord import DiscordError, DiscordPort, OutgoingFile
from tickets.discord.port import DEFAULT_UPLOAD_LIMIT
from tickets.models import Attachment

from .fetching import attachments_fetch
from .storage import attachment_storage


@dataclass
class RelayFiles:
    """The files to upload with a message, and the notes announcing those that cannot go."""

    files: list[OutgoingFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def attachment_note(attachment: Attachment, *, upload_limit: int | None = None) -> str:
    """The line that announces a file not attached to a Discord message: its name, its size and
    why (kept but over Discord's upload limit, too large to keep, or not downloadable). Call it in
    the language of the message it goes in."""
    size = filesizeformat(attachment.size) if attachment.size else _("size unknown")
    names = {"name": attachment.filename, "size": size}
    state = attachment.state
    if state == Attachment.State.STORED:
        names["limit"] = filesizeformat(upload_limit or 0)
        text = _("%(name)s (%(size)s) is over Discord's upload limit (%(limit)s): open it in the panel.")
    elif state == Attachment.State.TOO_LARGE:
        names["limit"] = filesizeformat(settings.ATTACHMENT_MAX_BYTES)
        text = _("%(name)s (%(size)s) is too large to relay (over %(limit)s): it was not kept.")
    elif state == Attachment.State.DELETED:
        text = _("%(name)s (%(size)s) was deleted after its retention period.")
    else:
        text = _("%(name)s (%(size)s) could not be downloaded from Discord: it was not relayed.")
    return "📎 " + text % names


def reply_notes_reserve(attachments: Sequence[object]) -> list[str]:
    """Lines as long as the longest note ``relay_files`` could add for each of these files (objects
    with a ``filename``): the room a length check must leave before the files are fetched."""
    reserve = []
    for attachment in attachments:
        name = getattr(attachment, "filename", "") or "file"
        longest = max(
            len(attachment_note(Attachment(filename=name, size=10**12, state=state), upload_limit=10**12))
            for state in Attachment.State.values
        )
        reserve.append("x" * longest)
    return reserve


def not_uploaded_notes(attachments: Sequence[Attachment], *, upload_limit: int) -> list[str]:
    """The notes ``relay_files`` gave for these files when they went somewhere with this upload
    limit (what an edit of that message must show again); no fetching, no query."""
    return [
        attachment_note(a, upload_limit=upload_limit)
        for a in attachments
        if not (a.state == Attachment.State.STORED and a.size <= upload_limit)
    ]


def relay_files(attachments: Sequence[Attachment], *, port: DiscordPort, channel_id: int) -> RelayFiles:
    """The files of a message, ready to go to ``channel_id`` in the same message as its text: each
    pending one is fetched first (outside any transaction, please), a stored one within Discord's
    upload limit there is uploaded, any other is announced by a note. Nothing to do (no query, no
    call) for a message without attachments."""
    if not attachments:
        return RelayFiles()
    attachments_fetch(attachments, port=port)
    try:
        limit = port.upload_limit(channel_id)
    except DiscordError:  # the limit unread: Discord's default, which every server allows
        limit = DEFAULT_UPLOAD_LIMIT
    storage = attachment_storage()
    relay = RelayFiles()
    for attachment in attachments:
        if attachment.state == Attachment.State.STORED and attachment.size <= limit:
            with storage.open(attachment.stored_name, "rb") as handle:
                data = handle.read()
            relay.files.append(
                OutgoingFile(
                    name=attachment.filename,
                    data=data,
                    content_type=attachment.content_type or "application/octet-stream",
                )
            )
        else:
            relay.notes.append(attachment_note(attachment, upload_limit=limit))
    return relay

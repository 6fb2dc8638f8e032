"""The retention setting and downloads left pending (the worker's ``tickets.attachments_housekeeping``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets.discord.fake import FakeDiscord
from tickets.models import Attachment, TicketMessage
from tickets.services.attachments import attachments_housekeeping
from tickets.services.attachments.storage import attachment_storage, content_name

from .helpers import stored_attachment

pytestmark = pytest.mark.django_db


def _age(attachment: Attachment, days: float) -> None:
    TicketMessage.objects.filter(pk=attachment.message_id).update(
        created_at=timezone.now() - timedelta(days=days)
    )


def test_by_default_every_file_is_kept(settings):
    old = stored_attachment(data=b"old file")
    _age(old, 3650)
    assert attachments_housekeeping(port=FakeDiscord())["deleted"] == 0
    assert attachment_storage().exists(old.stored_name)


def test_files_past_the_retention_are_deleted_once_nothing_newer_shares_them(settings):
    settings.ATTACHMENT_RETENTION_DAYS = 30
    old = stored_attachment(data=b"shared bytes")
    shared_recent = stored_attachment(data=b"shared bytes")
    alone = stored_attachment(data=b"only old")
    for attachment in (old, alone):
        _age(attachment, 31)
    assert attachments_housekeeping(port=FakeDiscord())["deleted"] == 2
    old.refresh_from_db()
    alone.refresh_from_db()
    assert (old.state, old.stored_name) == (Attachment.State.DELETED, "")
    assert not attachment_storage().exists(content_name(alone.sha256))
    assert attachment_storage().exists(shared_recent.stored_name)  # still used by a newer message
    assert old.filename == "shot.png" and old.size == len(b"shared bytes")  # the record stays


def test_pending_downloads_are_fetched_while_their_url_lasts_and_given_up_after(settings):
    discord = FakeDiscord()
    recent = stored_attachment(data=b"x")
    stale = stored_attachment(data=b"y")
    Attachment.objects.filter(pk__in=[recent.pk, stale.pk]).update(
        state=Attachment.State.PENDING, stored_name="", sha256=""
    )
    _age(stale, 2)
    discord.cdn[recent.url] = b"fetched later"
    assert attachments_housekeeping(port=discord)["fetched"] == 1
    recent.refresh_from_db()
    stale.refresh_from_db()
    assert recent.state == Attachment.State.STORED and recent.size == len(b"fetched later")
    assert stale.state == Attachment.State.FAILED

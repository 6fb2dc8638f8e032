"""What the bot posted on the guild's behalf: the audit log it forwarded and its feature messages."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import optional_snowflake, snowflake


class AuditLogCursor(models.Model):
    """How far a guild's audit log has been forwarded to the logs channel.

    Entries after ``last_entry_id`` are still to post, so none is lost while the bot is away and
    none is posted twice after a restart. A batch being posted is written down first
    (``pending_through_id`` and the message nonce): a batch whose post may have reached Discord
    before a crash is posted again with the same nonce, which Discord answers with the first message.
    """

    guild_id = snowflake(_("Discord ID of the guild whose audit log is forwarded."), unique=True)
    last_entry_id = optional_snowflake(_("Discord ID of the last audit log entry posted."))
    pending_through_id = optional_snowflake(_("Last entry of the batch being posted, if any."))
    pending_nonce = models.CharField(
        max_length=25, blank=True, default="", help_text=_("Nonce of the message of the batch being posted.")
    )
    forwarded = models.PositiveBigIntegerField(default=0, help_text=_("Entries forwarded so far."))
    updated_at = models.DateTimeField(auto_now=True, help_text=_("Last change."))

    class Meta:
        verbose_name = _("audit log cursor")
        verbose_name_plural = _("audit log cursors")

    def __str__(self) -> str:
        return f"{self.guild_id} → {self.last_entry_id}"


class FeatureMessage(models.Model):
    """The message a feature (e.g. polls) posted in the features channel, so it is posted once."""

    key = models.CharField(max_length=32, unique=True, help_text=_("Which feature."))
    channel_id = snowflake(_("Discord ID of the channel it was posted in."))
    message_id = snowflake(_("Discord ID of the message."))
    updated_at = models.DateTimeField(auto_now=True, help_text=_("When it was posted."))

    class Meta:
        verbose_name = _("feature message")
        verbose_name_plural = _("feature messages")

    def __str__(self) -> str:
        return f"{self.key} in {self.channel_id}"

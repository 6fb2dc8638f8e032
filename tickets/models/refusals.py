"""DMs the bot refused: answered with a refusal, so never relayed afterwards."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import snowflake


class RefusedMessage(models.Model):
    """A user's DM that was answered with a refusal (blocked, maintenance...). The user was told it
    was not delivered: recovery and replays recognise it by its ID and leave it alone, even once the
    reason is gone."""

    class Reason(models.TextChoices):
        BLOCKED = "blocked", _("The user was blocked")
        MAINTENANCE = "maintenance", _("The bot was in maintenance")
        NOT_MEMBER = "not_member", _("The user was not a member of the server")
        REJECTED = "rejected", _("An attachment was too large")
        FAILED = "failed", _("It could not be stored: the user was asked to send it again")

    dm_message_id = snowflake(_("Discord ID of the refused DM."), unique=True)
    user_id = snowflake(_("Discord ID of its author."), db_index=True)
    reason = models.CharField(max_length=20, choices=Reason.choices, help_text=_("Why it was refused."))
    refused_at = models.DateTimeField(auto_now_add=True, help_text=_("When it was refused."))

    class Meta:
        ordering = ["-refused_at"]
        verbose_name = _("refused message")
        verbose_name_plural = _("refused messages")

    def __str__(self) -> str:
        return f"{self.dm_message_id} ({self.reason})"

"""The outbox of live events: what changed, in the order it was committed, for every process to follow.

The bot and the worker run in other processes than the web; an in-memory channel layer cannot reach
across them, so every event is one row here and each web process follows the table (see
``panel.live``). The table is also the catch-up log a reconnecting page reads, trimmed by age.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import optional_snowflake


class LiveEvent(models.Model):
    """One published event. The id only grows (never reused, even after a trim): it is the cursor."""

    id = models.BigAutoField(primary_key=True, help_text=_("Position in the stream."))
    type = models.CharField(max_length=40, help_text=_('Event name, such as "message.created".'))
    created_at = models.DateTimeField(
        default=timezone.now, db_index=True, help_text=_("When it was published.")
    )
    ticket_id = models.UUIDField(null=True, blank=True, help_text=_("The ticket it concerns, if any."))
    category_id = optional_snowflake(
        _("Discord category of that ticket: only those who may view it receive the event.")
    )
    data = models.JSONField(
        default=dict, blank=True, help_text=_("Details of the event (IDs, small values).")
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("live event")
        verbose_name_plural = _("live events")

    def __str__(self) -> str:
        return f"#{self.id} {self.type}"

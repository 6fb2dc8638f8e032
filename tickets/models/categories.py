"""Ticket categories: the prompt a user answers before their ticket opens, and the queue meanwhile."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import optional_snowflake, snowflake
from .scheduling import Job


class TicketCategory(models.Model):
    """A choice of the prompt, tied to a Discord category where its tickets open."""

    name = models.CharField(max_length=80, unique=True, help_text=_("Name on the button."))
    description = models.CharField(max_length=200, blank=True, default="", help_text=_("One line about it."))
    emoji = models.CharField(max_length=64, blank=True, default="", help_text=_("Emoji on the button."))
    discord_category_id = snowflake(_("Discord category where its tickets open."))
    position = models.PositiveIntegerField(default=0, help_text=_("Order on the prompt."))
    enabled = models.BooleanField(default=True, help_text=_("Offered on the prompt (at most 24 at once)."))
    created_at = models.DateTimeField(auto_now_add=True, help_text=_("When it was created."))
    updated_at = models.DateTimeField(auto_now=True, help_text=_("When it last changed."))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")

    def __str__(self) -> str:
        return self.name


class CategoryRole(models.Model):
    """A role pinged when a ticket opens in the category."""

    category = models.ForeignKey(
        TicketCategory, on_delete=models.CASCADE, related_name="roles", help_text=_("The category.")
    )
    role_id = snowflake(_("Discord ID of the role."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "role_id"], name="category_role_unique")]
        verbose_name = _("category role")
        verbose_name_plural = _("category roles")

    def __str__(self) -> str:
        return f"{self.category} → {self.role_id}"


class CategorySettings(models.Model):
    """The prompt's global settings (one row)."""

    prompt_enabled = models.BooleanField(default=False, help_text=_("Ask users to pick a category first."))
    selection_timeout = models.PositiveIntegerField(
        default=300,
        validators=[MinValueValidator(30)],
        help_text=_("Seconds to wait for a choice before opening in the default inbox (30 at least)."),
    )

    class Meta:
        verbose_name = _("category settings")
        verbose_name_plural = _("category settings")

    def __str__(self) -> str:
        return str(_("Category prompt settings"))

    @classmethod
    def load(cls) -> CategorySettings:
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings


class PendingCategorySelection(Job):
    """A user's first DMs while they choose a category; due at the prompt's timeout."""

    user_id = snowflake(_("Discord ID of the user choosing."))
    user_name = models.CharField(max_length=100, help_text=_("Their name."))
    dm_channel_id = optional_snowflake(_("The user's DM channel."))
    prompt_message_id = optional_snowflake(_("The prompt message with the buttons."))
    chosen_category = models.ForeignKey(
        TicketCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("What the user picked; empty: the default inbox."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_id"], condition=models.Q(state="pending"), name="one_pending_selection_per_user"
            )
        ]
        verbose_name = _("pending category selection")
        verbose_name_plural = _("pending category selections")

    def __str__(self) -> str:
        return f"{self.user_name} ({self.state})"


class PendingMessage(models.Model):
    """A DM held while its author chooses a category; forwarded in order once the ticket opens."""

    selection = models.ForeignKey(
        PendingCategorySelection,
        on_delete=models.CASCADE,
        related_name="messages",
        help_text=_("The selection it waits on."),
    )
    dm_message_id = snowflake(_("Discord ID of the DM."), unique=True)
    content = models.TextField(blank=True, default="", help_text=_("Its text."))
    attachments = models.JSONField(default=list, blank=True, help_text=_("Its attachments' metadata."))
    created_at = models.DateTimeField(help_text=_("When it was sent."))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("queued message")
        verbose_name_plural = _("queued messages")

    def __str__(self) -> str:
        return self.content[:40]

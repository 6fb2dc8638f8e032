"""Blocked users and snippets."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import snowflake

SNIPPET_KEY_VALIDATOR = RegexValidator(r"^[A-Za-z0-9_-]+$", _("Letters, digits, _ and - only."))


class BlockedUser(models.Model):
    """A user whose DMs open nothing: they get a polite refusal instead."""

    user_id = snowflake(_("Discord ID of the blocked user."), unique=True)
    user_name = models.CharField(max_length=100, blank=True, default="", help_text=_("Their name then."))
    reason = models.CharField(max_length=500, blank=True, default="", help_text=_("Why they are blocked."))
    blocked_by = snowflake(_("Discord ID of the staff member who blocked them."))
    blocked_at = models.DateTimeField(auto_now_add=True, help_text=_("When."))
    expires_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text=_("When the block lifts by itself; empty: never.")
    )

    class Meta:
        verbose_name = _("blocked user")
        verbose_name_plural = _("blocked users")

    def __str__(self) -> str:
        return f"{self.user_name or self.user_id}"


class Snippet(models.Model):
    """A saved answer; ``{{key}}`` in a reply expands to its content."""

    key = models.CharField(
        max_length=64, unique=True, validators=[SNIPPET_KEY_VALIDATOR], help_text=_("Name used as {{key}}.")
    )
    content = models.TextField(max_length=4000, help_text=_("Text it expands to (4000 characters at most)."))
    created_by = snowflake(_("Discord ID of its author."))
    created_at = models.DateTimeField(auto_now_add=True, help_text=_("When it was created."))
    updated_at = models.DateTimeField(auto_now=True, help_text=_("When it last changed."))

    class Meta:
        ordering = ["key"]
        verbose_name = _("snippet")
        verbose_name_plural = _("snippets")

    def __str__(self) -> str:
        return self.key

"""Panel permissions granted to a user or to a role."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.fields import snowflake


class PanelPermission(models.Model):
    """One permission held by a Discord user, or by every member of a Discord role."""

    class SubjectType(models.TextChoices):
        USER = "User", _("User")
        ROLE = "Role", _("Role")

    class Permission(models.TextChoices):
        VIEW_PANEL = "ViewPanel", _("View the panel")
        MANAGE_BOT = "ManageBot", _("Start, stop and restart the bot")
        MANAGE_CONFIG = "ManageConfig", _("Edit the configuration")
        MANAGE_TICKETS = "ManageTickets", _("Manage tickets")
        MANAGE_API_KEYS = "ManageApiKeys", _("Manage API keys")
        MANAGE_PERMISSIONS = "ManagePermissions", _("Grant and revoke permissions")
        MANAGE_CATEGORIES = "ManageCategories", _("Manage ticket categories")
        VIEW_BANS = "ViewBans", _("View blocked users")

    subject_type = models.CharField(max_length=4, choices=SubjectType.choices, help_text=_("User or Role."))
    subject_id = snowflake(_("Discord ID of the user or role."))
    permission = models.CharField(max_length=20, choices=Permission.choices, help_text=_("What it allows."))
    granted_by = snowflake(_("Discord ID of who granted it."))
    granted_at = models.DateTimeField(auto_now_add=True, help_text=_("When."))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "permission"], name="panel_permission_unique"
            )
        ]
        verbose_name = _("panel permission")
        verbose_name_plural = _("panel permissions")

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id}: {self.permission}"


class SetupToken(models.Model):
    """The one-time link to the setup wizard (``/setup/?token=...``), stored as a SHA-256 digest.

    ``manage.py runall`` issues one while no bot configuration exists; it stops working when the
    setup completes.
    """

    digest = models.CharField(max_length=64, unique=True, help_text=_("SHA-256 of the token (hex)."))
    created_at = models.DateTimeField(auto_now_add=True, help_text=_("When it was issued."))

    class Meta:
        verbose_name = _("setup token")
        verbose_name_plural = _("setup tokens")

    def __str__(self) -> str:
        return f"{self.digest[:8]}… ({self.created_at:%Y-%m-%d %H:%M})"


class PanelPreference(models.Model):
    """A panel user's own choices, kept across sessions and browsers: the interface language."""

    user = models.OneToOneField(
        "auth.User", on_delete=models.CASCADE, related_name="panel_preference", help_text=_("Whose.")
    )
    language = models.CharField(
        max_length=8, blank=True, default="", help_text=_("Interface language; empty: the browser's.")
    )

    class Meta:
        verbose_name = _("panel preference")
        verbose_name_plural = _("panel preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language or '-'}"

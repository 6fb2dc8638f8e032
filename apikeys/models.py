"""API keys for ``/api/externals/*``: only a SHA-256 of each key is stored."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A key an integrator sends as ``X-API-Key`` or ``Authorization: Bearer``."""

    class Permission(models.TextChoices):
        CREATE_TICKET = "CreateTicket", _("Create tickets")
        READ_TICKETS = "ReadTickets", _("Read tickets and their transcripts")

    name = models.CharField(max_length=100, help_text=_("What the key is for."))
    key_hash = models.CharField(max_length=64, unique=True, help_text=_("SHA-256 of the key, in hex."))
    key_preview = models.CharField(max_length=32, help_text=_("The key's first characters, to recognise it."))
    permissions = models.JSONField(default=list, help_text=_('What the key may do, e.g. ["CreateTicket"].'))
    created_at = models.DateTimeField(auto_now_add=True, help_text=_("When it was created."))
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When it stops working; empty: never.")
    )
    last_used_at = models.DateTimeField(null=True, blank=True, help_text=_("When it was last accepted."))
    is_active = models.BooleanField(default=True, help_text=_("False once revoked."))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_preview})"


class ApiKeyUsage(models.Model):
    """What one key did on one day (UTC): one row per key and day, counters bumped in place."""

    key = models.ForeignKey(
        ApiKey, on_delete=models.CASCADE, related_name="usage", help_text=_("The key that was used.")
    )
    day = models.DateField(help_text=_("The day (UTC)."))
    requests = models.PositiveIntegerField(default=0, help_text=_("Requests the key was accepted for."))
    tickets_created = models.PositiveIntegerField(default=0, help_text=_("Tickets it opened."))

    class Meta:
        ordering = ["-day", "key_id"]
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="api_key_usage_one_per_day")]
        verbose_name = _("API key usage")
        verbose_name_plural = _("API key usage")

    def __str__(self) -> str:
        return f"{self.key_id} {self.day}: {self.requests}/{self.tickets_created}"

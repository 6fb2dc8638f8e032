"""System metadata: the bot's desired state, its heartbeat, and the last recovery."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SystemState(models.Model):
    """One row shared by the processes: the web writes what it wants, the bot reports what it does."""

    class Desired(models.TextChoices):
        RUNNING = "running", _("Running")
        STOPPED = "stopped", _("Stopped")

    class Presence(models.TextChoices):
        ONLINE = "online", _("Online")
        IDLE = "idle", _("Idle")
        DND = "dnd", _("Do not disturb")
        INVISIBLE = "invisible", _("Invisible")
        MAINTENANCE = "maintenance", _("Maintenance")

    desired_state = models.CharField(
        max_length=8,
        choices=Desired.choices,
        default=Desired.RUNNING,
        help_text=_("What the panel asked for."),
    )
    presence = models.CharField(
        max_length=12, choices=Presence.choices, default=Presence.ONLINE, help_text=_("Presence to show.")
    )
    restart_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Set by a restart request; the bot restarts when it sees a newer one."),
    )
    bot_heartbeat_at = models.DateTimeField(null=True, blank=True, help_text=_("Last heartbeat of the bot."))
    bot_connected = models.BooleanField(
        default=False, help_text=_("The bot reported a live gateway session.")
    )
    bot_started_at = models.DateTimeField(null=True, blank=True, help_text=_("When the bot last connected."))
    bot_latency_ms = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Gateway latency the bot measured at its last heartbeat (ms).")
    )
    last_recovery_at = models.DateTimeField(null=True, blank=True, help_text=_("When recovery last ran."))

    class Meta:
        verbose_name = _("system state")
        verbose_name_plural = _("system state")

    def __str__(self) -> str:
        return str(_("System state"))

    @classmethod
    def load(cls) -> SystemState:
        state, _created = cls.objects.get_or_create(pk=1)
        return state

"""Things that happen at a time: scheduled closes and reminders; and one-shot staff alerts.

How a ``Job`` runs (claimed once, retried with backoff, reclaimed from a dead worker) is in
``tickets.services._jobs``; the Celery worker drives it (``tickets.tasks``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .fields import snowflake


class Job(models.Model):
    """What every scheduled job shares: when it is due and how its runs went (claimed exactly once)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    due_at = models.DateTimeField(
        db_index=True, help_text=_("When it is due (moved later by the backoff after a failed run).")
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING, db_index=True, help_text=_("Progress.")
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text=_("How many runs were tried."))
    claimed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When a worker last claimed it (a run older than the claim timeout is claimed again)."),
    )
    finished_at = models.DateTimeField(null=True, blank=True, help_text=_("When it ended."))
    last_error = models.TextField(blank=True, default="", help_text=_("Why the last run failed."))
    created_at = models.DateTimeField(auto_now_add=True, help_text=_("When it was scheduled."))

    class Meta:
        abstract = True


class ScheduledClosure(Job):
    """A close planned for later (``close 2h``); a new one replaces the old, a user message cancels it."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="closures", help_text=_("Ticket to close.")
    )
    silent = models.BooleanField(default=False, help_text=_("Close without sending the close message."))
    scheduled_by = snowflake(
        _("Discord ID of the staff member who scheduled it (0: finishing a close Discord interrupted).")
    )
    steps = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Steps of the close already done (closed, dm, channel, log): a retry skips them."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(state="pending"), name="one_pending_closure_per_ticket"
            )
        ]
        indexes = [models.Index(fields=["state", "due_at"], name="closure_state_due")]
        verbose_name = _("scheduled closure")
        verbose_name_plural = _("scheduled closures")

    def __str__(self) -> str:
        return f"close {self.ticket_id} at {self.due_at:%Y-%m-%d %H:%M}"


class Reminder(Job):
    """A reminder posted in a ticket channel at a time, pinging its author and its roles."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="reminders", help_text=_("Ticket it is for.")
    )
    channel_id = snowflake(_("Channel the reminder is posted in."))
    created_by = snowflake(_("Discord ID of the staff member it reminds."))
    content = models.CharField(max_length=1800, help_text=_("What to remind of."))
    role_ids = models.JSONField(
        default=list, blank=True, help_text=_("Role IDs whose members are pinged too.")
    )

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["state", "due_at"], name="reminder_state_due")]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"#{self.pk} {self.content[:40]}"


class ReminderOptOut(models.Model):
    """A member who does not want to be pinged by reminders addressed to one of their roles.

    The one record of reminder subscriptions: a member of a role is subscribed to its reminders
    unless a row says otherwise (``remind unsubscribe`` adds it, ``remind subscribe`` removes it,
    ``reminder_optout`` toggles it)."""

    role_id = snowflake(_("The role."))
    user_id = snowflake(_("The member who opted out."))
    created_at = models.DateTimeField(auto_now_add=True, help_text=_("When."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["role_id", "user_id"], name="reminder_optout_unique")]
        verbose_name = _("reminder opt-out")
        verbose_name_plural = _("reminder opt-outs")

    def __str__(self) -> str:
        return f"{self.user_id} ⟂ {self.role_id}"


class StaffAlert(models.Model):
    """A one-shot ping of a staff member on the user's next message."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="alerts", help_text=_("The ticket watched.")
    )
    staff_id = snowflake(_("Discord ID of the staff member to ping."))
    created_at = models.DateTimeField(auto_now_add=True, help_text=_("When it was set."))
    fired_at = models.DateTimeField(null=True, blank=True, help_text=_("When it pinged (then it is spent)."))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "staff_id"], condition=Q(fired_at__isnull=True), name="one_active_alert"
            )
        ]
        verbose_name = _("staff alert")
        verbose_name_plural = _("staff alerts")

    def __str__(self) -> str:
        return f"alert {self.staff_id} on {self.ticket_id}"

"""Tickets (Rustmail's threads and thread_status) and their messages."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .fields import optional_snowflake, snowflake


class Ticket(models.Model):
    """One modmail conversation with one user; at most one is open per user (a partial unique index)."""

    class Status(models.IntegerChoices):
        CLOSED = 0, _("Closed")
        OPEN = 1, _("Open")

    class Origin(models.TextChoices):
        DM = "dm", _("User DM")
        STAFF = "staff", _("Opened by staff")
        API = "api", _("External API")
        CHANNEL = "channel", _("Channel created in the inbox")

    class LastMessageBy(models.TextChoices):
        USER = "user", _("User")
        STAFF = "staff", _("Staff")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text=_("Ticket ID."))
    user_id = snowflake(_("Discord ID of the user the ticket is with."), db_index=True)
    user_name = models.CharField(max_length=100, help_text=_("The user's name when the ticket opened."))
    dm_channel_id = optional_snowflake(_("The user's DM channel with the bot (for recovery)."))
    guild_id = optional_snowflake(_("Guild holding the ticket channel (the staff guild in dual mode)."))
    channel_id = optional_snowflake(
        _("Discord ID of the ticket channel; empty until it is created."), unique=True
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, help_text=_("When it opened."))
    next_message_number = models.PositiveIntegerField(
        default=1, help_text=_("Number the next staff reply takes (a transactional counter).")
    )
    status = models.SmallIntegerField(
        choices=Status.choices, default=Status.OPEN, db_index=True, help_text=_("1 open, 0 closed.")
    )
    origin = models.CharField(
        max_length=10, choices=Origin.choices, default=Origin.DM, help_text=_("How the ticket was opened.")
    )
    silent = models.BooleanField(
        default=False, help_text=_("Opened by staff: nothing reaches the user until the first staff reply.")
    )
    user_left = models.BooleanField(default=False, help_text=_("The user left the community guild."))
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True, help_text=_("When it closed."))
    closed_by = models.CharField(
        max_length=32,
        null=True,
        blank=True,
        help_text=_('Who closed it: a staff Discord ID, "user_left_server", "scheduled" or "api".'),
    )
    close_silently = models.BooleanField(default=False, help_text=_("It was closed without a close message."))
    category_id = optional_snowflake(_("Discord ID of the Discord category the channel lives in."))
    category_name = models.CharField(
        max_length=100, null=True, blank=True, help_text=_("That category's name.")
    )
    ticket_category = models.ForeignKey(
        "tickets.TicketCategory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        help_text=_("The ticket category the user chose at the prompt, if any."),
    )
    required_permissions = models.CharField(
        max_length=64, null=True, blank=True, help_text=_("Permission a panel user needs to see the ticket.")
    )
    taken_by = optional_snowflake(_("Discord ID of the staff member handling the ticket."))
    label = models.CharField(
        max_length=40, blank=True, default="", help_text=_("Label shown in the channel name.")
    )
    last_message_by = models.CharField(
        max_length=5,
        choices=LastMessageBy.choices,
        default=LastMessageBy.USER,
        help_text=_("Who wrote last (drives the channel's 🔴/🔵 status)."),
    )
    last_message_at = models.DateTimeField(null=True, blank=True, help_text=_("When the last message came."))
    last_user_message_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the user last wrote (a scheduled close is skipped after it)."),
    )
    channel_name = models.CharField(max_length=100, blank=True, default="", help_text=_("Last name applied."))
    renames = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Epoch seconds of recent channel renames (Discord allows 2 per 10 min)."),
    )
    leave_notice_message_id = optional_snowflake(_("The Keep/Close notice posted when the user left."))
    first_response_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When staff first replied to the user (empty for tickets opened by staff)."),
    )
    first_response_by = optional_snowflake(_("Discord ID of the staff member who replied first."))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user_id"], condition=Q(status=1), name="one_open_ticket_per_user"
            ),
        ]
        indexes = [
            # The API's pages (GET /api/bot/tickets) in each sort: the IDs of a page, even deep,
            # come off the index alone (the category, last, is there to leave out the hidden ones).
            models.Index(fields=["status", "created_at", "id", "category_id"], name="ticket_list_created"),
            models.Index(fields=["status", "closed_at", "id", "category_id"], name="ticket_list_closed"),
            models.Index(fields=["status", "user_name", "id", "category_id"], name="ticket_list_username"),
            models.Index(fields=["status", "category_id"], name="ticket_status_category"),
            # The statistics find the tickets of the categories a panel user may not view.
            models.Index(fields=["category_id", "id"], name="ticket_category"),
            # The statistics' first responses of the tickets opened in a period, off the index alone.
            models.Index(
                fields=["created_at"],
                include=["first_response_at", "origin", "category_id"],
                name="ticket_created_response",
            ),
            # The statistics' closes of a period (who closed, resolution times, closes per day),
            # off the index alone.
            models.Index(
                fields=["closed_at"],
                include=["closed_by", "category_id", "created_at"],
                condition=Q(status=0),
                name="ticket_closes",
            ),
            # The panel's list: latest activity first, filtered by status or by who handles it.
            models.Index(
                F("status"),
                Coalesce("last_message_at", "created_at").desc(),
                F("id").desc(),
                name="ticket_status_activity",
            ),
            models.Index(
                Coalesce("last_message_at", "created_at").desc(), F("id").desc(), name="ticket_activity"
            ),
            models.Index(
                F("taken_by"),
                Coalesce("last_message_at", "created_at").desc(),
                F("id").desc(),
                name="ticket_taken_activity",
            ),
        ]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self) -> str:
        return f"{self.user_name} ({self.user_id})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class TicketMessage(models.Model):
    """A message of a ticket: from the user, from staff (numbered), an internal note, or a system line."""

    class Kind(models.TextChoices):
        USER = "user", _("User")
        STAFF = "staff", _("Staff reply")
        INTERNAL = "internal", _("Internal note")
        SYSTEM = "system", _("System")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", help_text=_("The ticket it belongs to.")
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, help_text=_("Who the message is from."))
    author_id = snowflake(_("Discord ID of the author (the user or the staff member)."))
    author_name = models.CharField(max_length=100, help_text=_("Author's name when it was sent."))
    author_role = models.CharField(
        max_length=100, blank=True, default="", help_text=_("Staff member's top role.")
    )
    is_anonymous = models.BooleanField(
        default=False, help_text=_("Sent anonymously: the user did not see who.")
    )
    is_internal = models.BooleanField(default=False, help_text=_("Internal note: never relayed to the user."))
    message_number = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Number of a staff reply within its ticket (for edit and delete).")
    )
    dm_message_id = optional_snowflake(_("Discord ID of the copy in the user's DMs."), unique=True)
    dm_channel_id = optional_snowflake(_("The user's DM channel."))
    inbox_message_id = optional_snowflake(_("Discord ID of the copy in the ticket channel."), unique=True)
    content = models.TextField(blank=True, default="", help_text=_("Current text of the message."))
    created_at = models.DateTimeField(db_index=True, help_text=_("When it was sent."))
    edited_at = models.DateTimeField(null=True, blank=True, help_text=_("When it was last edited."))
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When it was deleted (soft deletion).")
    )
    recovered = models.BooleanField(default=False, help_text=_("Relayed by recovery after the bot was down."))
    first_of_author = models.BooleanField(
        default=False, help_text=_("The first staff reply of its author in its ticket (for the statistics).")
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "message_number"],
                condition=Q(message_number__isnull=False),
                name="message_number_unique_per_ticket",
            ),
        ]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_created"),
            # The relay asks, for every DM, whether an earlier one of the user still misses its copy
            # in the ticket channel: a tiny index of those (nearly every message has its copy).
            models.Index(
                fields=["ticket", "dm_message_id"],
                condition=Q(inbox_message_id__isnull=True, dm_message_id__isnull=False),
                name="message_copy_missing",
            ),
            # The statistics read a period's replies or users' messages from this index alone.
            models.Index(
                fields=["kind", "created_at"],
                include=["ticket", "author_id", "author_name"],
                name="message_kind_created",
            ),
            # Each staff member's first reply in each ticket: the statistics' response times.
            models.Index(
                fields=["created_at"],
                include=["ticket", "author_id"],
                condition=Q(kind="staff", first_of_author=True),
                name="message_first_replies",
            ),
        ]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")

    def __str__(self) -> str:
        number = f"#{self.message_number} " if self.message_number else ""
        return f"{number}{self.author_name}: {self.content[:40]}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Attachment(models.Model):
    """A file attached to a ticket message (Discord's CDN URLs expire: the metadata outlives them)."""

    message = models.ForeignKey(
        TicketMessage, on_delete=models.CASCADE, related_name="attachments", help_text=_("The message.")
    )
    discord_id = optional_snowflake(_("Discord's attachment ID."))
    filename = models.CharField(max_length=255, help_text=_("File name."))
    size = models.PositiveBigIntegerField(help_text=_("Size in bytes."))
    content_type = models.CharField(max_length=255, blank=True, default="", help_text=_("MIME type."))
    url = models.URLField(max_length=1000, help_text=_("Where the file was served when it was sent."))

    class State(models.TextChoices):
        PENDING = "pending", _("Not fetched yet")
        STORED = "stored", _("Stored")
        TOO_LARGE = "too_large", _("Too large to store")
        FAILED = "failed", _("Could not be downloaded")
        DELETED = "deleted", _("Deleted by the retention setting")

    state = models.CharField(
        max_length=16,
        choices=State.choices,
        default=State.PENDING,
        help_text=_("Whether the file itself is kept (Discord's URL expires after about a day)."),
    )
    sha256 = models.CharField(
        max_length=64,
        blank=True,
        default="",
        db_index=True,
        help_text=_("SHA-256 of the stored file (identical files are stored once)."),
    )
    stored_name = models.CharField(
        max_length=255, blank=True, default="", help_text=_("The file's name in the attachment storage.")
    )
    thumbnail_name = models.CharField(
        max_length=255, blank=True, default="", help_text=_("An image's thumbnail in the attachment storage.")
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class MessageEdit(models.Model):
    """One edit of a ticket message: what it said before and after."""

    message = models.ForeignKey(
        TicketMessage, on_delete=models.CASCADE, related_name="edits", help_text=_("The edited message.")
    )
    before = models.TextField(help_text=_("Text before the edit."))
    after = models.TextField(help_text=_("Text after the edit."))
    edited_by = snowflake(_("Discord ID of who edited it."))
    edited_at = models.DateTimeField(auto_now_add=True, help_text=_("When."))

    class Meta:
        ordering = ["edited_at", "id"]
        verbose_name = _("message edit")
        verbose_name_plural = _("message edits")

    def __str__(self) -> str:
        return f"{self.message_id} @ {self.edited_at:%Y-%m-%d %H:%M}"


class TicketChange(models.Model):
    """Something that happened to a ticket besides its messages and closing: taken, released, moved,
    labelled. The ticket page shows them among the messages, as system events."""

    class Kind(models.TextChoices):
        TAKEN = "taken", _("Taken")
        RELEASED = "released", _("Released")
        MOVED = "moved", _("Moved")
        LABELLED = "labelled", _("Labelled")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="changes", help_text=_("The ticket it happened to.")
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, help_text=_("What happened."))
    actor_id = optional_snowflake(_("Discord ID of the staff member who did it (empty when unknown)."))
    detail = models.CharField(
        max_length=200, blank=True, default="", help_text=_("The category moved to, or the new label.")
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True, help_text=_("When."))

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_change_ticket_at")]
        verbose_name = _("ticket change")
        verbose_name_plural = _("ticket changes")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} @ {self.at:%Y-%m-%d %H:%M}"

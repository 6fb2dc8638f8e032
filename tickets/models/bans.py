"""Bans from the community guild, as the bot saw them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import optional_snowflake, snowflake


class MemberBan(models.Model):
    """One ban of a user from the community guild, with who they were when it happened.

    A member's roles, nickname and join date are copied from the guild when they are banned, so
    staff can restore a compromised account; who banned and why come from the audit log when the
    bot may read it. A lifted ban keeps its row (``unbanned_at``): a user banned again gets a new one.
    """

    guild_id = snowflake(_("Discord ID of the guild they were banned from."))
    user_id = snowflake(_("Discord ID of the banned user."), db_index=True)
    username = models.CharField(max_length=100, help_text=_("Their username."))
    global_name = models.CharField(max_length=100, blank=True, default="", help_text=_("Their display name."))
    nickname = models.CharField(
        max_length=100, blank=True, default="", help_text=_("Their nickname in the guild.")
    )
    avatar = models.CharField(max_length=64, blank=True, default="", help_text=_("Avatar hash."))
    role_ids = models.JSONField(default=list, blank=True, help_text=_("Discord IDs of the roles they had."))
    roles_unknown = models.BooleanField(
        default=False, help_text=_("The bot did not know them as a member: their roles are not known.")
    )
    joined_at = models.DateTimeField(null=True, blank=True, help_text=_("When they had joined the guild."))
    banned_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text=_("When they were banned; empty: before the bot saw it."),
    )
    banned_by = optional_snowflake(_("Discord ID of who banned them (from the audit log)."))
    reason = models.CharField(max_length=512, blank=True, default="", help_text=_("The reason given."))
    recorded_at = models.DateTimeField(auto_now_add=True, help_text=_("When the bot recorded the ban."))
    unbanned_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the ban was lifted; empty: still banned.")
    )
    unbanned_by = optional_snowflake(_("Discord ID of who lifted it (from the audit log)."))

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["guild_id", "user_id"],
                condition=models.Q(unbanned_at__isnull=True),
                name="member_ban_one_active",
            )
        ]
        indexes = [models.Index(fields=["guild_id", "-recorded_at"], name="member_ban_guild_recent")]
        verbose_name = _("ban")
        verbose_name_plural = _("bans")

    def __str__(self) -> str:
        return self.global_name or self.username or str(self.user_id)

    @property
    def is_active(self) -> bool:
        return self.unbanned_at is None

    @property
    def avatar_url(self) -> str:
        if self.avatar:
            return f"https://cdn.discordapp.com/avatars/{self.user_id}/{self.avatar}.png"
        return f"https://cdn.discordapp.com/embed/avatars/{(self.user_id >> 22) % 6}.png"

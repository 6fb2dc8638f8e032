"""A cache of the guild as the bot sees it: members, roles and channels, for the API and permission checks."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import optional_snowflake, snowflake


class GuildSnapshot(models.Model):
    """A guild the bot is in."""

    guild_id = snowflake(_("Discord ID of the guild."), unique=True)
    name = models.CharField(max_length=100, help_text=_("Its name."))
    owner_id = snowflake(_("Discord ID of its owner (holds every panel permission)."))
    icon = models.CharField(max_length=64, blank=True, default="", help_text=_("Icon hash."))
    updated_at = models.DateTimeField(auto_now=True, help_text=_("When the bot last saw it."))

    class Meta:
        verbose_name = _("guild")
        verbose_name_plural = _("guilds")

    def __str__(self) -> str:
        return self.name


class GuildRole(models.Model):
    """A role of a cached guild."""

    guild_id = snowflake(_("Discord ID of the guild."), db_index=True)
    role_id = snowflake(_("Discord ID of the role (the @everyone role has the guild's ID)."), unique=True)
    name = models.CharField(max_length=100, help_text=_("Its name."))
    color = models.PositiveIntegerField(default=0, help_text=_("Its colour as an integer."))
    position = models.IntegerField(default=0, help_text=_("Its position (higher ranks first)."))
    permissions = models.BigIntegerField(default=0, help_text=_("Its permission bit set."))
    managed = models.BooleanField(default=False, help_text=_("Managed by an integration."))

    class Meta:
        ordering = ["-position", "role_id"]
        verbose_name = _("guild role")
        verbose_name_plural = _("guild roles")

    def __str__(self) -> str:
        return self.name


class GuildMember(models.Model):
    """A member of a cached guild."""

    guild_id = snowflake(_("Discord ID of the guild."))
    user_id = snowflake(_("Discord ID of the member."), db_index=True)
    username = models.CharField(max_length=100, help_text=_("Their username."))
    global_name = models.CharField(max_length=100, blank=True, default="", help_text=_("Their display name."))
    discriminator = models.CharField(max_length=4, default="0", help_text=_("Legacy discriminator."))
    avatar = models.CharField(max_length=64, blank=True, default="", help_text=_("Avatar hash."))
    role_ids = models.JSONField(default=list, blank=True, help_text=_("Discord IDs of their roles."))
    is_bot = models.BooleanField(default=False, help_text=_("A bot account."))
    joined_at = models.DateTimeField(null=True, blank=True, help_text=_("When they joined."))
    updated_at = models.DateTimeField(auto_now=True, help_text=_("When the bot last saw them."))

    class Meta:
        ordering = ["username"]
        constraints = [models.UniqueConstraint(fields=["guild_id", "user_id"], name="guild_member_unique")]
        verbose_name = _("guild member")
        verbose_name_plural = _("guild members")

    def __str__(self) -> str:
        return self.global_name or self.username


class GuildChannel(models.Model):
    """A channel or category of a cached guild, with its permission overwrites."""

    guild_id = snowflake(_("Discord ID of the guild."), db_index=True)
    channel_id = snowflake(_("Discord ID of the channel."), unique=True)
    name = models.CharField(max_length=100, help_text=_("Its name."))
    type = models.PositiveSmallIntegerField(default=0, help_text=_("Discord channel type (4: category)."))
    parent_id = optional_snowflake(_("Category it sits in."))
    position = models.IntegerField(default=0, help_text=_("Its position."))
    overwrites = models.JSONField(
        default=list, blank=True, help_text=_("Permission overwrites as Discord sends them.")
    )

    class Meta:
        ordering = ["position", "channel_id"]
        verbose_name = _("guild channel")
        verbose_name_plural = _("guild channels")

    def __str__(self) -> str:
        return self.name

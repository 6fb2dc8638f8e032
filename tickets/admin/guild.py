"""The guild cache, as the bot last saw it (it refreshes the rows)."""

from __future__ import annotations

from django.contrib import admin

from tickets.models import GuildChannel, GuildMember, GuildRole, GuildSnapshot


@admin.register(GuildSnapshot)
class GuildSnapshotAdmin(admin.ModelAdmin):
    list_display = ("name", "guild_id", "owner_id", "updated_at")
    search_fields = ("name", "guild_id__exact", "owner_id__exact")
    ordering = ("name",)
    readonly_fields = ("updated_at",)


@admin.register(GuildRole)
class GuildRoleAdmin(admin.ModelAdmin):
    list_display = ("name", "role_id", "guild_id", "position", "color", "managed")
    list_filter = ("managed", "guild_id")
    search_fields = ("name", "role_id__exact", "guild_id__exact")
    ordering = ("guild_id", "-position", "role_id")


@admin.register(GuildMember)
class GuildMemberAdmin(admin.ModelAdmin):
    list_display = ("username", "global_name", "user_id", "guild_id", "is_bot", "joined_at", "updated_at")
    list_filter = ("is_bot", "guild_id")
    search_fields = ("username", "global_name", "user_id__exact", "guild_id__exact")
    ordering = ("username", "id")
    readonly_fields = ("updated_at",)


@admin.register(GuildChannel)
class GuildChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "channel_id", "type", "parent_id", "position", "guild_id")
    list_filter = ("type", "guild_id")
    search_fields = ("name", "channel_id__exact", "parent_id__exact", "guild_id__exact")
    ordering = ("guild_id", "position", "channel_id")

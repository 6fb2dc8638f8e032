"""``/api/admin/bans``: its query parameters and one banned user, in the shape of Rustmail's panel."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tickets.models import MemberBan

from .fields import epoch

MAX_BANS = 500
STATUSES = ("active", "lifted", "all")


class BanQuerySerializer(serializers.Serializer):
    """The query parameters; anything malformed is a 400."""

    status = serializers.ChoiceField(
        choices=STATUSES,
        default="active",
        help_text="active (still banned, as Rustmail lists them), lifted, or all.",
        error_messages={"invalid_choice": _("status must be active, lifted or all.")},
    )
    search = serializers.CharField(
        required=False,
        max_length=100,
        help_text="A user ID, or part of a username, display name or nickname.",
    )
    page = serializers.IntegerField(default=1, min_value=1, max_value=100_000, help_text="Page number.")
    page_size = serializers.IntegerField(
        default=MAX_BANS, min_value=1, max_value=MAX_BANS, help_text="Bans per page, latest first."
    )


class BannedUserSerializer(serializers.Serializer):
    """One ban, as Rustmail's ``PanelBannedUser``: Unix seconds, Discord IDs as strings, role names
    from the guild cache (a role it no longer knows keeps its ID)."""

    user_id = serializers.SerializerMethodField()
    username = serializers.CharField()
    global_name = serializers.SerializerMethodField()
    nickname = serializers.SerializerMethodField()
    avatar_url = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField(), source="role_names")
    joined_at = serializers.SerializerMethodField()
    banned_at = serializers.SerializerMethodField()
    banned_by_id = serializers.SerializerMethodField()
    banned_by_name = serializers.SerializerMethodField()
    ban_reason = serializers.SerializerMethodField()
    roles_unknown = serializers.BooleanField()
    unbanned_at = serializers.SerializerMethodField()

    def get_user_id(self, ban: MemberBan) -> str:
        return str(ban.user_id)

    def get_global_name(self, ban: MemberBan) -> str | None:
        return ban.global_name or None

    def get_nickname(self, ban: MemberBan) -> str | None:
        return ban.nickname or None

    def get_joined_at(self, ban: MemberBan) -> int | None:
        return epoch(ban.joined_at)

    def get_banned_at(self, ban: MemberBan) -> int:
        """When the ban happened; for a ban older than the bot's record, when the bot recorded it."""
        return epoch(ban.banned_at or ban.recorded_at) or 0

    def get_banned_by_id(self, ban: MemberBan) -> str | None:
        return str(ban.banned_by) if ban.banned_by else None

    def get_banned_by_name(self, ban: MemberBan) -> str | None:
        return ban.banned_by_name or None

    def get_ban_reason(self, ban: MemberBan) -> str | None:
        return ban.reason or None

    def get_unbanned_at(self, ban: MemberBan) -> int | None:
        """When the ban was lifted (null while it holds; Rustmail lists only bans that hold)."""
        return epoch(ban.unbanned_at)

"""``/api/admin/members|roles|permissions``."""

from __future__ import annotations

from rest_framework import serializers

from panel.models import PanelPermission
from tickets.models import GuildMember

from .fields import EpochField, SnowflakeField


class MemberSerializer(serializers.Serializer):
    user_id = SnowflakeField()
    username = serializers.CharField()
    discriminator = serializers.CharField()
    avatar = serializers.SerializerMethodField()
    roles = serializers.ListField(child=SnowflakeField(), source="role_ids")

    def get_avatar(self, member: GuildMember) -> str | None:
        return member.avatar or None


class RoleSerializer(serializers.Serializer):
    role_id = SnowflakeField()
    name = serializers.CharField()
    color = serializers.IntegerField()
    position = serializers.IntegerField()


class GrantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject_type = serializers.ChoiceField(choices=PanelPermission.SubjectType.values)
    subject_id = SnowflakeField()
    permission = serializers.ChoiceField(choices=PanelPermission.Permission.values)
    granted_by = serializers.CharField(help_text="Discord ID of who granted it (0: a Django superuser).")
    granted_at = EpochField()


class GrantRequestSerializer(serializers.Serializer):
    subject_type = serializers.ChoiceField(
        choices=PanelPermission.SubjectType.values, help_text="User or Role."
    )
    subject_id = SnowflakeField(help_text="Discord ID of the user or role.")
    permission = serializers.ChoiceField(choices=PanelPermission.Permission.values)

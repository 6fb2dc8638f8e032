"""``/api/bot/profile``: the bot's Discord profile, and a change to it."""

from __future__ import annotations

from rest_framework import serializers


class BotProfileSerializer(serializers.Serializer):
    username = serializers.CharField()
    avatar_url = serializers.CharField(allow_null=True)
    banner_url = serializers.CharField(allow_null=True)
    discriminator = serializers.CharField(allow_blank=True)
    id = serializers.CharField(help_text="The bot's Discord ID.")


class TextField(serializers.CharField):
    """A JSON string only (a number is not a name nor an image)."""

    def to_internal_value(self, data: object) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class BotProfileUpdateSerializer(serializers.Serializer):
    """At least one field; images as ``data:image/png;base64,...`` (PNG, JPEG, GIF, WebP) or bare base64."""

    username = TextField(required=False, max_length=100, help_text="2 to 32 characters.")
    avatar = TextField(required=False, help_text="A data URI of a PNG, JPEG, GIF or WebP image.")
    banner = TextField(required=False, help_text="A data URI of a PNG, JPEG, GIF or WebP image.")


class BotProfileUpdatedSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    username = serializers.CharField()
    avatar_url = serializers.CharField(allow_null=True)
    banner_url = serializers.CharField(allow_null=True)

"""``/api/bot/status|start|stop|restart|presence``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tickets.services.botcontrol import PRESENCES


class BotStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["running", "stopped"], help_text="running or stopped.")
    presence = serializers.ChoiceField(choices=PRESENCES, help_text="The presence the bot shows.")


class PresenceSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=PRESENCES,
        help_text="online, idle, dnd, invisible or maintenance.",
        error_messages={"invalid_choice": _("Invalid status value")},
    )

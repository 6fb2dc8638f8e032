"""``GET /api/bot/tickets``: the query, and tickets and messages as Rustmail shows them."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from panel.selectors import SORT_FIELDS, TicketPage
from panel.selectors.tickets import Row

from .fields import SnowflakeField, epoch

MAX_PAGE = 10_000_000


class CaseInsensitiveChoiceField(serializers.ChoiceField):
    """A choice matched in any case (``ASC``, ``asc``, ``Asc``)."""

    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(data.lower() if isinstance(data, str) else data)


class TicketQuerySerializer(serializers.Serializer):
    """The query parameters; anything malformed is a 400."""

    id = serializers.CharField(required=False, help_text="One ticket by ID (with its messages).")
    page = serializers.IntegerField(default=1, min_value=1, max_value=MAX_PAGE, help_text="Page number.")
    page_size = serializers.IntegerField(
        default=50, min_value=1, help_text="Tickets per page (a value above 200 is capped at 200)."
    )
    status = serializers.IntegerField(default=1, min_value=0, max_value=1, help_text="1 open, 0 closed.")
    category_id = SnowflakeField(required=False, help_text="Only tickets in this Discord category.")
    sort_by = serializers.ChoiceField(choices=SORT_FIELDS, default="created_at", help_text="Sort field.")
    sort_order = CaseInsensitiveChoiceField(
        choices=["asc", "desc"],
        default="desc",
        help_text="asc or desc, in any case.",
        error_messages={"invalid_choice": _("sort_order must be asc or desc.")},
    )


class TicketMessageSerializer(serializers.Serializer):
    """A message of a ticket (documentation of ``message_json``)."""

    id = serializers.IntegerField()
    thread_id = serializers.CharField()
    user_id = serializers.IntegerField()
    user_name = serializers.CharField()
    is_anonymous = serializers.BooleanField()
    dm_message_id = SnowflakeField(allow_null=True)
    inbox_message_id = SnowflakeField(allow_null=True)
    message_number = serializers.IntegerField(allow_null=True)
    created_at = serializers.CharField(help_text="UTC, as YYYY-MM-DD HH:MM:SS.")
    content = serializers.CharField(allow_blank=True)
    is_internal = serializers.BooleanField()


class TicketSerializer(serializers.Serializer):
    """A ticket with its messages (documentation of ``ticket_json``)."""

    id = serializers.CharField()
    user_id = serializers.IntegerField()
    user_name = serializers.CharField()
    channel_id = SnowflakeField(allow_null=True)
    created_at = serializers.IntegerField(help_text="Unix seconds.")
    new_message_number = serializers.IntegerField()
    status = serializers.IntegerField(help_text="1 open, 0 closed.")
    user_left = serializers.BooleanField()
    closed_at = serializers.IntegerField(allow_null=True, help_text="Unix seconds.")
    closed_by = serializers.CharField(allow_null=True)
    category_id = SnowflakeField(allow_null=True)
    category_name = serializers.CharField(allow_null=True)
    required_permissions = serializers.CharField(allow_null=True)
    messages = TicketMessageSerializer(many=True)


class TicketPageSerializer(serializers.Serializer):
    """A page of tickets (documentation of ``page_json``)."""

    threads = TicketSerializer(many=True)
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    total_pages = serializers.IntegerField()


def _id(value: int | None) -> str | None:
    return None if value is None else str(value)


def message_json(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "thread_id": str(row["ticket_id"]),
        "user_id": row["author_id"],
        "user_name": row["author_name"],
        "is_anonymous": row["is_anonymous"],
        "dm_message_id": _id(row["dm_message_id"]),
        "inbox_message_id": _id(row["inbox_message_id"]),
        "message_number": row["message_number"],
        "created_at": row["created_at"].astimezone(UTC).isoformat(" ", "seconds")[:19],
        "content": row["content"],
        "is_internal": row["is_internal"],
    }


def ticket_json(row: Row, messages: list[Row]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "user_id": row["user_id"],
        "user_name": row["user_name"],
        "channel_id": _id(row["channel_id"]),
        "created_at": epoch(row["created_at"]),
        "new_message_number": row["next_message_number"],
        "status": row["status"],
        "user_left": row["user_left"],
        "closed_at": epoch(row["closed_at"]),
        "closed_by": row["closed_by"],
        "category_id": _id(row["category_id"]),
        "category_name": row["category_name"],
        "required_permissions": row["required_permissions"],
        "messages": [message_json(message) for message in messages],
    }


def page_json(page: TicketPage) -> dict[str, Any]:
    return {
        "threads": [ticket_json(row, page.messages.get(row["id"], [])) for row in page.tickets],
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "total_pages": page.total_pages,
    }

"""``GET /api/bot/tickets``: the query, and tickets and messages as Rustmail shows them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from panel.renderers import JsonText
from panel.selectors import SORT_FIELDS, TicketPage
from panel.selectors.tickets import Row
from tickets.search import MAX_QUERY_LENGTH

from .fields import SnowflakeField

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
    q = serializers.CharField(
        required=False,
        max_length=MAX_QUERY_LENGTH,
        help_text=(
            "Full-text search over every message and the tickets' user names, user IDs, labels and "
            'categories, in web-search syntax (words, "phrases", -exclusion, OR). Results come best '
            "first (sort_by and sort_order are ignored), each with highlights; status and category_id "
            "filter only when given."
        ),
    )


class AttachmentSerializer(serializers.Serializer):
    """A file of a message (documentation of ``attachments_json``): the stored copy's URLs need the
    same access as the ticket (a panel session or a ReadTickets key)."""

    id = serializers.IntegerField()
    filename = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    content_type = serializers.CharField(allow_blank=True)
    stored = serializers.BooleanField(
        help_text="False: too large, not downloadable, or deleted by retention."
    )
    url = serializers.CharField(allow_null=True, help_text="GET /api/attachments/{id}: the stored copy.")
    thumbnail_url = serializers.CharField(allow_null=True, help_text="A stored image's thumbnail (PNG).")


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
    attachments = AttachmentSerializer(many=True)


class HighlightSerializer(serializers.Serializer):
    """Where a ticket matched a search (documentation of ``Highlight.as_json``)."""

    source = serializers.ChoiceField(
        choices=["message", "user_name", "user_id", "label", "category"],
        help_text="A message, or the ticket field that matched.",
    )
    message_id = serializers.IntegerField(allow_null=True, help_text="The message, for source=message.")
    snippet = serializers.CharField(
        help_text="HTML: the text escaped, the matched words in <mark>, cut around the matches."
    )


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
    highlights = HighlightSerializer(
        many=True, required=False, help_text="With q only: where the ticket matched, best first."
    )


class TicketPageSerializer(serializers.Serializer):
    """A page of tickets (documentation of ``page_json``)."""

    threads = TicketSerializer(many=True)
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    total_pages = serializers.IntegerField()


def ticket_json(row: Row, messages: list[Row] | JsonText) -> dict[str, Any]:
    """A ticket as the API shows it: its row (already in the API's shape) with its messages (their
    JSON text as a whole on PostgreSQL)."""
    row["messages"] = messages
    return row


def page_json(page: TicketPage) -> dict[str, Any]:
    """A page as the API shows it."""
    messages = page.messages
    return {
        "threads": [ticket_json(row, messages.get(row["id"], [])) for row in page.tickets],
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "total_pages": page.total_pages,
    }

"""Reads of API keys: the keys with their recent usage, for the panel's API keys page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from .models import ApiKey, ApiKeyUsage

USAGE_DAYS = 30


@dataclass(frozen=True)
class KeyUsage:
    """A key's totals over the last ``USAGE_DAYS`` days (today included)."""

    requests: int = 0
    tickets_created: int = 0


def apikey_usage(*, days: int = USAGE_DAYS) -> dict[int, KeyUsage]:
    """Each key's requests and tickets created over the last ``days`` days (UTC), by key ID; a key
    unused in that time is absent. One query, grouped by key."""
    since = timezone.now().date() - timedelta(days=days - 1)
    rows = (
        ApiKeyUsage.objects.filter(day__gte=since)
        .values("key_id")
        .annotate(requests_sum=Sum("requests"), tickets_sum=Sum("tickets_created"))
        .order_by()
    )
    return {
        row["key_id"]: KeyUsage(requests=row["requests_sum"] or 0, tickets_created=row["tickets_sum"] or 0)
        for row in rows
    }


def apikeys_with_usage(*, days: int = USAGE_DAYS) -> list[ApiKey]:
    """Every key, newest first, each with ``recent_usage`` (a ``KeyUsage``) and ``is_expired``."""
    usage = apikey_usage(days=days)
    at = timezone.now()
    keys = list(ApiKey.objects.all())
    for key in keys:
        key.recent_usage = usage.get(key.pk, KeyUsage())
        key.is_expired = key.expires_at is not None and key.expires_at <= at
    return keys

"""Per-key, per-day usage counters: every accepted request and every ticket opened is counted on
the key that did it, today (UTC); the panel sums the last 30 days."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apikeys.models import ApiKey, ApiKeyUsage
from apikeys.selectors import apikey_usage, apikeys_with_usage
from apikeys.services import apikey_authenticate, apikey_create, apikey_usage_count

from .conftest import CUSTOMER

URL = "/api/externals/tickets/create"


def test_requests_and_tickets_are_counted_on_the_key(guild, key_client) -> None:
    client = key_client()
    key = ApiKey.objects.get()
    assert client.post(URL, {"discord_id": "123456789012345678"}, format="json").status_code == 404
    assert client.post(URL, {"discord_id": str(CUSTOMER)}, format="json").status_code == 200

    usage = ApiKeyUsage.objects.get(key=key)
    assert (usage.day, usage.requests, usage.tickets_created) == (timezone.now().date(), 2, 1)


def test_a_refused_key_counts_nothing(guild, key_client) -> None:
    client = key_client()
    ApiKey.objects.update(is_active=False)
    assert client.post(URL, {"discord_id": str(CUSTOMER)}, format="json").status_code == 401
    assert not ApiKeyUsage.objects.exists()


def test_one_row_per_key_and_day(db) -> None:
    key = apikey_create(name="CI", permissions=["CreateTicket"]).api_key
    for _ in range(3):
        apikey_usage_count(key_id=key.pk, requests=1)
    apikey_usage_count(key_id=key.pk, tickets_created=1)
    assert list(ApiKeyUsage.objects.values_list("requests", "tickets_created")) == [(3, 1)]


def test_the_page_sums_the_last_30_days_only(db) -> None:
    key = apikey_create(name="CI", permissions=["CreateTicket"]).api_key
    other = apikey_create(name="Unused", permissions=["CreateTicket"]).api_key
    today = timezone.now().date()
    ApiKeyUsage.objects.create(key=key, day=today, requests=5, tickets_created=2)
    ApiKeyUsage.objects.create(key=key, day=today - timedelta(days=29), requests=1, tickets_created=1)
    ApiKeyUsage.objects.create(key=key, day=today - timedelta(days=30), requests=100, tickets_created=100)

    usage = apikey_usage()
    assert (usage[key.pk].requests, usage[key.pk].tickets_created) == (6, 3)
    assert other.pk not in usage
    listed = {k.pk: k.recent_usage for k in apikeys_with_usage()}
    assert (listed[other.pk].requests, listed[other.pk].tickets_created) == (0, 0)


def test_deleting_a_key_deletes_its_usage(db) -> None:
    key = apikey_create(name="CI", permissions=["CreateTicket"]).api_key
    apikey_usage_count(key_id=key.pk, requests=1)
    key.delete()
    assert not ApiKeyUsage.objects.exists()


def test_counting_a_request_costs_one_update_once_the_day_has_its_row(db, django_assert_num_queries) -> None:
    created = apikey_create(name="CI", permissions=["CreateTicket"])
    apikey_authenticate(secret=created.secret)  # the day's first request inserts the row
    # The key's lookup, its last use, its counter: one statement more than without usage counts.
    with django_assert_num_queries(3):
        apikey_authenticate(secret=created.secret)
    assert ApiKeyUsage.objects.get().requests == 2

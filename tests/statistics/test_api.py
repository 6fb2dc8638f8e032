"""``GET /api/bot/statistics``: Rustmail's shape (every key of its ``Statistics`` struct, none
removed), the seeded figures, who may call it, and bad input (400 ``{"error"}``)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.api.conftest import STAFF_ROLE, make_user, next_id, session_client

from .seed import ALICE, NOW, seed

pytestmark = pytest.mark.django_db

URL = "/api/bot/statistics"

# Rustmail's crates/rustmail/src/db/operations/statistics.rs: the fields of ``Statistics`` and of
# the structs it holds, as serde serialises them.
RUSTMAIL_STATISTICS = {"overview", "activity", "categories", "staff_leaderboard", "top_performers"}
RUSTMAIL_OVERVIEW = {
    "open_tickets",
    "total_closed",
    "closed_today",
    "closed_this_week",
    "closed_this_month",
    "avg_response_time_seconds",
    "avg_resolution_time_seconds",
}
RUSTMAIL_DAILY_ACTIVITY = {"date", "created", "closed"}
RUSTMAIL_CATEGORY = {"name", "count", "percentage"}
RUSTMAIL_STAFF_MEMBER = {
    "user_id",
    "username",
    "messages_count",
    "tickets_closed",
    "avg_response_time_seconds",
}
RUSTMAIL_TOP_PERFORMERS = {"fastest_responder", "most_messages", "most_tickets_closed"}
RUSTMAIL_TOP_PERFORMER = {"user_id", "username", "value"}


@pytest.fixture
def at_now(monkeypatch) -> None:
    """The clock at the seed's ``NOW`` (before any session is made)."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def viewer(*grants: str, roles: tuple[int, ...] = (STAFF_ROLE,)):
    return session_client(make_user(next_id(), roles=roles, grants=grants))


def test_the_answer_has_every_field_of_rustmail(guild, at_now, super_admin) -> None:
    seed()
    body = super_admin.get(URL, {"days": 7}).json()
    assert body.keys() >= RUSTMAIL_STATISTICS
    assert body["overview"].keys() >= RUSTMAIL_OVERVIEW
    assert all(day.keys() >= RUSTMAIL_DAILY_ACTIVITY for day in body["activity"])
    assert body["categories"] and all(c.keys() >= RUSTMAIL_CATEGORY for c in body["categories"])
    assert body["staff_leaderboard"]
    assert all(member.keys() >= RUSTMAIL_STAFF_MEMBER for member in body["staff_leaderboard"])
    assert body["top_performers"].keys() == RUSTMAIL_TOP_PERFORMERS
    assert body["top_performers"]["most_messages"].keys() == RUSTMAIL_TOP_PERFORMER
    # Types as Rustmail's: IDs as strings, dates as YYYY-MM-DD, seconds as integers.
    assert body["staff_leaderboard"][0]["user_id"] == str(ALICE)
    assert body["activity"][0] == {"date": "2026-03-12", "created": 1, "closed": 2}
    assert body["overview"]["avg_response_time_seconds"] == 2580
    assert body["overview"]["median_response_time_seconds"] == 1200
    assert body["categories"][-1] == {
        "name": "Uncategorized",
        "count": 1,
        "percentage": 100 / 7,
        "uncategorized": True,
    }
    assert body["top_performers"]["fastest_responder"] is None
    assert body["top_performers"]["most_tickets_closed"] == {
        "user_id": str(ALICE),
        "username": "alice",
        "value": 2,
    }
    assert (body["days"], body["time_zone"], body["since"]) == (7, "UTC", "2026-03-12T00:00:00+00:00")
    assert len(body["busiest_hours"]) == 7 and all(len(row) == 24 for row in body["busiest_hours"])
    assert [b["count"] for b in body["first_response_distribution"]] == [0, 2, 1, 2, 0, 0, 0]


@pytest.mark.parametrize(("days", "length"), [(None, 30), ("7", 7), ("30", 30), ("90", 90)])
def test_days_is_7_30_or_90_and_30_by_default(guild, super_admin, days, length) -> None:
    response = super_admin.get(URL, {} if days is None else {"days": days})
    assert response.status_code == 200
    assert response.json()["days"] == length
    assert len(response.json()["activity"]) == length


@pytest.mark.parametrize(
    "days", ["", "14", "0", "-7", "abc", "7.0", "1e3", "٧", "7 ", "99999999999999999999"]
)
def test_any_other_days_is_a_400_with_an_error(guild, super_admin, days) -> None:
    response = super_admin.get(URL, {"days": days})
    assert response.status_code == 400
    assert list(response.json()) == ["error"]
    assert "7, 30 or 90" in response.json()["error"]


def test_a_session_with_viewpanel_is_needed(guild) -> None:
    from rest_framework.test import APIClient

    assert APIClient().get(URL).status_code == 401
    refused = viewer("ManageBot", "ManageTickets").get(URL)
    assert refused.status_code == 403 and list(refused.json()) == ["error"]
    assert viewer("ViewPanel").get(URL).status_code == 200


def test_tickets_of_categories_the_caller_may_not_view_are_left_out(guild, at_now, super_admin) -> None:
    seed()
    staff = viewer("ViewPanel").get(URL, {"days": 7}).json()
    admin = super_admin.get(URL, {"days": 7}).json()
    assert (admin["overview"]["open_tickets"], staff["overview"]["open_tickets"]) == (4, 3)
    assert "Secret" in {c["name"] for c in admin["categories"]}
    assert "Secret" not in {c["name"] for c in staff["categories"]}
    assert staff["staff_leaderboard"][0]["messages_count"] == 4


def test_post_is_not_allowed(guild, super_admin) -> None:
    response = super_admin.post(URL)
    assert response.status_code == 405 and list(response.json()) == ["error"]

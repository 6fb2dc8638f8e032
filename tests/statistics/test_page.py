"""``/panel/statistics`` and its CSV downloads, through Django's test client: the seeded figures,
the period links, the htmx fragment, bad input and who may open it."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import SUPER_ADMIN, make_user, next_id

from .seed import NOW, seed

pytestmark = pytest.mark.django_db

URL = "/panel/statistics"


@pytest.fixture
def admin(guild) -> Client:
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    client = Client()
    client.force_login(make_user(SUPER_ADMIN))
    yield client
    monkeypatch.undo()


def text_of(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[html.index(">", start) + 1 : html.index("<", start)]


def test_the_page_shows_the_period_s_figures(admin) -> None:
    seed()
    response = admin.get(URL, {"days": 7})
    assert response.status_code == 200
    html = response.content.decode()
    assert text_of(html, "stat-open") == "4"
    assert text_of(html, "stat-closed-week") == "2"
    assert text_of(html, "stat-avg-response") == "43 min"  # 2580 s
    assert text_of(html, "stat-median-response") == "20 min"
    assert text_of(html, "stat-median-resolution") == "2 d 0 h"  # 172800 s
    assert '<a href="?days=7" aria-current="page">7 days</a>' in html
    assert 'hx-get="/panel/statistics?days=7"' in html
    assert html.count("<svg") >= 4 and html.count('role="img"') >= 4


def test_htmx_gets_the_body_alone(admin) -> None:
    response = admin.get(URL, {"days": 90}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="statistics"') and "<html" not in html


@pytest.mark.parametrize("days", ["14", "", "x"])
def test_a_bad_period_is_a_400_showing_30_days(admin, days) -> None:
    response = admin.get(URL, {"days": days})
    assert response.status_code == 400
    assert "days must be 7, 30 or 90." in response.content.decode()
    assert response.context["days"] == 30


def test_each_table_downloads_as_csv(admin) -> None:
    seed()
    response = admin.get(f"{URL}/activity.csv", {"days": 7})

    def table(name: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(admin.get(f"{URL}/{name}.csv", {"days": 7}).content.decode())))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="statistics-activity-7d.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "created", "closed"] and rows[1] == ["2026-03-12", "1", "2"] and len(rows) == 8
    assert table("staff")[1][1:] == ["alice", "5", "2", "3", "1800", "1200"]
    assert table("categories")[-1] == ["Uncategorized", "1", "14.3"]
    for name in ("hours", "response-times"):
        assert admin.get(f"{URL}/{name}.csv").status_code == 200
    assert admin.get(f"{URL}/activity.csv", {"days": "3"}).status_code == 400
    assert admin.get(f"{URL}/secrets.csv").status_code == 404


def test_viewpanel_is_needed(guild) -> None:
    assert Client().get(URL).status_code == 302
    member = Client()
    member.force_login(make_user(next_id()))
    assert member.get(URL).status_code == 403
    assert member.get(f"{URL}/staff.csv").status_code == 403
    viewer = Client()
    viewer.force_login(make_user(next_id(), grants=("ViewPanel",)))
    assert viewer.get(URL).status_code == 200
    assert 'href="/panel/statistics"' in viewer.get("/panel").content.decode()

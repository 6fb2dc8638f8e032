"""The statistics page in a real browser (Debian's Chromium) against daphne: the figures of a
seeded data set worked out by hand (tests/statistics/seed.py ``seed_recent``), the period links,
the tables behind the charts, a CSV download, a new ticket showing up without a reload, French,
a phone's width, and no page for a member without ViewPanel."""

from __future__ import annotations

from typing import Any

import pytest

from tests.statistics.seed import seed_recent, ticket
from tickets.events import EventType, publish

from .conftest import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def value(page: Any, element_id: str) -> str:
    return page.locator(f"#{element_id}").inner_text().strip()


def test_the_statistics_page_shows_the_seeded_figures(guild, browser_page, signed_in) -> None:
    page = browser_page
    seed_recent()
    signed_in(page, "viewer")
    page.goto("/panel")
    page.get_by_role("link", name="Statistics").click()
    page.get_by_role("link", name="7 days").click()
    page.wait_for_url("**/panel/statistics?days=7")
    assert page.get_by_role("link", name="7 days").get_attribute("aria-current") == "page"

    assert value(page, "stat-open") == "2"  # R2, R4
    assert value(page, "stat-closed-today") == "0"
    assert value(page, "stat-opened") == "4"
    assert value(page, "stat-avg-response") == "26 min 40 s"  # (5 + 15 + 60) / 3 min
    assert value(page, "stat-median-response") == "15 min"
    assert value(page, "stat-avg-resolution") == "13 h 0 min"  # (2 h + 24 h) / 2
    assert value(page, "stat-median-resolution") == "13 h 0 min"

    staff = page.locator("#staff-table tbody tr")
    assert staff.count() == 2
    assert staff.nth(0).locator("th, td").all_inner_texts() == ["alice", "3", "1", "3", "1 h 0 min", "45 min"]
    assert staff.nth(1).locator("th, td").all_inner_texts() == ["bob", "1", "1", "1", "5 min", "5 min"]
    assert value(page, "top-messages") == "alice · 3"
    assert "5 tickets" in value(page, "top-fastest")

    categories = page.locator("#categories-table tbody tr")
    assert [categories.nth(n).locator("th, td").all_inner_texts() for n in range(3)] == [
        ["Billing", "2", "50.0 %"],
        ["Support", "1", "25.0 %"],
        ["Uncategorized", "1", "25.0 %"],
    ]

    # The charts' tables: the last 7 days, one row each; the first-response buckets.
    page.locator("#activity-title").scroll_into_view_if_needed()
    page.get_by_text("Show as a table").first.click()
    days = page.locator("#activity-table tbody tr")
    assert days.count() == 7
    cells = [days.nth(n).locator("td").all_inner_texts() for n in range(7)]
    assert cells == [["0", "0"], ["0", "0"], ["1", "0"], ["1", "0"], ["1", "1"], ["1", "1"], ["0", "0"]]
    buckets = page.locator("#responses-table tbody tr td")
    assert buckets.all_text_contents() == ["0", "1", "1", "1", "0", "0", "0", "1"]  # in a closed <details>
    screenshot(page, "statistics-7-days")

    # A CSV of the leaderboard.
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV staff leaderboard").click()
    assert download.value.suggested_filename == "statistics-staff-7d.csv"
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()  # noqa: SIM115
    assert lines[1].split(",")[1:] == ["alice", "3", "1", "3", "2700", "3600"]

    # A new ticket: the page follows without a reload.
    page.locator("body[data-live=connected]").wait_for(timeout=20_000)
    page.evaluate("window.__unreloaded = true")
    new = ticket(105, page_now(), messages=())
    publish(EventType.TICKET_OPENED, ticket=new)
    page.locator("#stat-open", has_text="3").wait_for(timeout=20_000)
    assert value(page, "stat-opened") == "5"
    assert page.evaluate("window.__unreloaded === true")

    # 30 and 90 days: every day of the period in the table.
    page.get_by_role("link", name="90 days").click()
    page.wait_for_url("**/panel/statistics?days=90")
    assert page.locator("#activity-table tbody tr").count() == 90


def page_now() -> Any:
    from django.utils import timezone

    return timezone.now()


def test_in_french_and_on_a_phone(guild, browser_page, signed_in) -> None:
    page = browser_page
    seed_recent()
    signed_in(page, "viewer")
    page.set_viewport_size(PHONE)
    page.goto("/panel/statistics")
    page.get_by_label("Language").select_option("fr")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Statistiques"
    assert page.get_by_role("link", name="30 jours").get_attribute("aria-current") == "page"
    assert value(page, "stat-median-response") == "15 min"
    # The charts' numbers are SVG's (1.5), not French text (1,5): the bars are drawn.
    for selector in (".bar-created", ".bar-category", ".bar-response", ".heat-cell"):
        shape = page.locator(selector).first
        assert float(shape.get_attribute("width")) > 0, selector
        assert shape.bounding_box()["width"] > 0, selector
    assert float(page.locator(".heat-cell:not(.heat-empty)").first.get_attribute("fill-opacity")) > 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    screenshot(page, "statistics-fr-phone")


def test_a_member_without_viewpanel_gets_no_statistics(guild, browser_page, signed_in) -> None:
    page = browser_page
    signed_in(page, "member")
    response = page.goto("/panel/statistics")
    assert response.status == 403
    assert page.get_by_role("link", name="Statistics").count() == 0
    assert page.request.get("/panel/statistics/staff.csv").status == 403

"""The ticket's page in the panel offers its transcript for download, in the three formats."""

from __future__ import annotations

from tests.api.conftest import STAFF_ROLE, Permission


def test_the_ticket_page_links_each_format_and_the_link_downloads(guild, login, rich_ticket) -> None:
    viewer = login(roles=(STAFF_ROLE,), grants=(Permission.VIEW_PANEL,))

    page = viewer.get(f"/panel/tickets/{rich_ticket.pk}").content.decode()

    base = f"/api/bot/tickets/{rich_ticket.pk}/transcript"
    for fmt in ("html", "txt", "json"):
        assert f'href="{base}?format={fmt}" download' in page
    assert "Download transcript" in page
    response = viewer.get(f"{base}?format=html")
    assert response.status_code == 200
    assert b"Alice" in b"".join(response.streaming_content)

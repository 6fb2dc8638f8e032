"""``/panel``: the dashboard (bot status and controls, today's figures, latest activity)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from panel.models import PanelPermission
from panel.pages.access import panel_page

Permission = PanelPermission.Permission


@panel_page(Permission.VIEW_PANEL)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard."""
    return render(request, "panel/dashboard.html", {})

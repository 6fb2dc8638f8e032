"""URL routes: Django admin, the REST API under /api, the allauth login flow, and the web panel."""

from django.contrib import admin
from django.urls import include, path, re_path

from panel.auth import accounts

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("panel.urls")),
    # allauth is the Discord login only: its own pages redirect (panel.auth.accounts); its routes
    # stay behind them so that its code can still reverse their names.
    path("accounts/discord/login/", accounts.discord_login),
    re_path(r"^accounts/", accounts.closed),
    path("accounts/", include("allauth.urls")),
    # The web panel's pages (sign-in at /, dashboard at /panel, ...).
    path("", include("panel.pages.urls")),
]

# Errors Django answers itself (outside the API's views) are JSON under /api, HTML elsewhere.
handler400 = "panel.exceptions.bad_request"
handler500 = "panel.exceptions.server_error"
handler404 = "panel.pages.access.page_not_found"

"""URL routes: Django admin, the REST API under /api, the allauth login flow, and the web panel."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("panel.urls")),
    path("accounts/", include("allauth.urls")),
    # The web panel's pages (sign-in at /, dashboard at /panel, ...).
    path("", include("panel.pages.urls")),
]

# Errors Django answers itself (outside the API's views) are JSON under /api, HTML elsewhere.
handler400 = "panel.exceptions.bad_request"
handler500 = "panel.exceptions.server_error"
handler404 = "panel.pages.access.page_not_found"

"""URL routes: Django admin, the REST API under /api, and the allauth login flow."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("panel.urls")),
    path("accounts/", include("allauth.urls")),
]

"""Routes of the REST API, mounted under /api."""

from django.urls import path

from panel.views import health

urlpatterns = [
    path("health", health.HealthView.as_view(), name="api-health"),
]

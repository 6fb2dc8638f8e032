"""WebSocket routes of the panel (mounted by ``rustmail.asgi``)."""

from django.urls import path

from panel.consumers import LiveEventsConsumer

websocket_urlpatterns = [
    path("ws/events", LiveEventsConsumer.as_asgi()),
]

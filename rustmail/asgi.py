"""ASGI entry point for daphne: HTTP through Django, WebSockets through Channels.

daphne does not run Django's system checks, so they run here: a malformed environment stops the
web process at startup instead of serving with a default the operator did not choose.

WebSockets (``/ws/events``, the panel's live events) take the Django session cookie, and only from
pages of the hosts in ``ALLOWED_HOSTS`` (a foreign site cannot open a socket with the user's cookie).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rustmail.settings")

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.core.management import call_command  # noqa: E402

from panel.routing import websocket_urlpatterns  # noqa: E402

call_command("check", fail_level="ERROR")

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

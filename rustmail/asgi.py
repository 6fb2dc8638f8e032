"""ASGI entry point for daphne: HTTP through Django, WebSockets through Channels.

daphne does not run Django's system checks, so they run here: a malformed environment stops the
web process at startup instead of serving with a default the operator did not choose.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rustmail.settings")

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.core.management import call_command  # noqa: E402

call_command("check", fail_level="ERROR")

application = ProtocolTypeRouter({"http": django_asgi_app})

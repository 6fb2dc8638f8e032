"""WSGI entry point (the product normally runs on ASGI with daphne; this serves plain WSGI hosts)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rustmail.settings")

application = get_wsgi_application()

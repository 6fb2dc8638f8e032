"""Attachment tests reuse the services' scene (the in-memory Discord, a configured bot)."""

from tests.services.conftest import scene  # noqa: F401

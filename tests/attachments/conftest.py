"""Attachment tests reuse the services' scene (the in-memory Discord, a configured bot) and the
end-to-end bot against the emulator."""

from tests.bot.conftest import modmail  # noqa: F401
from tests.services.conftest import scene  # noqa: F401

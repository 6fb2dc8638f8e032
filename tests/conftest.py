"""Suite-wide fixtures. The Discord emulator's fixtures come from its own plugin module."""

import os

import pytest
from django.conf import settings

pytest_plugins = ["tests.fakediscord.fixtures"]


@pytest.fixture(autouse=True, scope="session")
def _subprocesses_share_the_secret_key() -> None:
    """Processes the tests start (workers, the bot, runall) get this process's SECRET_KEY: the
    secrets stored encrypted here must be readable there, whatever their DATA_DIR generates."""
    os.environ.setdefault("SECRET_KEY", settings.SECRET_KEY)

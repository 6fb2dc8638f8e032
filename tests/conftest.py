"""Suite-wide fixtures. The Discord emulator's fixtures come from its own plugin module."""

import os
from pathlib import Path

import pytest
from django.conf import settings

pytest_plugins = ["tests.fakediscord.fixtures"]


@pytest.fixture(autouse=True, scope="session")
def _subprocesses_share_the_secret_key() -> None:
    """Processes the tests start (workers, the bot, runall) get this process's SECRET_KEY: the
    secrets stored encrypted here must be readable there, whatever their DATA_DIR generates."""
    os.environ.setdefault("SECRET_KEY", settings.SECRET_KEY)


@pytest.fixture(autouse=True, scope="session")
def _attachments_in_a_temporary_folder(tmp_path_factory) -> None:
    """Stored attachments go to a folder of the test session (this process and those it starts),
    never DATA_DIR/media."""
    from django.core.files.storage import storages

    folder = str(tmp_path_factory.getbasetemp() / "media")
    os.environ["MEDIA_ROOT"] = folder
    settings.MEDIA_ROOT = Path(folder)
    settings.STORAGES["attachments"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": folder},
    }
    # Forget the storages built so far, and the copy of STORAGES they were built from (a storage
    # used before this fixture, by an import or another fixture, would keep DATA_DIR/media).
    storages.__dict__.pop("backends", None)
    storages._backends = None
    storages._storages = {}

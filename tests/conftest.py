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


# --- --database-tests-only ------------------------------------------------------------------------
# The suite runs once per database (.ci/suites). A test that never reaches the database (no
# django_db marker, none of pytest-django's database fixtures: pytest-django refuses it any query)
# cannot behave differently on another one, so the second run leaves it out.
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "live_server", "django_db_serialized_rollback"})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the database (the suite's run on a second database)",
    )


def uses_the_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-tests-only"):
        return
    kept = [item for item in items if uses_the_database(item)]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if not uses_the_database(item)])
        items[:] = kept

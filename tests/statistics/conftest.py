"""The API tests' staff guild, users and clients (tests/api/conftest.py), for the statistics."""

from tests.api.conftest import (  # noqa: F401 (fixtures used through their names)
    _api_environment,
    guild,
    login,
    super_admin,
)

"""The REST API tests' staff guild and panel users, for the search endpoint's tests."""

from tests.api.conftest import _api_environment, guild, login, super_admin  # noqa: F401

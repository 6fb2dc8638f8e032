"""Fuzzing the whole API from its own OpenAPI document (schemathesis): no answer is ever a 500,
and every answer matches what the document says (status codes, content types, bodies).

Requests go through the real WSGI stack as a Django superuser with a Discord account (a session
cookie and its CSRF token) who also sends an API key, so panel and external endpoints are
exercised past authentication. Both valid and invalid data (schemathesis' positive and negative
modes), up to 120 examples per operation: about a minute in all on a 2-core machine.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apikeys.services import apikey_create
from rustmail.wsgi import application

from .conftest import make_user

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# The document the API serves, generated without a request (nor the database).
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True)).exclude(
    path="/api/auth/logout"  # it would end the session the fuzzing runs with
)
schema.app = application


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django closes the database connection when a WSGI request ends, which would end the test's
    transaction: as its test client does, keep it open while the app is called directly."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def caller(guild, settings) -> dict[str, dict[str, str]]:
    """A superuser's session (admins hold every permission whatever the configuration becomes) and
    its CSRF token, and an API key whose rate the fuzzing does not exhaust."""
    settings.EXTERNAL_API_RATE_PER_MINUTE = 10_000
    client = APIClient()
    client.force_login(make_user(900_000_000_000_000_777, superuser=True))
    token = _get_new_csrf_string()
    return {
        "cookies": {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: token,
        },
        "headers": {
            "X-CSRFToken": token,
            "X-API-Key": apikey_create(name="fuzz", permissions=["CreateTicket"]).secret,
        },
    }


@pytest.mark.timeout(240)
@schema.parametrize()
@hypothesis_settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_answer_is_a_server_error_or_off_the_document(case, caller) -> None:
    response = case.call(**caller)
    case.validate_response(response, checks=CHECKS)

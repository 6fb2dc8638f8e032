"""The OpenAPI document and the offline documentation page."""

from __future__ import annotations

import json

import yaml
from rest_framework.test import APIClient

from .test_permissions_matrix import ENDPOINTS


def test_the_document_lists_every_endpoint(db) -> None:
    response = APIClient().get("/api/openapi.yaml")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    operations = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    documented = {
        (
            e.method,
            e.path.replace("{key}", "{key_id}")
            .replace("{grant}", "{grant_id}")
            .replace("{attachment}", "{attachment_id}")
            .replace("{category}", "{category_id}")
            .replace("{role}", "{role_id}")
            .replace("{ticket}", "{ticket_id}"),
        )
        for e in ENDPOINTS
    }
    pages = {("GET", "/api/openapi.yaml"), ("GET", "/api/docs"), ("GET", "/api/docs/")}
    assert documented - pages <= operations
    schemes = document["components"]["securitySchemes"]
    assert schemes["apiKeyAuth"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert schemes["cookieAuth"]["in"] == "cookie"


def test_the_document_in_json(db) -> None:
    response = APIClient().get("/api/openapi.yaml?format=json")
    assert json.loads(response.content)["info"]["title"]


def test_the_docs_page_needs_no_internet(db) -> None:
    response = APIClient().get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/api/externals/tickets/create" in page
    assert "<script" not in page
    assert "http://" not in page and "https://" not in page.replace("https://cdn.discordapp.com", "")

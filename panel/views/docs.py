"""``GET /api/openapi.yaml`` (the OpenAPI 3 document) and ``GET /api/docs`` (the same, as a page).

The page is rendered on the server from the document, with no script and nothing fetched from
the internet.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView

METHODS = ("get", "post", "put", "patch", "delete")


class SchemaView(SpectacularAPIView):
    """``GET /api/openapi.yaml`` → 200, the OpenAPI 3 document of the whole API (YAML; ``?format=json``
    for JSON). No authentication."""

    authentication_classes: list = []
    permission_classes: list = []


@cache
def _schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _ref_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array" and "items" in schema:
        return f"array of {_ref_name(schema['items']) or schema['items'].get('type', '')}"
    for combinator in ("oneOf", "anyOf", "allOf"):
        if combinator in schema:
            return " | ".join(_ref_name(part) for part in schema[combinator])
    return schema.get("type", "")


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for route, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            operations.append(
                {
                    "id": operation.get("operationId", f"{method}{route}"),
                    "method": method.upper(),
                    "path": route,
                    "description": operation.get("description", ""),
                    "security": [name for entry in operation.get("security", []) for name in entry] or [],
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "type": _ref_name(p.get("schema")),
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": _ref_name(body.get("schema")),
                    "responses": [
                        {
                            "status": status,
                            "schema": _ref_name(
                                response.get("content", {}).get("application/json", {}).get("schema")
                            ),
                        }
                        for status, response in operation.get("responses", {}).items()
                    ],
                }
            )
    return operations


@method_decorator(csrf_exempt, name="dispatch")
class DocsView(View):
    """``GET /api/docs`` → 200, an HTML page of every operation and schema. No authentication;
    other methods → 405 ``{"error": ...}``."""

    def get(self, request: HttpRequest) -> HttpResponse:
        document = _schema()
        components = document.get("components", {}).get("schemas", {})
        return render(
            request,
            "panel/api_docs.html",
            {
                "info": document.get("info", {}),
                "operations": _operations(document),
                "components": [
                    (name, json.dumps(schema, indent=2)) for name, schema in sorted(components.items())
                ],
            },
        )

    def http_method_not_allowed(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        return JsonResponse(
            {"error": _('Method "%(method)s" not allowed.') % {"method": request.method}},
            status=405,
            headers={"Allow": ", ".join(self._allowed_methods())},
        )

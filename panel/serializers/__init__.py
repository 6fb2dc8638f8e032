"""Request validation and response shapes of the REST API, one module per resource.

Response serializers double as the OpenAPI schema (which the fuzz test checks responses against);
the hot paths (ticket pages) serialize with plain functions that produce the same shape.
"""

"""Documents the answers every operation can give besides its success (so a client, and
schemathesis's status-code check, know them): 401 no or bad token, 403 a read-only token or a
read-only role, 404 a record outside the user's reach (never 403: that would confirm it
exists), 429 rate limit; 400 with the field at fault for operations that take a body."""

from __future__ import annotations

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Each field at fault (or non_field_errors) with its messages.",
    # A list of messages, or for a nested field (an answer of ``answers``) its own field errors.
    "additionalProperties": {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]
    },
}

BAD_INPUT = {
    "description": "Bad input: the field at fault.",
    "content": {
        "application/json": {
            "schema": {
                "anyOf": [
                    {"$ref": "#/components/schemas/Error"},
                    {"$ref": "#/components/schemas/FieldErrors"},
                ]
            }
        }
    },
}


def _error(description: str, schema_ref: str = "#/components/schemas/Error") -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": schema_ref}}},
    }


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["FieldErrors"] = FIELD_ERRORS
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.setdefault(
                "401", _error("No token, or the token is not valid, has expired or was revoked.")
            )
            responses.setdefault(
                "403", _error("Not allowed (a read-only token, or a role that may only read).")
            )
            responses.setdefault("429", _error("Too many requests: wait and try again."))
            if "{" in path:
                responses.setdefault("404", _error("No such record in your reach."))
            if method == "get" and path.endswith("}/"):  # single resources carry an ETag
                responses.setdefault("304", {"description": "Not modified (If-None-Match)."})
            if "requestBody" in operation:
                # The field at fault; a body that is not JSON at all is a plain "detail".
                responses.setdefault("400", BAD_INPUT)
    return result

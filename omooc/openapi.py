"""drf-spectacular post-processing: every operation documents the error envelope it can answer."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: a human message, a machine code and details.",
    "properties": {
        "message": {"type": "string"},
        "code": {"type": "string"},
        "extra": {"type": "object", "additionalProperties": True},
    },
    "required": ["message", "code", "extra"],
}

ERROR_STATUSES = {
    "400": "Invalid input; `message` names the field and the fix.",
    "401": "Not authenticated.",
    "403": "Not allowed.",
    "404": "Not found.",
    "405": "Method not allowed.",
    "409": "Conflicts with the current state.",
    "429": "Too many requests; `extra.retry_after_seconds` says when to retry.",
}


def add_error_responses(result: dict, generator, request, public) -> dict:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = dict(ERROR_STATUSES)
            if "requestBody" in operation:
                statuses["415"] = "Unsupported media type: send one of the request body's content types."
            for status, description in statuses.items():
                operation["responses"].setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": reference}}},
                )
    return result

"""drf-spectacular post-processing: OpenAPI links from every "create" (201 with an ``id``) to the
operations on the created item, so clients, docs and stateful testers (schemathesis) can follow them.

``POST /api/v1/production/sessions/`` -> ``/api/v1/production/sessions/{id}/`` (retrieve, update)
and ``/api/v1/production/sessions/{id}/<action>/`` (hold, transition, speakers, ...)."""

from __future__ import annotations

METHODS = ("get", "put", "patch", "post", "delete")


def _has_id(result: dict, response: dict) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        schema = result.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[1], {})
    return "id" in schema.get("properties", {})


def add_links(result: dict, generator, request, public) -> dict:
    paths = result.get("paths", {})
    for collection, item in paths.items():
        create = item.get("post")
        created = (create or {}).get("responses", {}).get("201")
        if "{" in collection or not created or not _has_id(result, created):
            continue
        links = created.setdefault("links", {})
        prefix = f"{collection}{{id}}/"
        for path, target in paths.items():
            if not path.startswith(prefix) or path[len(prefix) :].count("{"):
                continue
            for method in METHODS:
                operation = target.get(method)
                if operation and "operationId" in operation:
                    links[operation["operationId"]] = {
                        "operationId": operation["operationId"],
                        "parameters": {"id": "$response.body#/id"},
                        "description": f"{method.upper()} {path} on the item just created.",
                    }
    return result

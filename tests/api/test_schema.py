from __future__ import annotations

import pytest
import yaml


@pytest.mark.django_db
def test_the_openapi_schema_generates_and_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/token/" in schema["paths"]


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


@pytest.mark.django_db
def test_the_schema_says_exactly_what_is_returned_for_links_that_may_be_empty(client):
    """A pre-talk without a video link returns "", a script version without a file returns null:
    the schema must accept both (and still say "a URL" otherwise)."""
    import jsonschema

    schemas = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    from urllib.parse import urlsplit

    checker = jsonschema.FormatChecker()
    checker.checks("uri")(lambda value: bool(urlsplit(value).scheme and urlsplit(value).netloc))

    def valid(schema: dict, value) -> bool:
        schema = dict(schema)
        if schema.pop("nullable", False) and value is None:
            return True
        return jsonschema.Draft7Validator(schema, format_checker=checker).is_valid(value)

    for name in ("PreTalk", "PreTalkInputRequest", "PatchedPreTalkUpdateRequest"):
        link = schemas[name]["properties"]["video_link"]
        assert valid(link, ""), name
        assert valid(link, "https://meet.example.org/alfa"), name
        assert not valid(link, "meet me somewhere"), name
    file = schemas["ScriptVersion"]["properties"]["file"]
    assert valid(file, None)
    assert valid(file, "http://testserver/studio/scripts/1/versions/1/file/")

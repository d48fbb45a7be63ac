import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_is_an_openapi_document_of_the_api(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/units/",
        "/api/v1/positions/",
        "/api/v1/officials/",
        "/api/v1/officials/{id}/",
    ):
        assert path in schema["paths"], path
    parameters = {p["name"] for p in schema["paths"]["/api/v1/positions/"]["get"]["parameters"]}
    assert {"unit", "vacant", "on", "page", "page_size"} <= parameters


def test_the_schema_is_served_as_yaml_by_default(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/officials/:" in response.content


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    for external in ("cdn", "jsdelivr", "unpkg"):
        assert external not in html.lower()
    scripts = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert scripts
    # Swagger UI's files, and its settings as a script of the page's own (no inline script:
    # the Content-Security-Policy refuses it).
    own = "/api/docs/?script="
    assert all(
        src.startswith("/static/drf_spectacular_sidecar/") or src == own for src in scripts
    ), scripts
    assert "<script>" not in html
    script = client.get(own)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_the_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/officials/{id}/:" in out.read_text()

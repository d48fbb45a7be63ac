"""Malformed input is a 400, never a 500 (issue 10, items 9 and 10; SPEC §11): a NUL byte in a
query, a path or a form field, digits that `str.isdigit` accepts and `int` refuses, a JSON body
nested too deep, a body over DATA_UPLOAD_MAX_MEMORY_SIZE. The API answers JSON."""

import json
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from tests.world import new_proposal

pytestmark = pytest.mark.django_db

NUL = "\x00"
FORM = "application/x-www-form-urlencoded"
# '²'.isdigit() is true, int('²') raises; '١' (Arabic-Indic one) is a decimal int() accepts.
UNICODE_DIGITS = ["²", "١", "１"]


@pytest.fixture
def world(workflow_world):
    return workflow_world


@pytest.fixture
def browser(client, world):
    client.force_login(world.proposer)
    return client


@pytest.fixture
def api(world):
    client = APIClient()
    client.force_authenticate(world.proposer)
    return client


def assert_json_400(response, status=400):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert body["code"] and body["detail"]
    return body


@pytest.mark.parametrize(
    "url", ["/api/v1/officials/?search=a%00b", "/api/v1/proposals/?q=%00", "/api/v1/units/?x=%00"]
)
def test_a_nul_byte_in_an_api_query_is_a_json_400(api, url):
    body = assert_json_400(api.get(url))
    assert body["code"] == "invalid"


@pytest.mark.parametrize(
    "url", ["/proposals/?q=a%00", "/personnel/officials/?q=%00", "/proposals/new/?q=%00"]
)
def test_a_nul_byte_in_a_page_query_is_a_400_page(browser, url):
    response = browser.get(url)
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_a_nul_byte_in_the_verify_path_is_a_400(client, world):
    assert client.get("/verify/abc%00def/").status_code == 400


def test_a_nul_byte_in_the_login_username_is_a_400(client, world):
    body = urlencode({"username": f"truong{NUL}ban", "password": "x"})
    response = client.post("/accounts/login/", body, content_type=FORM)
    assert response.status_code == 400


def test_a_nul_byte_in_the_token_username_is_a_json_400(client, world):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": f"a{NUL}", "password": "x"}, format="json"
    )
    assert_json_400(response)


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_unicode_digits_in_the_unit_filter_are_a_400(browser, world, digits):
    assert browser.get("/personnel/officials/", {"unit": digits}).status_code == 400


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_unicode_digits_in_the_official_of_a_new_proposal_are_a_400(browser, world, digits):
    assert browser.get("/proposals/new/", {"official": digits}).status_code == 400


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_unicode_digits_in_the_report_proposal_are_a_400(client, world, digits):
    client.force_login(world.board_head)
    response = client.get("/reports/locality/", {"proposal": digits})
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["unit", "proposal", "committee"])
@pytest.mark.parametrize("digits", UNICODE_DIGITS + [" 1", "1_0"])
def test_unicode_digits_in_api_ids_are_a_json_400(api, name, digits):
    url = {
        "unit": "/api/v1/officials/",
        "proposal": "/api/v1/documents/",
        "committee": "/api/v1/reports/locality/",
    }[name]
    body = assert_json_400(api.get(url, {name: digits}))
    assert name in body["detail"]


def test_plain_ids_still_filter(browser, api, world):
    assert browser.get("/personnel/officials/", {"unit": world.tuly.pk}).status_code == 200
    assert api.get("/api/v1/officials/", {"unit": world.tuly.pk}).status_code == 200
    proposal = new_proposal(world)
    assert api.get("/api/v1/documents/", {"proposal": proposal.pk}).status_code == 200


def test_json_nested_5000_deep_is_a_json_400(api):
    body = "[" * 5000 + "]" * 5000
    response = api.post("/api/v1/proposals/", body, content_type="application/json")
    assert assert_json_400(response)["code"] == "parse_error"


def test_an_oversize_api_body_is_json(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"rationale": "x" * 5000})
    response = api.post("/api/v1/proposals/", body, content_type="application/json")
    assert response["Content-Type"].startswith("application/json")
    assert assert_json_400(response, 413)["code"] == "too_large"


def test_an_oversize_form_on_the_api_is_json(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/api/v1/proposals/", {"rationale": "x" * 5000})
    assert assert_json_400(response, 413)["code"] == "too_large"

import pytest
from knox.models import AuthToken

from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"detail", "code"}
    assert body["code"] == code
    assert body["detail"].strip()
    return body


def test_it_returns_a_token_for_good_credentials(world, api):
    response = api.post(TOKEN_URL, {"username": "truongban", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    # Stored hashed: the database keeps a digest, never the key.
    [stored] = AuthToken.objects.filter(user=world.board_head)
    assert body["token"] not in (stored.digest, stored.token_key)


def test_it_returns_a_new_token_each_time(world, api):
    body = {"username": "truongban", "password": PASSWORD}
    first = api.post(TOKEN_URL, body, format="json").json()["token"]
    second = api.post(TOKEN_URL, body, format="json").json()["token"]
    assert first != second
    assert AuthToken.objects.filter(user=world.board_head).count() == 2


def test_it_accepts_form_encoded_credentials(world, api):
    response = api.post(TOKEN_URL, {"username": "truongban", "password": PASSWORD})
    assert response.status_code == 200
    assert "token" in response.json()


def test_it_rejects_a_wrong_password_with_401(world, api):
    response = api.post(TOKEN_URL, {"username": "truongban", "password": "sai"}, format="json")
    body = assert_error(response, 401, "authentication_failed")
    assert "Sai tên đăng nhập hoặc mật khẩu" in body["detail"]
    assert not AuthToken.objects.exists()


def test_it_rejects_an_unknown_user_with_401(world, api):
    response = api.post(TOKEN_URL, {"username": "khongco", "password": PASSWORD}, format="json")
    assert_error(response, 401, "authentication_failed")


def test_it_rejects_an_inactive_user_with_401(world, api):
    world.board_head.is_active = False
    world.board_head.save()
    response = api.post(TOKEN_URL, {"username": "truongban", "password": PASSWORD}, format="json")
    assert_error(response, 401, "authentication_failed")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "truongban"},
        {"password": PASSWORD},
        {"username": "", "password": ""},
        {"username": ["truongban"], "password": PASSWORD},
    ],
)
def test_it_rejects_missing_credentials_with_400(world, api, body):
    response = api.post(TOKEN_URL, body, format="json")
    body = assert_error(response, 400, "invalid")
    assert "Cần tên đăng nhập và mật khẩu" in body["detail"]


def test_it_rejects_a_body_that_is_not_an_object_with_400(world, api):
    response = api.post(TOKEN_URL, ["truongban", PASSWORD], format="json")
    assert_error(response, 400, "invalid")


def test_it_rejects_malformed_json_with_400(world, api):
    response = api.post(TOKEN_URL, "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_it_rejects_get_on_the_token_endpoint(world, api):
    assert_error(api.get(TOKEN_URL), 405, "method_not_allowed")


def test_the_token_authenticates_later_requests(world, api):
    token = api.post(TOKEN_URL, {"username": "bithu", "password": PASSWORD}, format="json")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    response = api.get(ME_URL)
    assert response.status_code == 200
    assert response.json()["username"] == "bithu"


def test_it_rejects_a_made_up_token_with_401(world, api):
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = api.get(ME_URL)
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    "url",
    [
        ME_URL,
        "/api/v1/units/",
        "/api/v1/positions/",
        "/api/v1/officials/",
        "/api/v1/officials/1/",
    ],
)
def test_it_answers_401_to_anonymous_requests(world, api, url):
    response = api.get(url)
    body = assert_error(response, 401, "not_authenticated")
    assert body["detail"] == "Chưa đăng nhập."  # in the request's language (Vietnamese here)
    assert response["WWW-Authenticate"] == "Token"


def test_a_browser_session_also_authenticates(world, client):
    client.force_login(world.clerk)
    response = client.get(ME_URL)
    assert response.status_code == 200
    assert response.json()["roles"] == ["office"]


# --- /me/ -----------------------------------------------------------------------------------


def test_me_answers_username_roles_and_official(world, api):
    api.force_authenticate(world.official_user)
    assert api.get(ME_URL).json() == {
        "username": "canbo.an",
        "roles": ["official"],
        "official": world.an.id,
    }


def test_me_answers_null_official_for_a_user_who_is_not_one(world, api):
    api.force_authenticate(world.board_head)
    assert api.get(ME_URL).json() == {
        "username": "truongban",
        "roles": ["board_head", "board_member", "committee_member"],
        "official": None,
    }


def test_me_shows_no_role_for_a_membership_that_ended_yesterday(world, api):
    api.force_authenticate(world.former_member)
    assert api.get(ME_URL).json()["roles"] == []


def test_me_shows_no_role_for_a_username_that_looks_like_one(world, api):
    api.force_authenticate(world.impostor)
    assert api.get(ME_URL).json() == {"username": "btv01", "roles": [], "official": None}

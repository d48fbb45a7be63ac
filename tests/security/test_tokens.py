"""API tokens expire, can be revoked, are stored hashed and die with a password change (issue 10,
item 7; SPEC §11). The signed-in user sees theirs on /accounts/tokens/ and revokes them."""

import datetime as dt

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"
TOKENS_PAGE = "/accounts/tokens/"


@pytest.fixture
def world(registry_world):
    return registry_world


def token_for(username="truongban"):
    response = APIClient().post(
        TOKEN_URL, {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def me_with(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get(ME_URL)


def test_a_token_is_stored_as_a_digest_and_expires(world, settings):
    before = timezone.now()
    body = token_for()
    [stored] = AuthToken.objects.filter(user=world.board_head)
    assert body["token"] not in {stored.digest, stored.token_key}
    assert len(stored.digest) == 128  # SHA-512
    lifetime = settings.REST_KNOX["TOKEN_TTL"]
    assert before + lifetime <= stored.expiry <= timezone.now() + lifetime
    assert dt.datetime.fromisoformat(body["expiry"].replace("Z", "+00:00")) == stored.expiry


def test_an_expired_token_no_longer_opens_the_api(world):
    key = token_for()["token"]
    assert me_with(key).status_code == 200
    AuthToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    response = me_with(key)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_password_change_revokes_every_token(world):
    first, second = token_for()["token"], token_for()["token"]
    other = token_for("bithu")["token"]
    form = SetPasswordForm(
        world.board_head, {"new_password1": "x7!Kq-p9mZ", "new_password2": "x7!Kq-p9mZ"}
    )
    assert form.is_valid(), form.errors
    form.save()
    assert me_with(first).status_code == 401
    assert me_with(second).status_code == 401
    assert me_with(other).status_code == 200


def test_saving_the_user_without_a_new_password_keeps_the_tokens(world):
    key = token_for()["token"]
    world.board_head.first_name = "Ban"
    world.board_head.save()
    assert me_with(key).status_code == 200


def test_the_user_sees_their_tokens_and_revokes_one(world, client):
    keep, drop = token_for()["token"], token_for()["token"]
    token_for("bithu")
    client.force_login(world.board_head)

    page = client.get(TOKENS_PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Mã truy cập API của tôi" in text
    assert text.count('name="token"') == 2  # bithu's token is not listed
    assert 'href="/accounts/tokens/"' in client.get("/").content.decode()  # the user menu

    dropped = AuthToken.objects.get(token_key=drop[:15])
    response = client.post("/accounts/tokens/revoke/", {"token": dropped.digest}, follow=True)
    assert "đã bị thu hồi" in response.content.decode()
    assert me_with(drop).status_code == 401
    assert me_with(keep).status_code == 200


def test_nobody_revokes_another_users_token(world, client):
    key = token_for("bithu")["token"]
    client.force_login(world.board_head)
    digest = AuthToken.objects.get().digest
    client.post("/accounts/tokens/revoke/", {"token": digest})
    assert me_with(key).status_code == 200


def test_the_tokens_page_needs_a_login(world, client):
    response = client.get(TOKENS_PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

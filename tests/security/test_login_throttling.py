"""Sign-ins are throttled (issue 10, item 6; SPEC §11): after LOGIN_FAILURE_LIMIT failures for
one username from one address, the right password is refused too until the cool-off ends, on
the API token endpoint (429, JSON), the login page, the admin and password reset requests. The
tests lower the limit to 3."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = 3
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def world(registry_world, settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    return registry_world


def token(username, password, address="10.0.0.1"):
    return APIClient(REMOTE_ADDR=address).post(
        TOKEN_URL, {"username": username, "password": password}, format="json"
    )


def test_the_token_endpoint_locks_after_the_limit_with_a_json_429(world):
    statuses = [token("truongban", "sai").status_code for _ in range(LIMIT)]
    assert statuses == [401] * (LIMIT - 1) + [429]

    response = token("truongban", PASSWORD)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out"
    assert body["params"] == {"minutes": 15}
    assert "15 phút" in body["detail"]
    assert response["Retry-After"] == "900"


def test_the_lock_is_for_one_username_from_one_address(world):
    for _ in range(LIMIT):
        token("truongban", "sai")
    assert token("truongban", PASSWORD, address="10.0.0.2").status_code == 200
    assert token("bithu", PASSWORD).status_code == 200


def test_the_lock_ends_after_the_cool_off(world):
    for _ in range(LIMIT):
        token("truongban", "sai")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert token("truongban", PASSWORD).status_code == 200


def test_a_successful_sign_in_clears_the_count(world):
    for _ in range(LIMIT - 1):
        token("truongban", "sai")
    assert token("truongban", PASSWORD).status_code == 200
    for _ in range(LIMIT - 1):
        token("truongban", "sai")
    assert token("truongban", PASSWORD).status_code == 200


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_the_login_pages_lock_after_the_limit(world, client, url):
    world.board_head.is_staff = True
    world.board_head.save()
    for _ in range(LIMIT):
        client.post(url, {"username": "truongban", "password": "sai"})

    response = client.post(url, {"username": "truongban", "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in page
    assert "15 phút" in page
    assert "_auth_user_id" not in client.session


def test_password_reset_requests_are_throttled(world, client):
    world.board_head.email = "truongban@example.org"
    world.board_head.save()
    statuses = [
        client.post("/accounts/password_reset/", {"email": "truongban@example.org"}).status_code
        for _ in range(LIMIT + 2)
    ]
    # Each request counts as a failure: the one that reaches the limit is refused already.
    assert statuses == [302] * (LIMIT - 1) + [429] * 3
    assert len(mail.outbox) == LIMIT - 1

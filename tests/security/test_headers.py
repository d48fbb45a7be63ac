"""Headers and sessions (issue 10, item 12; SPEC §11): a Content-Security-Policy with no inline
script or style, `Cache-Control: private, no-store` for signed-in users, sessions that end when
idle, Django's stock password validators."""

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from reports import charts

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# The letters are PDFs first: their style is inline by design (the preview alone allows it).
LETTERS = {"documents/letter_base.html"}


@pytest.fixture
def world(registry_world):
    return registry_world


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/", "/personnel/officials/", "/api/v1/me/"])
def test_every_response_carries_the_policy(world, client, url):
    response = signed_in(client, world.board_head).get(url)
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"


def _template_files():
    return sorted(p for p in TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", _template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_hold_no_inline_script_or_style(path):
    text = path.read_text()
    name = str(path.relative_to(TEMPLATES))
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"
    assert not re.search(r"\sstyle\s*=", text), "style attribute"
    assert "javascript:" not in text
    if name not in LETTERS:
        assert "<style" not in text, "inline <style>"


def test_charts_carry_no_style_attribute():
    svg = charts.target_bar(ratio=0.5, target=0.6, value_label="50%", target_label="60%", label="x")
    assert "style=" not in svg


@pytest.mark.django_db
def test_pages_of_a_signed_in_user_are_not_cached(world, client):
    response = signed_in(client, world.board_head).get("/personnel/officials/")
    assert response["Cache-Control"] == "private, no-store"
    assert "Cookie" in response["Vary"]


@pytest.mark.django_db
def test_api_answers_to_a_token_are_not_cached(world):
    _token, key = AuthToken.objects.create(world.board_head)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.get("/api/v1/officials/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_sessions_end_after_30_idle_minutes_by_default():
    assert settings.SESSION_COOKIE_AGE == 30 * 60


@pytest.mark.django_db
def test_an_idle_session_ends(world, client):
    signed_in(client, world.board_head)
    response = client.get("/personnel/officials/")
    assert response.status_code == 200

    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/personnel/officials/")
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)


@pytest.mark.django_db
def test_a_session_is_renewed_at_most_once_a_minute(world, client, monkeypatch):
    signed_in(client, world.board_head)
    expiry = Session.objects.get().expire_date

    again = client.get("/personnel/officials/")  # right after signing in: no write, no cookie
    assert settings.SESSION_COOKIE_NAME not in again.cookies
    assert Session.objects.get().expire_date == expiry

    later = time.time() + 61
    monkeypatch.setattr("lib.middleware.time.time", lambda: later)
    renewed = client.get("/personnel/officials/")
    assert renewed.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    assert Session.objects.get().expire_date > expiry


@pytest.mark.parametrize("password", ["12345678901", "password123", "qwertyuiop"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_strong_password_passes():
    validate_password("ngựa-ô vượt đèo 1972")

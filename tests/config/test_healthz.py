"""GET /healthz/ and the container probe docker/healthcheck.py that calls it."""

import http.client
import importlib.util
import socket
import threading
from pathlib import Path
from unittest import mock
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection

ROOT = Path(__file__).resolve().parents[2]


def load_probe():
    spec = importlib.util.spec_from_file_location("healthcheck", ROOT / "docker/healthcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


healthcheck = load_probe()


@pytest.mark.django_db
def test_it_answers_ok_without_login_when_the_database_answers(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_answers_503_when_the_database_does_not(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.content.decode() == "Cơ sở dữ liệu không phản hồi."


@pytest.mark.django_db
def test_it_rejects_post(client):
    assert client.post("/healthz/").status_code == 405


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [
        ("luanchuyen.example,localhost", "luanchuyen.example"),
        (" .example.org , x", "example.org"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_the_probe_picks_a_host_that_allowed_hosts_lets_through(allowed_hosts, host):
    assert healthcheck.probe_host(allowed_hosts) == host


class QuietRequestHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def strict_server(transactional_db, settings):
    """A server configured as in production: one allowed host, and HTTP redirected to HTTPS."""
    settings.ALLOWED_HOSTS = ["luanchuyen.example"]
    settings.SECURE_SSL_REDIRECT = True
    # A new handler, because middleware reads SECURE_SSL_REDIRECT when it is built.
    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_plain_request_to_the_strict_server_is_redirected(strict_server):
    connection = http.client.HTTPConnection("127.0.0.1", strict_server, timeout=5)
    connection.request("GET", "/healthz/", headers={"Host": "luanchuyen.example"})
    response = connection.getresponse()
    connection.close()
    assert response.status == 301
    assert response.getheader("Location") == "https://luanchuyen.example/healthz/"


def test_the_probe_passes_behind_a_strict_host_check_and_an_https_redirect(strict_server):
    healthy, why = healthcheck.probe(
        address="127.0.0.1", port=strict_server, allowed_hosts="luanchuyen.example"
    )
    assert (healthy, why) == (True, "ok")


def test_the_probe_fails_when_the_server_refuses_the_host(strict_server):
    healthy, why = healthcheck.probe(
        address="127.0.0.1", port=strict_server, allowed_hosts="other.example"
    )
    assert healthy is False
    assert why.startswith("HTTP 400")


def test_the_probe_fails_when_nothing_listens():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    healthy, why = healthcheck.probe(address="127.0.0.1", port=port, allowed_hosts="*", timeout=2)
    assert healthy is False
    assert why.startswith("no answer from 127.0.0.1")

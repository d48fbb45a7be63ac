"""Web pages: the decision page with its status fragment (polled by htmx until ready), and the
public verification page with its upload check."""

import hashlib

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from documents import services
from documents.models import Decision
from workflow.models import RotationProposal

pytestmark = pytest.mark.django_db


def _client(user=None, **kwargs):
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


# --- The decision page and its status -------------------------------------------------------


def test_the_decision_page_polls_the_status_while_the_pdf_is_made(world, decision):
    response = _client(world.subject_user).get(f"/decisions/{decision.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Quyết định Số 01-QĐ/HU" in page
    assert "Luân chuyển đồng chí Nguyễn Văn An" in page
    # The site's frame (header, navigation), which loads htmx once.
    assert 'class="site-header"' in page and 'class="site-nav"' in page
    assert page.count("/static/vendor/htmx.min.js") == 1
    assert f'hx-get="/decisions/{decision.pk}/status/"' in page
    assert 'hx-trigger="every 2s"' in page
    assert "Đang chờ tạo tệp PDF" in page


def test_the_decision_page_speaks_english_when_asked(world, decision):
    client = _client(world.subject_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/decisions/{decision.pk}/").content.decode()

    assert "Rotation of comrade Nguyễn Văn An" in page
    assert "Waiting to make the PDF file" in page
    assert "Đang chờ tạo tệp PDF" not in page


def test_the_status_fragment_stops_polling_once_ready(world, decision):
    client = _client(world.subject_user)
    before = client.get(f"/decisions/{decision.pk}/status/", HTTP_HX_REQUEST="true")
    services.decision_render(decision_id=decision.pk)
    after = client.get(f"/decisions/{decision.pk}/status/", HTTP_HX_REQUEST="true")

    assert 'data-status="pending"' in before.content.decode()
    assert "every 2s" in before.content.decode()
    assert "<html" not in before.content.decode()  # a fragment, not a page
    assert "{#" not in before.content.decode()  # no template comment leaks into the page
    assert 'data-status="ready"' in after.content.decode()
    assert "hx-trigger" not in after.content.decode()
    assert f'href="/decisions/{decision.pk}/pdf/"' in after.content.decode()
    assert "Xác nhận đã nhận quyết định" in after.content.decode()


def test_the_status_shows_a_render_in_progress(world, decision):
    Decision.objects.filter(pk=decision.pk).update(status="rendering", render_attempts=1)
    fragment = _client(world.clerk).get(f"/decisions/{decision.pk}/status/").content.decode()

    assert "Đang tạo tệp PDF" in fragment
    assert "every 2s" in fragment
    # Only the official concerned is offered the acknowledgement.
    assert "Xác nhận đã nhận" not in fragment


def test_pages_are_404_for_people_without_a_part(world, ready):
    client = _client(world.outsider)
    for url in ("", "status/", "pdf/", "preview/"):
        assert client.get(f"/decisions/{ready.pk}/{url}").status_code == 404


def test_the_pdf_page_serves_the_file_to_people_with_a_part(world, ready, media):
    response = _client(world.receiver).get(f"/decisions/{ready.pk}/pdf/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (media / ready.file.name).read_bytes()


def test_the_official_acknowledges_from_the_page(world, ready):
    response = _client(world.subject_user).post(f"/decisions/{ready.pk}/acknowledge/")

    assert response.status_code == 200
    assert "đã xác nhận nhận quyết định" in response.content.decode()


def test_the_html_preview_is_the_letter(world, ready):
    page = _client(world.chair).get(f"/decisions/{ready.pk}/preview/").content.decode()

    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in page
    assert "T/M BAN THƯỜNG VỤ" in page


# --- Public verification --------------------------------------------------------------------


def test_anyone_can_check_a_genuine_decision(ready):
    response = _client().get(f"/verify/{ready.verify_code}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Quyết định này là bản thật" in page
    assert "Luân chuyển cán bộ" in page
    assert "01-QĐ/HU" in page
    assert "05/06/2024" in page
    assert "Nguyễn Văn An" in page
    assert "Bí thư Đảng ủy xã Đồng Ruộng" in page
    assert ready.sha256 in page


def test_an_unknown_code_is_a_404_page_saying_not_genuine(ready):
    response = _client().get("/verify/khong-co-ma-nay-0123456789abcdef/")

    assert response.status_code == 404
    assert "không phải là bản thật" in response.content.decode()


def test_the_verification_page_stands_alone_and_speaks_english_when_asked(ready):
    client = _client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/verify/{ready.verify_code}/").content.decode()

    assert '<html lang="en">' in page
    assert "This decision is genuine" in page
    assert "Rotation of an official" in page
    assert "site-nav" not in page  # for anyone, without the signed-in site's frame


def test_a_revoked_decision_is_shown_as_revoked(ready):
    RotationProposal.objects.filter(pk=ready.proposal_id).update(state="revoked")
    page = _client().get(f"/verify/{ready.verify_code}/").content.decode()

    assert "đã bị hủy" in page


def test_an_uploaded_copy_that_matches_is_reported_unaltered(ready, media):
    data = (media / ready.file.name).read_bytes()
    client = _client(enforce_csrf_checks=True)
    page = client.get(f"/verify/{ready.verify_code}/")
    token = page.cookies["csrftoken"].value

    response = client.post(
        f"/verify/{ready.verify_code}/",
        {
            "file": SimpleUploadedFile("qd.pdf", data, "application/pdf"),
            "csrfmiddlewaretoken": token,
        },
    )

    assert response.status_code == 200
    assert "Tệp trùng khớp với bản gốc" in response.content.decode()


def test_an_altered_copy_is_reported_as_not_matching(ready, media):
    data = bytearray((media / ready.file.name).read_bytes())
    data[-10] ^= 0x01

    response = _client().post(
        f"/verify/{ready.verify_code}/",
        {"file": SimpleUploadedFile("qd.pdf", bytes(data), "application/pdf")},
    )

    page = response.content.decode()
    assert "KHÔNG trùng khớp" in page
    assert hashlib.sha256(bytes(data)).hexdigest() in page


def test_the_upload_form_is_csrf_protected(ready):
    response = _client(enforce_csrf_checks=True).post(
        f"/verify/{ready.verify_code}/",
        {"file": SimpleUploadedFile("qd.pdf", b"%PDF-1.7", "application/pdf")},
    )

    assert response.status_code == 403


def test_an_upload_over_the_size_limit_is_refused(ready, settings):
    settings.DOCUMENT_VERIFY_MAX_UPLOAD_BYTES = 1024

    response = _client().post(
        f"/verify/{ready.verify_code}/",
        {"file": SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 200_000, "application/pdf")},
    )

    assert response.status_code == 413
    assert "Tệp quá lớn" in response.content.decode()


# --- Hardening (issue 10, item 12) ----------------------------------------------------------


def test_the_preview_shows_no_server_path(world, ready):
    client = _client(world.chair)
    response = client.get(f"/decisions/{ready.pk}/preview/")
    page = response.content.decode()

    assert "file:" not in page
    assert str(settings.BASE_DIR) not in page
    assert str(settings.MEDIA_ROOT) not in page
    # The fonts come from the site's static files.
    assert 'url("/static/fonts/LiberationSerif-Regular.ttf")' in page
    assert finders.find("fonts/LiberationSerif-Regular.ttf")
    # The letter's own style is inline: this page alone allows it, never inline script.
    policy = dict(p.strip().split(" ", 1) for p in response["Content-Security-Policy"].split(";"))
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["script-src"] == "'self'"


def test_documents_are_never_cached(world, ready):
    for url in ("", "pdf/", "preview/"):
        response = _client(world.chair).get(f"/decisions/{ready.pk}/{url}")
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"

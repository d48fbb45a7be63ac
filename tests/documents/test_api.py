"""Decision API (SPEC §9): list and detail for people with a part, the PDF to those entitled
(everyone else 404), 409 while rendering, acknowledgement by the official concerned only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from tests.world import issue, make_official_in_tuly, make_proposal

pytestmark = pytest.mark.django_db

WITH_A_PART = [
    "subject_user",
    "author",
    "chair",
    "deputy",
    "member",
    "board_head",
    "reviewer",
    "clerk",
    "colleague",
    "receiver",
    "admin",
]
WITHOUT_A_PART = ["outsider", "former"]


def test_detail_answers_the_contract(api, world, ready):
    response = api(world.chair).get(f"/api/v1/decisions/{ready.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == ready.pk
    assert body["number"] == "Số 01-QĐ/HU"
    assert body["issued_on"] == "2024-06-05"
    assert body["status"] == "ready"
    assert body["sha256"] == ready.sha256 and len(body["sha256"]) == 64
    assert body["verify_url"] == f"http://127.0.0.1:8000/verify/{ready.verify_code}/"
    assert body["proposal"] == ready.proposal_id
    assert body["official"] == "Nguyễn Văn An"


@pytest.mark.parametrize("persona", WITH_A_PART)
def test_people_with_a_part_download_the_pdf(api, world, ready, media, persona):
    response = api(getattr(world, persona)).get(f"/api/v1/decisions/{ready.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Quyet-dinh-01-QD-HU.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == (media / ready.file.name).read_bytes()


@pytest.mark.parametrize("persona", WITHOUT_A_PART)
def test_everyone_else_gets_404_as_if_it_did_not_exist(api, world, ready, persona):
    client = api(getattr(world, persona))

    assert client.get(f"/api/v1/decisions/{ready.pk}/pdf/").status_code == 404
    assert client.get(f"/api/v1/decisions/{ready.pk}/").status_code == 404
    assert client.get("/api/v1/decisions/").json()["count"] == 0


def test_it_requires_login(api, ready):
    assert api().get(f"/api/v1/decisions/{ready.pk}/pdf/").status_code == 401


def test_the_pdf_is_409_while_it_is_rendered(api, world, decision):
    response = api(world.subject_user).get(f"/api/v1/decisions/{decision.pk}/pdf/")

    assert response.status_code == 409
    assert response.json()["code"] == "not_ready"
    assert "chưa sẵn sàng" in response.json()["detail"]


def test_the_list_shows_what_i_have_a_part_in_with_a_fixed_number_of_queries(api, world, ready):
    client = api(world.colleague)
    with CaptureQueriesContext(connection) as one:
        first = client.get("/api/v1/decisions/")
    for name in ("Lường Văn Bảo", "Bùi Thị Cúc", "Hà Văn Đức"):
        official, assignment = make_official_in_tuly(world, name)
        issue(world, make_proposal(world, official=official, assignment=assignment))
    with CaptureQueriesContext(connection) as four:
        second = client.get("/api/v1/decisions/")

    assert first.json()["count"] == 1
    assert second.json()["count"] == 4
    assert len(four) == len(one)
    assert [d["number"] for d in second.json()["results"]][-1] == "Số 01-QĐ/HU"


def test_the_official_concerned_acknowledges_receipt_once(api, world, ready):
    client = api(world.subject_user)

    first = client.post(f"/api/v1/decisions/{ready.pk}/acknowledge/")
    second = client.post(f"/api/v1/decisions/{ready.pk}/acknowledge/")

    assert first.status_code == 200
    assert first.json()["acknowledged_at"]
    assert second.json() == first.json()
    [event] = AuditEvent.objects.filter(action="decision_acknowledged")
    assert event.actor == world.subject_user


@pytest.mark.parametrize(
    ("persona", "status"), [("author", 403), ("chair", 403), ("outsider", 404)]
)
def test_nobody_else_acknowledges(api, world, ready, persona, status):
    response = api(getattr(world, persona)).post(f"/api/v1/decisions/{ready.pk}/acknowledge/")

    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="decision_acknowledged").exists()


def test_acknowledging_before_the_pdf_is_ready_is_409(api, world, decision):
    response = api(world.subject_user).post(f"/api/v1/decisions/{decision.pk}/acknowledge/")

    assert response.status_code == 409
    assert response.json()["code"] == "not_ready"

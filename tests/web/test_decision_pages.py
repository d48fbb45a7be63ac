"""The decision lists: every decision the user has a part in, and "my decisions" where the
official concerned downloads the letter and acknowledges receipt."""

import re

import pytest
from django.utils import timezone

from documents import services as documents
from documents.models import Decision, Delivery
from tests.helpers import page_client as client
from tests.world import S, advance, new_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(workflow_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return workflow_world


@pytest.fixture
def decision(world):
    """An issued decision moving An (world.subject_user) to Đồng Ruộng, its PDF not made yet."""
    advance(world, new_proposal(world), S.ISSUED)
    return Decision.objects.get()


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_the_lists_need_a_login(world):
    for url in ("/decisions/", "/decisions/mine/"):
        response = client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_decision_list_shows_the_decisions_a_user_has_a_part_in(world, decision):
    page = text(client(world.clerk).get("/decisions/"))
    assert "1 quyết định" in page
    assert decision.number_label in page
    assert "Nguyễn Văn An" in page
    assert decision.issued_on.strftime("%d/%m/%Y") in page
    outsider = text(client(world.outsider).get("/decisions/"))
    assert "0 quyết định" in outsider
    assert decision.number_label not in outsider


def test_my_decisions_lists_the_decisions_about_me(world, decision):
    mine = client(world.subject_user).get("/decisions/mine/")
    assert mine.status_code == 200
    assert decision.number_display in text(mine)
    # The PDF is not made yet: no download, no acknowledgement.
    html = mine.content.decode()
    assert f'href="/decisions/{decision.pk}/pdf/"' not in html
    assert "/acknowledge/" not in html
    # The clerk has no decision about himself.
    assert "Chưa có quyết định nào về bạn." in text(client(world.clerk).get("/decisions/mine/"))


def test_the_official_downloads_and_acknowledges_from_my_decisions(world, decision):
    documents.decision_render(decision_id=decision.pk)
    c = client(world.subject_user)
    html = c.get("/decisions/mine/").content.decode()
    assert f'href="/decisions/{decision.pk}/pdf/"' in html
    assert f'action="/decisions/mine/{decision.pk}/acknowledge/"' in html
    pdf = c.get(f"/decisions/{decision.pk}/pdf/")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")

    response = c.post(f"/decisions/mine/{decision.pk}/acknowledge/")
    assert response.status_code == 302
    assert response["Location"] == "/decisions/mine/"
    assert Delivery.objects.get(decision=decision, recipient=world.subject_user).acknowledged_at
    page = text(c.get("/decisions/mine/"))
    assert f"Đã xác nhận nhận quyết định {decision.number_label}." in page
    assert "Đã xác nhận nhận lúc" in page
    assert "/acknowledge/" not in c.get("/decisions/mine/").content.decode()
    # The office sees that the official has it.
    office = text(client(world.clerk).get("/proposals/office/"))
    acknowledged = Delivery.objects.get(recipient=world.subject_user).acknowledged_at
    assert timezone.localtime(acknowledged).strftime("%d/%m/%Y") in office


def test_acknowledging_before_the_pdf_is_made_is_explained(world, decision):
    c = client(world.subject_user)
    response = c.post(f"/decisions/mine/{decision.pk}/acknowledge/")
    assert response.status_code == 302
    assert "chưa sẵn sàng" in text(c.get("/decisions/mine/"))
    assert not Delivery.objects.filter(acknowledged_at__isnull=False).exists()


def test_only_the_official_concerned_may_acknowledge(world, decision):
    documents.decision_render(decision_id=decision.pk)
    assert (
        client(world.clerk).post(f"/decisions/mine/{decision.pk}/acknowledge/").status_code == 403
    )
    assert (
        client(world.outsider).post(f"/decisions/mine/{decision.pk}/acknowledge/").status_code
        == 404
    )
    assert (
        client(world.subject_user).get(f"/decisions/mine/{decision.pk}/acknowledge/").status_code
        == 405
    )


def test_the_proposal_page_offers_the_submission_and_the_minutes_to_staff_only(world):
    proposal = advance(world, new_proposal(world), S.APPROVED)
    documents_made = list(proposal.documents.order_by("id"))
    assert [d.kind for d in documents_made] == ["submission", "minutes"]
    for document in documents_made:
        documents.proposal_document_render(document_id=document.pk)
    url = f"/proposals/{proposal.pk}/"
    html = client(world.members[4]).get(url).content.decode()
    links = re.findall(r'href="(/api/v1/documents/\d+/pdf/)"', html)
    assert links == [f"/api/v1/documents/{d.pk}/pdf/" for d in documents_made]
    pdf = client(world.members[4]).get(links[0])
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    # The official concerned sees the proposal, not the board's internal papers.
    assert "/api/v1/documents/" not in client(world.subject_user).get(url).content.decode()

"""decision_issue: the signer and its block, the frozen letter content, the audit event, and the
render queued only after commit, never raising into the caller's transaction."""

import logging

import pytest
from django.db import transaction

from audit.models import AuditEvent
from documents import services
from documents.models import Decision
from lib.errors import AppError
from tests.helpers import D, celery_mode, free_port
from tests.world import issue, make_proposal

pytestmark = pytest.mark.django_db


def test_it_queues_the_render_only_after_commit(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(services, "enqueue", lambda name, pk: queued.append((name, pk)) or True)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        decision = services.decision_issue(
            proposal=make_proposal(world), signer=world.chair, issued_by=world.clerk
        )
        assert queued == []

    assert len(callbacks) == 1
    assert queued == [("render_decision", decision.pk)]
    assert decision.status == Decision.Status.PENDING


def test_a_broker_failure_is_logged_and_not_raised(
    world, django_capture_on_commit_callbacks, caplog
):
    # Nothing listens on this port: the broker is down.
    with (
        celery_mode(eager=False, broker_url=f"redis://127.0.0.1:{free_port()}/0"),
        caplog.at_level(logging.ERROR, logger="documents.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        decision = issue(world, make_proposal(world))

    # The issue committed; the decision waits for the sweep.
    assert Decision.objects.filter(pk=decision.pk, status="pending").exists()
    assert "the sweep will queue it again" in caplog.text


def test_the_chair_signs_as_secretary(world):
    decision = issue(world, make_proposal(world), signer=world.chair)

    assert decision.signer_role == Decision.SignerRole.CHAIR
    assert decision.signer_name == "Bùi Văn Thành"
    assert decision.content["signing"] == {
        "prefix": "T/M",
        "collective": "BAN THƯỜNG VỤ",
        "kt": "",
        "title": "BÍ THƯ",
        "name": "Bùi Văn Thành",
    }


def test_a_deputy_signs_as_deputy_secretary_on_behalf_of_the_collective(world):
    decision = issue(world, make_proposal(world), signer=world.deputy)

    assert decision.signer_role == Decision.SignerRole.DEPUTY
    assert decision.content["signing"]["prefix"] == "T/M"
    assert decision.content["signing"]["title"] == "PHÓ BÍ THƯ"
    assert decision.content["signing"]["name"] == "Đinh Thị Hoa"


def test_it_refuses_a_signer_who_is_neither_chair_nor_deputy(world):
    with pytest.raises(AppError, match="Bí thư hoặc Phó Bí thư"):
        issue(world, make_proposal(world), signer=world.member)


def test_it_freezes_the_letter_content_at_issue(world):
    decision = issue(world, make_proposal(world))
    content = decision.content

    assert content["number_display"] == "Số 01-QĐ/HU"
    assert content["issued_on"] == "2024-06-05"
    assert content["official"]["name"] == "Nguyễn Văn An"
    assert content["from_post"] == "Phó Chủ tịch UBND xã Tú Lý"
    assert content["to_post"] == "Bí thư Đảng ủy xã Đồng Ruộng"
    assert content["board_name"] == "Ban Tổ chức Huyện ủy"
    assert content["office_name"] == "Văn phòng Huyện ủy"
    assert content["margins"] == {"top": 20, "bottom": 20, "left": 30, "right": 15}
    assert content["verify_url"].endswith(f"/verify/{decision.verify_code}/")
    # Reading it back from the database gives the same dict.
    decision.refresh_from_db()
    assert decision.content == content


def test_it_cites_the_legal_bases_in_force_on_the_issue_date_for_the_kind(world):
    rotation = issue(world, make_proposal(world))
    assert rotation.content["legal_bases"] == [
        "Căn cứ Điều lệ Đảng",
        "Căn cứ Quy định số 65-QĐ/TW, ngày 28/4/2022 của Bộ Chính trị về luân chuyển cán bộ",
        "Căn cứ Quy chế làm việc của Ban Chấp hành Đảng bộ huyện khóa XXV, nhiệm kỳ 2020 - 2025",
    ]


def test_it_leaves_out_bases_not_yet_or_no_longer_in_force_and_those_for_other_kinds(world):
    # Issued in the new term: the 2020–2025 working rules have expired; QĐ 65 is for rotations.
    transfer = issue(world, make_proposal(world, kind="transfer", months=None), day=D(2026, 1, 5))
    assert transfer.content["legal_bases"] == ["Căn cứ Điều lệ Đảng"]


def test_it_records_the_issue_in_the_audit_chain(world):
    decision = issue(world, make_proposal(world))

    event = AuditEvent.objects.get(action="decision_issued")
    assert event.actor == world.clerk
    assert event.proposal_id == decision.proposal_id
    assert event.data["number"] == "01-QĐ/HU"
    assert event.data["decision"] == decision.pk


def test_each_decision_gets_its_own_unguessable_verification_code(world):
    decision = issue(world, make_proposal(world))

    # 24 random bytes in URL-safe base64: 32 characters, 192 bits.
    assert len(decision.verify_code) == 32
    assert set(decision.verify_code) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )

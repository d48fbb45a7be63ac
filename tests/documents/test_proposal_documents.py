"""The board's submission (Tờ trình) and the vote minutes (Biên bản kiểm phiếu): rendered by the
same idempotent machinery; the minutes give counts only, never who voted what."""

import re

import pytest
from django.utils import timezone

from documents import services
from documents.models import ProposalDocument
from lib.errors import AppError
from tests.helpers import pdf_text
from tests.world import make_proposal
from workflow.models import BallotReceipt, EligibilityException, EligibleVoter, VoteRound

pytestmark = pytest.mark.django_db

SNAPSHOT = {
    "evaluated_at": "2024-05-20T09:00:00+07:00",
    "checks": [
        {
            "code": "in_planning",
            "severity": "error",
            "ok": True,
            # Stored as a msgid and its parameters, printed in Vietnamese.
            "text": "In the planning for %(title)s, current term %(term)s.",
            "params": {"title": "Bí thư Đảng ủy", "term": "2025–2030"},
        },
        {
            # Stored before messages had parameters: printed as it is.
            "code": "remaining_service",
            "severity": "error",
            "ok": False,
            "excepted": True,
            "message": "Còn 9 năm 4 tháng công tác, cần ít nhất 10 năm",
        },
        {
            "code": "equivalent_post",
            "severity": "warning",
            "ok": False,
            "message": "Chức vụ đến cao hơn chức vụ hiện tại",
        },
    ],
    "exceptions": [
        {
            "code": "remaining_service",
            "justification": "Địa bàn khó khăn cần tăng cường cán bộ có kinh nghiệm.",
            "granted_by": "truongban",
        }
    ],
}


def _rendered(document):
    """The document, made now as the worker would."""
    services.proposal_document_render(document_id=document.pk)
    return document


def _text(document, media):
    document.refresh_from_db()
    assert document.status == "ready"
    return " ".join(pdf_text(media / document.file.name, layout=False).split())


@pytest.fixture
def endorsed(world):
    proposal = make_proposal(world, state="endorsed")
    proposal.eligibility_snapshot = SNAPSHOT
    proposal.save()
    EligibilityException.objects.create(
        proposal=proposal,
        code="remaining_service",
        justification=SNAPSHOT["exceptions"][0]["justification"],
        granted_by=world.board_head,
    )
    return proposal


@pytest.fixture
def closed_round(world):
    proposal = make_proposal(world, state="approved")
    members = [world.chair, world.deputy, world.member, world.board_head, world.reviewer]
    vote = VoteRound.objects.create(
        proposal=proposal,
        status="closed",
        opened_by=world.chair,
        incumbent_count=7,
        approve_count=4,
        disapprove_count=1,
        abstain_count=0,
        passed=True,
        closed_at=timezone.now(),
    )
    for user in members:
        EligibleVoter.objects.create(round=vote, user=user)
    for user in members:
        BallotReceipt.objects.create(round=vote, user=user)
    return vote


def test_the_submission_shows_the_checklist_and_the_exceptions(world, endorsed, media):
    text = _text(_rendered(services.submission_render(endorsed)), media)

    for part in [
        "HUYỆN ỦY ĐÀ BẮC",
        "BAN TỔ CHỨC HUYỆN ỦY",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "TỜ TRÌNH",
        "về việc luân chuyển cán bộ",
        "Kính gửi: Ban Thường vụ Huyện ủy Đà Bắc",
        "luân chuyển đồng chí Nguyễn Văn An",
        "Trong quy hoạch",
        "Có trong quy hoạch chức danh Bí thư Đảng ủy, nhiệm kỳ 2025–2030.",
        "Còn 9 năm 4 tháng công tác, cần ít nhất 10 năm",
        # The label's second line sits between the two halves of the result.
        "Không đạt — có",
        "ngoại lệ",
        "Lưu ý",
        "Địa bàn khó khăn cần tăng cường cán bộ có kinh nghiệm.",
        "TRƯỞNG BAN",
    ]:
        assert part in text, part


def test_queuing_the_same_submission_twice_finds_the_same_document(
    endorsed, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(services, "enqueue", lambda name, pk: queued.append((name, pk)) or True)

    with django_capture_on_commit_callbacks(execute=True):
        first = services.submission_render(endorsed)
        second = services.submission_render(endorsed)

    assert first.pk == second.pk
    assert ProposalDocument.objects.count() == 1
    # The second call finds it still pending and wakes the worker again: harmless, idempotent.
    assert {pk for _, pk in queued} == {first.pk}


def test_a_new_endorsement_makes_a_new_submission(endorsed):
    first = services.submission_render(endorsed)
    endorsed.eligibility_snapshot = {**SNAPSHOT, "evaluated_at": "2024-06-01T09:00:00+07:00"}
    second = services.submission_render(endorsed)

    assert first.pk != second.pk


def test_the_minutes_give_counts_and_never_who_voted_what(world, closed_round, media):
    text = _text(_rendered(services.minutes_render(closed_round)), media)

    for part in [
        "BIÊN BẢN KIỂM PHIẾU",
        "Tổng số ủy viên đương nhiệm 7",
        "Số ủy viên được biểu quyết 5",
        "Số phiếu thu về 5",
        "Tán thành 4 (57,1% tổng số ủy viên đương nhiệm)",
        "Không tán thành 1",
        "Không biểu quyết 0",
        "đề nghị được thông qua",
        "CHỦ TRÌ HỘI NGHỊ",
        "Bùi Văn Thành",
    ]:
        assert part in text, part
    # The chair's name appears only as the one who chaired; no voter is named.
    for name in ("Đinh Thị Hoa", "phobithu", "uyvien", "truongban", "chuyenvien"):
        assert name not in text


def test_minutes_wait_for_the_vote_to_close(closed_round):
    closed_round.status = "open"

    with pytest.raises(AppError):
        services.minutes_render(closed_round)


def test_internal_documents_are_for_committee_board_and_office_only(
    api, world, closed_round, media
):
    document = _rendered(services.minutes_render(closed_round))

    listing = api(world.reviewer).get(f"/api/v1/documents/?proposal={closed_round.proposal_id}")
    assert [d["kind"] for d in listing.json()["results"]] == ["minutes"]
    assert api(world.clerk).get(f"/api/v1/documents/{document.pk}/pdf/").status_code == 200
    assert api(world.subject_user).get(f"/api/v1/documents/{document.pk}/pdf/").status_code == 404
    assert api(world.outsider).get("/api/v1/documents/").json()["count"] == 0


def test_the_minutes_say_when_the_vote_closed_in_words(closed_round, media):
    text = _text(_rendered(services.minutes_render(closed_round)), media)

    assert re.search(r"Vào lúc \d{2} giờ \d{2}, ngày \d{2} tháng \d{1,2} năm \d{4},", text)

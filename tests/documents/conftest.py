"""A small world of our own for the decision letters: the district committee of Đà Bắc with a
Party term covering the letters' dates, its board and office, a few officials and the people who
log in, legal bases, and approved proposals made directly with the ORM.

Personas (roles come from membership data, never from the name):
  chair (Bí thư) and deputy sign; member sits on the committee; board_head and reviewer are on the
  board; clerk is in the office; author wrote the proposal; subject is the official moved (An);
  colleague holds a post in the sending unit (Tú Lý) and receiver one in the receiving unit
  (Đồng Ruộng); outsider holds a post elsewhere; former left the committee; admin is superuser.
"""

import contextlib
import datetime as dt
import socket
import subprocess
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from kombu import pools as kombu_pools
from rest_framework.test import APIClient

from config.celery import app as celery_app
from documents import services
from documents.models import LegalBasis
from personnel.models import (
    Assignment,
    Board,
    BoardMember,
    Committee,
    CommitteeMember,
    CommitteeOfficeMember,
    Official,
    OrgUnit,
    Position,
    PositionTitle,
    Term,
)
from workflow.models import RotationProposal

D = dt.date
LONG_AGO = D(2020, 10, 1)
# The date of the report's example letter (SPEC §5): "Đà Bắc, ngày 05 tháng 6 năm 2024".
LETTER_DAY = D(2024, 6, 5)
EFFECTIVE = D(2024, 7, 1)


def make_user(username, **extra):
    # No password: tests log in with force_login, and hashing one costs half a second.
    return get_user_model().objects.create_user(
        username=username, password=None, email=f"{username}@example.org", **extra
    )


BORN = D(1982, 3, 15)


def make_official(full_name, *, user=None, gender="male", born=BORN):
    return Official.objects.create(full_name=full_name, gender=gender, birth_date=born, user=user)


def build_world():
    w = SimpleNamespace()
    K = OrgUnit.Kind
    w.province = OrgUnit.objects.create(kind=K.PROVINCE, code="HB", name="Tỉnh Hòa Bình")
    w.district = OrgUnit.objects.create(
        kind=K.DISTRICT, code="HB-DB", name="Huyện Đà Bắc", parent=w.province
    )
    w.tuly = OrgUnit.objects.create(
        kind=K.COMMUNE, code="DB-TL", name="Xã Tú Lý", parent=w.district
    )
    w.dongruong = OrgUnit.objects.create(
        kind=K.COMMUNE, code="DB-DR", name="Xã Đồng Ruộng", parent=w.district
    )
    w.hienluong = OrgUnit.objects.create(
        kind=K.COMMUNE, code="DB-HL", name="Xã Hiền Lương", parent=w.district
    )

    secretary = PositionTitle.objects.create(
        code="BT", name="Bí thư Đảng ủy", level=3, is_standing=True, is_head=True, order=1
    )
    deputy = PositionTitle.objects.create(
        code="PBT", name="Phó Bí thư Thường trực Đảng ủy", level=2, is_standing=True, order=2
    )
    vice = PositionTitle.objects.create(code="PCT", name="Phó Chủ tịch UBND", level=1, order=4)
    w.titles = {"BT": secretary, "PBT": deputy, "PCT": vice}
    w.positions = {}
    for unit, suffix in (
        (w.tuly, "xã Tú Lý"),
        (w.dongruong, "xã Đồng Ruộng"),
        (w.hienluong, "xã Hiền Lương"),
    ):
        for code, title in w.titles.items():
            w.positions[unit.code, code] = Position.objects.create(
                unit=unit, title=title, name=f"{title.name} {suffix}", seats=30
            )

    w.committee = Committee.objects.create(
        name="Ban Thường vụ Huyện ủy Đà Bắc",
        unit=w.district,
        collective_name="BAN THƯỜNG VỤ HUYỆN ỦY",
        issuing_body_name="HUYỆN ỦY ĐÀ BẮC",
        superior_body_name="ĐẢNG BỘ TỈNH HÒA BÌNH",
        symbol="HU",
        place_name="Đà Bắc",
    )
    w.term_2020 = Term.objects.create(
        name="2020–2025",
        kind=Term.Kind.PARTY,
        committee=w.committee,
        start=LONG_AGO,
        end=D(2025, 9, 30),
    )
    w.term_2025 = Term.objects.create(
        name="2025–2030",
        kind=Term.Kind.PARTY,
        committee=w.committee,
        start=D(2025, 10, 1),
        end=D(2030, 9, 30),
    )
    w.board = Board.objects.create(committee=w.committee, name="Ban Tổ chức Huyện ủy")

    w.admin = get_user_model().objects.create_superuser(
        username="quantri", password=None, email="quantri@example.org"
    )
    w.chair = make_user("bithu")
    w.deputy = make_user("phobithu")
    w.member = make_user("uyvien")
    w.former = make_user("uyvien.cu")
    w.board_head = make_user("truongban")
    w.reviewer = make_user("chuyenvien")
    w.clerk = make_user("vanphong")
    w.author = make_user("dexuat")
    w.subject_user = make_user("canbo.an")
    w.colleague = make_user("dongnghiep.tuly")
    w.receiver = make_user("canbo.dongruong")
    w.outsider = make_user("nguoingoai")
    w.no_email = make_user("khongthu")
    w.no_email.email = ""
    w.no_email.save()

    CommitteeMember.objects.create(
        committee=w.committee, user=w.chair, role="chair", start=LONG_AGO
    )
    CommitteeMember.objects.create(
        committee=w.committee, user=w.deputy, role="deputy", start=LONG_AGO
    )
    CommitteeMember.objects.create(
        committee=w.committee, user=w.member, role="member", start=LONG_AGO
    )
    CommitteeMember.objects.create(
        committee=w.committee, user=w.former, role="member", start=LONG_AGO, end=D(2023, 1, 1)
    )
    BoardMember.objects.create(board=w.board, user=w.board_head, role="head", start=LONG_AGO)
    BoardMember.objects.create(board=w.board, user=w.reviewer, role="member", start=LONG_AGO)
    CommitteeOfficeMember.objects.create(committee=w.committee, user=w.clerk, start=LONG_AGO)

    make_official("Bùi Văn Thành", user=w.chair)
    make_official("Đinh Thị Hoa", user=w.deputy, gender="female")
    w.an = make_official("Nguyễn Văn An", user=w.subject_user)
    w.an_post = Assignment.objects.create(
        official=w.an, position=w.positions["DB-TL", "PCT"], start=D(2021, 1, 1)
    )
    colleague = make_official("Hà Văn Dũng", user=w.colleague)
    Assignment.objects.create(
        official=colleague, position=w.positions["DB-TL", "BT"], start=D(2021, 1, 1)
    )
    receiver = make_official("Xa Thị Hương", user=w.receiver, gender="female")
    Assignment.objects.create(
        official=receiver, position=w.positions["DB-DR", "PCT"], start=D(2021, 1, 1)
    )
    receiver_no_mail = make_official("Lò Văn Tâm", user=w.no_email)
    Assignment.objects.create(
        official=receiver_no_mail, position=w.positions["DB-DR", "PBT"], start=D(2021, 1, 1)
    )
    outsider = make_official("Đinh Văn Khang", user=w.outsider)
    Assignment.objects.create(
        official=outsider, position=w.positions["DB-HL", "PCT"], start=D(2021, 1, 1)
    )

    LegalBasis.objects.create(text="Căn cứ Điều lệ Đảng", order=1)
    LegalBasis.objects.create(
        text="Căn cứ Quy định số 65-QĐ/TW, ngày 28/4/2022 của Bộ Chính trị về luân chuyển cán bộ",
        order=2,
        valid_from=D(2022, 4, 28),
        for_transfer=False,
        for_secondment=False,
    )
    LegalBasis.objects.create(
        text="Căn cứ Quy định số 98-QĐ/TW, ngày 07/10/2017 của Bộ Chính trị về luân chuyển cán bộ",
        order=2,
        valid_to=D(2022, 4, 27),
    )
    LegalBasis.objects.create(
        committee=w.committee,
        text=(
            "Căn cứ Quy chế làm việc của Ban Chấp hành Đảng bộ huyện khóa XXV, nhiệm kỳ 2020 - 2025"
        ),
        order=3,
        valid_to=D(2025, 9, 30),
    )
    return w


@pytest.fixture
def world(db):
    return build_world()


def make_official_in_tuly(w, name: str, *, user=None):
    """Another official with a post in Tú Lý, to be moved by another proposal."""
    official = make_official(name, user=user)
    assignment = Assignment.objects.create(
        official=official, position=w.positions["DB-TL", "PCT"], start=D(2021, 1, 1)
    )
    return official, assignment


def make_proposal(
    w,
    *,
    official=None,
    assignment=None,
    kind="rotation",
    target=None,
    effective=EFFECTIVE,
    months=36,
    state="approved",
):
    official = official or w.an
    assignment = assignment or (w.an_post if official == w.an else None)
    return RotationProposal.objects.create(
        committee=w.committee,
        kind=kind,
        official=official,
        from_assignment=assignment,
        target_position=target or w.positions["DB-DR", "BT"],
        effective_date=effective,
        duration_months=months,
        rationale="Đào tạo, rèn luyện cán bộ trong quy hoạch; tăng cường cho xã Đồng Ruộng.",
        author=w.author,
        state=state,
    )


def issue(w, proposal, *, signer=None, day=LETTER_DAY, **extra):
    with transaction.atomic():
        return services.decision_issue(
            proposal=proposal,
            signer=signer or w.chair,
            issued_by=w.clerk,
            issued_on=day,
            **extra,
        )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def api():
    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


def pdf_text(path, *, layout: bool = True) -> str:
    """The PDF's text as poppler reads it: laid out like the page, or block by block (table
    cells whole, for reading tables)."""
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Tasks run in-process unless the test is marked redis, whatever REDIS_URL says, so the
    suite behaves the same with and without a broker."""
    if request.node.get_closest_marker("redis"):
        yield
        return
    with celery_mode(eager=True):
        yield


@contextlib.contextmanager
def celery_mode(*, eager: bool, broker_url: str | None = None):
    """Switch this process's Celery app to eager, or to a real broker at `broker_url`."""
    conf = celery_app.conf
    previous = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager = eager
    if broker_url:
        conf.broker_url = broker_url
        _drop_broker_connections()
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url = previous
        if broker_url:
            _drop_broker_connections()


def _drop_broker_connections():
    # Pooled connections point at the old URL: close them all (kombu keeps a registry of pools
    # per URL) so that the next publish opens new ones.
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

"""A small world of our own for the reports: Đà Bắc district with three commune-level units and
an agency, a second district outside the committee, standing and head titles, officials whose
hometowns and birthplaces make them local or not, a committee with personas in every role, and
helpers to add communes, proposals and audit trails.

Dates are fixed, and reports are asked "as of" a date, so nothing depends on today.
"""

import datetime as dt
from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from audit.services import audit_append
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
    ProposerScope,
    Term,
)
from workflow.models import ProposalKind, RotationProposal

D = dt.date
K = OrgUnit.Kind
PASSWORD = "mat-khau-thu-nghiem"
# The day most tests ask about: a few months after the 2024 changes below.
AS_OF = D(2024, 4, 30)


def make_user(username, **extra):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


BORN = D(1980, 5, 1)
DEFAULT_START = D(2021, 1, 1)
DEFAULT_EFFECTIVE = D(2024, 6, 1)


def make_official(full_name, *, gender="male", born=BORN, **extra):
    return Official.objects.create(full_name=full_name, gender=gender, birth_date=born, **extra)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    """An aware datetime on `day` in the project's time zone."""
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


class World(SimpleNamespace):
    _sequence = 0

    def next(self) -> int:
        World._sequence += 1
        return World._sequence

    def add_commune(self, name, *, parent=None, kind=K.COMMUNE, **extra) -> OrgUnit:
        unit = OrgUnit.objects.create(
            kind=kind, code=f"C{self.next()}", name=name, parent=parent or self.district, **extra
        )
        for title in (self.secretary, self.standing_deputy, self.chairman, self.vice_chairman):
            Position.objects.create(unit=unit, title=title, name=f"{title.name} {name}")
        return unit

    def position(self, unit, title) -> Position:
        return Position.objects.get(unit=unit, title=title)

    def assign(self, official, unit, title, *, start=DEFAULT_START, end=None) -> Assignment:
        return Assignment.objects.create(
            official=official, position=self.position(unit, title), start=start, end=end
        )

    def proposal(
        self,
        *,
        state,
        official=None,
        from_unit=None,
        from_title=None,
        to_unit=None,
        to_title=None,
        effective=DEFAULT_EFFECTIVE,
        kind=ProposalKind.ROTATION,
        created=None,
    ) -> RotationProposal:
        """A proposal in `state`, written directly (the workflow services are not under test);
        with no official given, a fresh one holding the from post is made."""
        from_unit = from_unit or self.tuly
        from_title = from_title or self.vice_chairman
        if official is None:
            official = make_official(f"Cán bộ {self.next()}", hometown_unit=self.maichau)
            from_assignment = self.assign(official, from_unit, from_title, start=D(2020, 1, 1))
        else:
            from_assignment = Assignment.objects.get(
                official=official, position=self.position(from_unit, from_title), end=None
            )
        proposal = RotationProposal.objects.create(
            committee=self.committee,
            kind=kind,
            official=official,
            from_assignment=from_assignment,
            target_position=self.position(to_unit or self.dongruong, to_title or self.secretary),
            effective_date=effective,
            duration_months=36,
            rationale="Đào tạo, thử thách qua thực tiễn.",
            author=self.proposer,
            state=state,
        )
        if created is not None:
            RotationProposal.objects.filter(pk=proposal.pk).update(created_at=created)
            proposal.refresh_from_db()
        return proposal

    def transitions(self, proposal, *steps):
        """Audit events for (when, from_state, to_state) steps, written through the real audit
        log with the clock set to `when`."""
        for when, from_state, to_state in steps:
            with (
                mock.patch("audit.services.timezone.now", return_value=when),
                transaction.atomic(),
            ):
                audit_append(
                    action="transition",
                    actor=self.chair,
                    proposal=proposal,
                    from_state=from_state,
                    to_state=to_state,
                )


def build_world() -> World:
    w = World()
    w.province = OrgUnit.objects.create(kind=K.PROVINCE, code="HB", name="Tỉnh Hòa Bình")
    w.district = OrgUnit.objects.create(
        kind=K.DISTRICT, code="HB-DB", name="Huyện Đà Bắc", parent=w.province
    )
    w.maichau = OrgUnit.objects.create(
        kind=K.DISTRICT, code="HB-MC", name="Huyện Mai Châu", parent=w.province
    )
    w.agency = OrgUnit.objects.create(
        kind=K.AGENCY, code="HB-DB-BTC", name="Ban Tổ chức Huyện ủy Đà Bắc", parent=w.district
    )
    w.province_agency = OrgUnit.objects.create(
        kind=K.AGENCY, code="HB-BTC", name="Ban Tổ chức Tỉnh ủy", parent=w.province
    )

    w.secretary = PositionTitle.objects.create(
        code="BT",
        name="Bí thư Đảng ủy",
        level=3,
        is_standing=True,
        requires_non_local=True,
        is_head=True,
        order=1,
    )
    w.standing_deputy = PositionTitle.objects.create(
        code="PBT-TT", name="Phó Bí thư Thường trực Đảng ủy", level=2, is_standing=True, order=2
    )
    w.chairman = PositionTitle.objects.create(
        code="CT",
        name="Phó Bí thư – Chủ tịch UBND",
        level=2,
        is_standing=True,
        requires_non_local=True,
        order=3,
    )
    w.vice_chairman = PositionTitle.objects.create(
        code="PCT", name="Phó Chủ tịch UBND", level=1, order=4
    )
    w.specialist = PositionTitle.objects.create(code="CV", name="Chuyên viên", level=1, order=9)
    w.agency_post = Position.objects.create(
        unit=w.agency, title=w.specialist, name="Chuyên viên Ban Tổ chức Huyện ủy", seats=5
    )
    w.province_post = Position.objects.create(
        unit=w.province_agency, title=w.specialist, name="Chuyên viên Ban Tổ chức Tỉnh ủy", seats=5
    )
    Position.objects.create(
        unit=w.district, title=w.standing_deputy, name="Phó Bí thư Thường trực Huyện ủy"
    )

    w.tuly = w.add_commune("Xã Tú Lý")
    w.dongruong = w.add_commune("Xã Đồng Ruộng")
    w.town = w.add_commune("Thị trấn Đà Bắc", kind=K.TOWN)
    w.chiengchau = w.add_commune("Xã Chiềng Châu", parent=w.maichau)

    # Tú Lý: a local secretary (hometown) and a non-local chairman → meets.
    w.an = make_official("Nguyễn Văn An", hometown_unit=w.tuly)
    w.an_secretary = w.assign(w.an, w.tuly, w.secretary, start=D(2015, 11, 1))
    w.binh = make_official("Lò Văn Bình", hometown_unit=w.maichau)
    w.binh_chair = w.assign(w.binh, w.tuly, w.chairman, start=D(2021, 1, 1))
    # Đồng Ruộng: a secretary born there (birthplace) and a local deputy → does not meet; its
    # chairman post is vacant.
    w.hong = make_official(
        "Đinh Thị Hồng", gender="female", hometown_unit=w.maichau, birthplace_unit=w.dongruong
    )
    w.hong_secretary = w.assign(w.hong, w.dongruong, w.secretary, start=D(2021, 1, 1))
    w.cuong = make_official("Xa Văn Cường", hometown_unit=w.dongruong)
    w.cuong_deputy = w.assign(w.cuong, w.dongruong, w.standing_deputy, start=D(2021, 1, 1))
    # The town: its secretary until the end of 2023 was local; from 2024 a man from Tú Lý.
    w.dung = make_official("Bùi Văn Dũng", hometown_unit=w.town)
    w.dung_secretary = w.assign(
        w.dung, w.town, w.secretary, start=D(2019, 1, 1), end=D(2023, 12, 31)
    )
    w.em = make_official("Hà Văn Em", hometown_unit=w.tuly)
    w.em_secretary = w.assign(w.em, w.town, w.secretary, start=D(2024, 1, 1))
    # Chiềng Châu is outside the committee: its standing member never counts.
    w.giang = make_official("Lường Thị Giang", gender="female", hometown_unit=w.dongruong)
    w.assign(w.giang, w.chiengchau, w.secretary, start=D(2021, 1, 1))

    # People who log in, and the committee.
    w.admin = get_user_model().objects.create_superuser(
        username="quantri", password=PASSWORD, email="quantri@example.org"
    )
    w.chair = make_user("bithu")
    w.reviewer = make_user("chuyenvien.a")
    w.clerk = make_user("vanphong")
    w.proposer = make_user("dexuat.tuly")
    w.former = make_user("uyvien.cu")
    w.outsider = make_user("nguoingoai")
    w.committee = Committee.objects.create(
        name="Ban Thường vụ Huyện ủy Đà Bắc",
        unit=w.district,
        collective_name="BAN THƯỜNG VỤ HUYỆN ỦY",
        issuing_body_name="HUYỆN ỦY ĐÀ BẮC",
        superior_body_name="ĐẢNG BỘ TỈNH HÒA BÌNH",
        symbol="HU",
        place_name="Đà Bắc",
    )
    w.other_committee = Committee.objects.create(
        name="Ban Thường vụ Huyện ủy Mai Châu",
        unit=w.maichau,
        collective_name="BAN THƯỜNG VỤ HUYỆN ỦY",
        issuing_body_name="HUYỆN ỦY MAI CHÂU",
        superior_body_name="ĐẢNG BỘ TỈNH HÒA BÌNH",
        symbol="HU",
        place_name="Mai Châu",
    )
    start = D(2020, 10, 1)
    CommitteeMember.objects.create(
        committee=w.committee, user=w.chair, role=CommitteeMember.Role.CHAIR, start=start
    )
    CommitteeMember.objects.create(
        committee=w.committee, user=w.former, start=start, end=D(2021, 12, 31)
    )
    w.board = Board.objects.create(committee=w.committee, name="Ban Tổ chức Huyện ủy")
    BoardMember.objects.create(board=w.board, user=w.reviewer, start=start)
    CommitteeOfficeMember.objects.create(committee=w.committee, user=w.clerk, start=start)
    ProposerScope.objects.create(committee=w.committee, user=w.proposer, unit=w.tuly, start=start)
    w.previous_term = Term.objects.create(
        name="2015–2020",
        kind=Term.Kind.PARTY,
        committee=w.committee,
        start=D(2015, 10, 1),
        end=D(2020, 9, 30),
    )
    w.term = Term.objects.create(
        name="2020–2025",
        kind=Term.Kind.PARTY,
        committee=w.committee,
        start=D(2020, 10, 1),
        end=D(2025, 9, 30),
    )
    return w


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    return build_world()

"""factory-boy factories for the models the tests build. Defaults describe the usual setting
(the district of Đà Bắc in Hòa Bình, its committee and board); a test that needs a variant passes
the fields that differ. The shared worlds in tests/world.py are built from these."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from documents.models import LegalBasis
from personnel import models as personnel
from workflow.models import RotationProposal

PASSWORD = "mat-khau-thu-nghiem"
SINCE = dt.date(2020, 10, 1)


class UserFactory(DjangoModelFactory):
    """A login; its password is PASSWORD unless `password=None` (no usable password)."""

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"nguoidung{n}")
    email = ""
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, is_superuser=False, **kwargs):
        manager = cls._get_manager(model_class)
        return (manager.create_superuser if is_superuser else manager.create_user)(*args, **kwargs)


class OrgUnitFactory(DjangoModelFactory):
    class Meta:
        model = personnel.OrgUnit

    kind = personnel.OrgUnit.Kind.COMMUNE
    code = factory.Sequence(lambda n: f"U{n}")
    name = factory.Sequence(lambda n: f"Xã {n}")
    parent = None


class PositionTitleFactory(DjangoModelFactory):
    class Meta:
        model = personnel.PositionTitle

    code = factory.Sequence(lambda n: f"T{n}")
    name = factory.Sequence(lambda n: f"Chức danh {n}")
    level = 1


class PositionFactory(DjangoModelFactory):
    class Meta:
        model = personnel.Position

    unit = factory.SubFactory(OrgUnitFactory)
    title = factory.SubFactory(PositionTitleFactory)
    name = factory.LazyAttribute(lambda o: f"{o.title.name} {o.unit.name}")


class OfficialFactory(DjangoModelFactory):
    class Meta:
        model = personnel.Official

    full_name = factory.Sequence(lambda n: f"Cán bộ {n}")
    gender = "male"
    birth_date = dt.date(1980, 5, 1)


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = personnel.Assignment

    official = factory.SubFactory(OfficialFactory)
    position = factory.SubFactory(PositionFactory)
    start = dt.date(2021, 1, 1)


class CommitteeFactory(DjangoModelFactory):
    """The Standing Committee of Đà Bắc district unless told otherwise."""

    class Meta:
        model = personnel.Committee

    name = "Ban Thường vụ Huyện ủy Đà Bắc"
    unit = factory.SubFactory(OrgUnitFactory, kind=personnel.OrgUnit.Kind.DISTRICT)
    collective_name = "BAN THƯỜNG VỤ HUYỆN ỦY"
    issuing_body_name = "HUYỆN ỦY ĐÀ BẮC"
    superior_body_name = "ĐẢNG BỘ TỈNH HÒA BÌNH"
    symbol = "HU"
    place_name = "Đà Bắc"


class BoardFactory(DjangoModelFactory):
    class Meta:
        model = personnel.Board

    committee = factory.SubFactory(CommitteeFactory)
    name = "Ban Tổ chức Huyện ủy"


class MembershipFactory(DjangoModelFactory):
    """A user's dated membership, since SINCE."""

    class Meta:
        abstract = True

    user = factory.SubFactory(UserFactory)
    start = SINCE


class CommitteeMemberFactory(MembershipFactory):
    class Meta:
        model = personnel.CommitteeMember

    committee = factory.SubFactory(CommitteeFactory)


# A clerk of the committee's office.
CommitteeOfficeMemberFactory = factory.make_factory(
    personnel.CommitteeOfficeMember, FACTORY_CLASS=CommitteeMemberFactory
)


class ProposerScopeFactory(CommitteeMemberFactory):
    """A user who may propose moves in a unit (by default the committee's own)."""

    class Meta:
        model = personnel.ProposerScope

    unit = factory.SelfAttribute("committee.unit")


class TermFactory(DjangoModelFactory):
    class Meta:
        model = personnel.Term

    name = "2020–2025"
    kind = personnel.Term.Kind.PARTY
    committee = factory.SubFactory(CommitteeFactory)
    start = SINCE
    end = dt.date(2025, 9, 30)


class BoardMemberFactory(MembershipFactory):
    """A member of the board (Ban Tổ chức); a plain member unless `role` says otherwise."""

    class Meta:
        model = personnel.BoardMember

    board = factory.SubFactory(BoardFactory)


class PlanningEntryFactory(DjangoModelFactory):
    class Meta:
        model = personnel.PlanningEntry

    official = factory.SubFactory(OfficialFactory)
    title = factory.SubFactory(PositionTitleFactory)
    term = factory.SubFactory(TermFactory)


class LegalBasisFactory(DjangoModelFactory):
    class Meta:
        model = LegalBasis

    text = factory.Sequence(lambda n: f"Căn cứ văn bản số {n}")
    order = 1


class ProposalFactory(DjangoModelFactory):
    """A proposal written directly with the ORM (for tests that do not drive the services)."""

    class Meta:
        model = RotationProposal

    committee = factory.SubFactory(CommitteeFactory)
    kind = "rotation"
    official = factory.SubFactory(OfficialFactory)
    target_position = factory.SubFactory(PositionFactory)
    effective_date = dt.date(2024, 6, 1)
    duration_months = 36
    rationale = "Đào tạo, thử thách cán bộ trong quy hoạch."
    author = factory.SubFactory(UserFactory)
    state = "draft"


def make_user(username, **extra):
    """A login with the password PASSWORD."""
    return UserFactory(username=username, **extra)


def make_official(full_name, *, gender="male", born=dt.date(1980, 5, 1), **extra):
    return OfficialFactory(full_name=full_name, gender=gender, birth_date=born, **extra)

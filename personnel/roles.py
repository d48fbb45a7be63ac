"""Who holds which role, read once from dated memberships (SPEC §4).

`Actor` is a user's roles on one day: built once per request (`request_actor`), passed as
`actor=` to services and selectors; tests build one with `Actor.for_user(user)`. Roles come from
membership data only (committee, board, office, proposer scope, the login ↔ official link),
never from a username. `signer_for` is the one rule for who signs a decision.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, CharField, F, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.errors import Invalid, NotAllowed

from .models import BoardMember, CommitteeMember, CommitteeOfficeMember, Official, ProposerScope
from .selectors import unit_parent_map, unit_subtree_ids

CM, BM = CommitteeMember.Role, BoardMember.Role
# If the data holds two memberships in one committee, the higher role counts.
_RANK = {CM.CHAIR: 3, CM.DEPUTY: 2, CM.MEMBER: 1, BM.HEAD: 3, BM.MEMBER: 2, BM.SPECIALIST: 1}


@dataclass
class Actor:
    """A user's roles on one day, read once. `user=None` is the system (the daily posting job)."""

    user: object | None
    day: dt.date
    official_id: int | None = None
    is_superuser: bool = False
    committee_roles: dict[int, str] = field(default_factory=dict)
    board_roles: dict[int, str] = field(default_factory=dict)
    office: set[int] = field(default_factory=set)
    # (committee id, unit id) of each proposer scope; the subtrees are worked out when needed.
    proposer_scopes: list[tuple[int, int]] = field(default_factory=list)
    _proposer_units: dict[int, set[int]] | None = None

    @classmethod
    def system(cls, *, day: dt.date | None = None) -> "Actor":
        return cls(user=None, day=day or timezone.localdate())

    @classmethod
    def for_user(cls, user, *, day: dt.date | None = None) -> "Actor":
        """Read the user's roles on `day` (default today): one query, whatever the page."""
        day = day or timezone.localdate()
        if user is None:
            return cls.system(day=day)
        actor = cls(user=user, day=day)
        if not getattr(user, "is_authenticated", False):
            return actor
        actor.is_superuser = user.is_superuser
        for kind, committee_id, role, unit_id in _memberships(user, day):
            if kind == "official":
                actor.official_id = committee_id  # the official's id, in the same column
            elif kind == "committee":
                _keep_highest(actor.committee_roles, committee_id, role)
            elif kind == "board":
                _keep_highest(actor.board_roles, committee_id, role)
            elif kind == "office":
                actor.office.add(committee_id)
            else:
                actor.proposer_scopes.append((committee_id, unit_id))
        return actor

    @property
    def is_system(self) -> bool:
        return self.user is None

    @property
    def user_id(self):
        return None if self.user is None else self.user.pk

    @property
    def proposer_units(self) -> dict[int, set[int]]:
        """Committee id → the units whose officials this user may propose moves for."""
        if self._proposer_units is None:
            self._proposer_units = {}
            if self.proposer_scopes:
                parents = unit_parent_map()
                for committee_id, unit_id in self.proposer_scopes:
                    self._proposer_units.setdefault(committee_id, set()).update(
                        unit_subtree_ids(unit_id, parents)
                    )
        return self._proposer_units

    def committee_ids(self) -> set[int]:
        """Committees the user serves as a member of the committee, its board or its office."""
        return set(self.committee_roles) | set(self.board_roles) | self.office

    def report_committee_ids(self) -> set[int]:
        """Committees whose reports the user reads: those they serve, and those they propose to."""
        return self.committee_ids() | {committee_id for committee_id, _unit in self.proposer_scopes}

    # Roles in one committee.
    def is_chair(self, committee_id) -> bool:
        return self.committee_roles.get(committee_id) == CM.CHAIR

    def is_chair_or_deputy(self, committee_id) -> bool:
        return self.committee_roles.get(committee_id) in (CM.CHAIR, CM.DEPUTY)

    def is_reviewer(self, committee_id) -> bool:
        """Board members who appraise: the head and the members, not the specialists."""
        return self.board_roles.get(committee_id) in (BM.HEAD, BM.MEMBER)

    def is_board_head(self, committee_id) -> bool:
        return self.board_roles.get(committee_id) == BM.HEAD

    def is_office(self, committee_id) -> bool:
        return committee_id in self.office

    def role_names(self) -> list[str]:
        """The roles the page header and the API show: admin, committee_member, committee_chair,
        committee_deputy, board_head, board_member, board_specialist, office, proposer, official."""
        roles = set()
        if self.is_superuser:
            roles.add("admin")
        for role in self.committee_roles.values():
            roles.add("committee_member")
            if role in (CM.CHAIR, CM.DEPUTY):
                roles.add(f"committee_{role}")
        for role in self.board_roles.values():
            roles.update(
                {BM.HEAD: {"board_head", "board_member"}, BM.MEMBER: {"board_member"}}.get(
                    role, {"board_specialist"}
                )
            )
        if self.office:
            roles.add("office")
        if self.proposer_scopes:
            roles.add("proposer")
        if self.official_id is not None:
            roles.add("official")
        return sorted(roles)


def _keep_highest(roles: dict, committee_id, role) -> None:
    if _RANK.get(role, 0) > _RANK.get(roles.get(committee_id), 0):
        roles[committee_id] = role


def _memberships(user, day):
    """(kind, committee id, role, unit id) of every membership of `user` on `day`, and the
    login's official (its id in the second column): one query, a UNION of the five tables."""
    none, blank = Cast(Value(None), BigIntegerField()), Value("", CharField())

    def rows(qs, kind, committee, role, unit):
        return (
            qs.filter(user=user)
            .order_by()
            .annotate(_k=Value(kind, CharField()), _c=committee, _r=role, _u=unit)
            .values_list("_k", "_c", "_r", "_u")
        )

    return list(
        rows(Official.objects, "official", F("id"), blank, none).union(
            rows(
                CommitteeMember.objects.active_on(day),
                "committee",
                F("committee_id"),
                F("role"),
                none,
            ),
            rows(
                BoardMember.objects.active_on(day),
                "board",
                F("board__committee_id"),
                F("role"),
                none,
            ),
            rows(
                CommitteeOfficeMember.objects.active_on(day),
                "office",
                F("committee_id"),
                blank,
                none,
            ),
            rows(
                ProposerScope.objects.active_on(day),
                "proposer",
                F("committee_id"),
                blank,
                F("unit_id"),
            ),
            all=True,
        )
    )


def request_actor(request) -> Actor:
    """The signed-in user's roles, read once per request and kept on it."""
    request = getattr(request, "_request", request)  # a REST framework request wraps Django's
    actor = getattr(request, "actor", None)
    if actor is None or actor.user is not request.user:
        actor = request.actor = Actor.for_user(request.user)
    return actor


# --- Who signs a decision -------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    user: object
    role: str  # CommitteeMember.Role.CHAIR or DEPUTY (the same values as Decision.SignerRole)
    name: str


def signers(committee, day: dt.date) -> list[Signer]:
    """The incumbent chair first, then the standing deputies by username: who may sign."""
    members = (
        CommitteeMember.objects.active_on(day)
        .filter(
            committee=committee, role__in=(CommitteeMember.Role.CHAIR, CommitteeMember.Role.DEPUTY)
        )
        .select_related("user__official")
        .order_by("user__username")
    )
    out = []
    for member in sorted(members, key=lambda m: m.role != CommitteeMember.Role.CHAIR):
        user = member.user
        official = getattr(user, "official", None)
        name = official.full_name if official else user.get_full_name() or user.get_username()
        out.append(Signer(user, member.role, name))
    return out


def signer_for(committee, day: dt.date, *, user=None, subject=None) -> Signer:
    """The signer of a decision of `committee` on `day`: `user` if they are the incumbent chair or
    a standing deputy, the chair when `user` is None. Nobody signs a decision about themselves
    (`subject`: the official the decision is about)."""
    choices = signers(committee, day)
    if user is None:
        signer = next((s for s in choices if s.role == CommitteeMember.Role.CHAIR), None)
        if signer is None:
            raise Invalid(_("The committee has no chair to sign."), code="invalid_signer")
    else:
        signer = next((s for s in choices if s.user.pk == getattr(user, "pk", user)), None)
        if signer is None:
            raise Invalid(
                _("The signer must be the incumbent chair or a standing deputy."),
                code="invalid_signer",
            )
    if subject is not None and subject.user_id is not None and subject.user_id == signer.user.pk:
        raise NotAllowed(
            _("Nobody signs a decision about themselves: %(name)s is its subject."),
            code="signer_is_subject",
            params={"name": signer.name},
        )
    return signer

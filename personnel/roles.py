"""Who holds which role, read once from dated memberships (SPEC §4).

`Actor` is a user's roles on one day: built once per request (`request_actor`), passed as
`actor=` to services and selectors. `signer_for` is the one rule for who signs a decision.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from lib.errors import Invalid, NotAllowed

from .models import CommitteeMember

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

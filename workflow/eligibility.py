"""The eligibility checklist of a proposal (SPEC §3).

Each check is a small function of a proposal-like object (a saved proposal, or an unsaved one
being created) returning a CheckResult: code, severity, ok and a message (an English msgid and
its parameters, shown in the active language). Parameters come from the committee's policy
fields. Checks marked `enforced` refuse the action at once (broken data); other errors block
endorsement unless the board head grants an exception; warnings only inform.
"""

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_noop

from lib.dates import add_months
from lib.text import message_text
from personnel.models import Assignment, PlanningEntry, Term
from personnel.selectors import (
    active_on_q,
    is_local,
    official_assignments_on,
    official_remaining_service_months,
    unit_parent_map,
)

from .models import OPEN_STATES, ProposalKind, ProposalState, RotationProposal

ERROR = "error"
WARNING = "warning"

NOT_APPLICABLE = {
    ProposalKind.TRANSFER: gettext_noop("Not applicable to a transfer."),
    ProposalKind.SECONDMENT: gettext_noop("Not applicable to a secondment."),
}


@dataclass
class CheckResult:
    """`text` is an English msgid (marked with gettext_noop) and `params` its JSON parameters;
    `message` is the two put together in the active language."""

    code: str
    severity: str
    ok: bool
    text: str
    params: dict = field(default_factory=dict)
    enforced: bool = False
    excepted: bool = False

    @property
    def message(self) -> str:
        return message_text(self.text, self.params)

    @property
    def blocks_endorsement(self) -> bool:
        return self.severity == ERROR and not self.ok and not self.excepted

    def as_dict(self) -> dict:
        return asdict(self)


def results_from_snapshot(snapshot) -> list[CheckResult]:
    """The checklist stored at endorsement. Entries stored before messages had parameters keep
    their one `message` string, shown as it is."""
    return [
        CheckResult(
            item["code"],
            item["severity"],
            item["ok"],
            item.get("text") or item.get("message", ""),
            item.get("params") or {},
            enforced=item.get("enforced", False),
            excepted=item.get("excepted", False),
        )
        for item in (snapshot or {}).get("checks", [])
    ]


@dataclass
class _Context:
    """Caches shared by the checks of one evaluation."""

    parents: dict | None = None
    extra: dict = field(default_factory=dict)

    def unit_parents(self):
        if self.parents is None:
            self.parents = unit_parent_map()
        return self.parents


def _not_applicable(code, severity, kind):
    return CheckResult(code, severity, True, NOT_APPLICABLE[kind])


# --- Planned end ----------------------------------------------------------------------------


def planned_end_for(effective_date: dt.date, duration_months: int | None) -> dt.date | None:
    """The last day of the term: the day before the same date `duration_months` later.

    Inclusive, like Assignment.end: a 36-month rotation from 01/06/2024 runs to 31/05/2027, and
    the home post can start again on 01/06/2027. Null for an open-ended transfer.
    """
    if not duration_months:
        return None
    return add_months(effective_date, duration_months) - dt.timedelta(days=1)


def resolve_from_assignment(official, effective_date: dt.date) -> Assignment | None:
    """The official's main post held on the effective date (the post being left)."""
    return official_assignments_on(official, effective_date).first()


# --- The checks -----------------------------------------------------------------------------


def check_in_planning(p, ctx) -> CheckResult:
    code = "in_planning"
    if p.kind != ProposalKind.ROTATION:
        return _not_applicable(code, ERROR, p.kind)
    target_title = p.target_position.title
    day = p.effective_date
    entries = PlanningEntry.objects.filter(official_id=p.official_id).select_related(
        "title", "term"
    )
    next_terms = {}
    for entry in entries:
        if entry.title_id != target_title.id and entry.title.level < target_title.level:
            continue
        term = entry.term
        if term.contains(day):
            return CheckResult(
                code,
                ERROR,
                True,
                gettext_noop("In the planning for %(title)s, current term %(term)s."),
                {"title": entry.title.name, "term": term.name},
            )
        key = (term.kind, term.committee_id)
        if key not in next_terms:
            next_terms[key] = (
                Term.objects.filter(kind=term.kind, committee_id=term.committee_id, start__gt=day)
                .order_by("start")
                .values_list("id", flat=True)
                .first()
            )
        if next_terms[key] == term.id:
            return CheckResult(
                code,
                ERROR,
                True,
                gettext_noop("In the planning for %(title)s, next term %(term)s."),
                {"title": entry.title.name, "term": term.name},
            )
    return CheckResult(
        code,
        ERROR,
        False,
        gettext_noop(
            "Not in the planning for %(title)s (or an equivalent or higher title) for the "
            "current or the next term."
        ),
        {"title": target_title.name},
    )


def check_remaining_service(p, ctx) -> CheckResult:
    code = "remaining_service"
    if p.kind != ProposalKind.ROTATION:
        return _not_applicable(code, ERROR, p.kind)
    needed = p.committee.min_remaining_service_years * 12
    left = official_remaining_service_months(p.official, p.effective_date)
    return CheckResult(
        code,
        ERROR,
        left >= needed,
        gettext_noop(
            "%(left_months)s of service left on the effective date; at least %(needed_months)s."
        ),
        {"left_months": left, "needed_months": needed},
    )


def check_min_duration(p, ctx) -> CheckResult:
    code = "min_duration"
    policy = p.committee
    months = p.duration_months
    if p.kind == ProposalKind.ROTATION:
        minimum = policy.min_rotation_months
        if not months:
            return CheckResult(
                code,
                ERROR,
                False,
                gettext_noop("A rotation needs a duration of at least %(minimum)s months."),
                {"minimum": minimum},
            )
        return CheckResult(
            code,
            ERROR,
            months >= minimum,
            gettext_noop("Rotation of %(months)s months; at least %(minimum)s months."),
            {"months": months, "minimum": minimum},
        )
    if p.kind == ProposalKind.SECONDMENT:
        maximum = policy.max_secondment_months
        if not months:
            return CheckResult(
                code,
                ERROR,
                False,
                gettext_noop("A secondment needs a duration of at most %(maximum)s months."),
                {"maximum": maximum},
            )
        return CheckResult(
            code,
            ERROR,
            months <= maximum,
            gettext_noop("Secondment of %(months)s months; at most %(maximum)s months."),
            {"months": months, "maximum": maximum},
        )
    if months:
        return CheckResult(
            code, ERROR, True, gettext_noop("Transfer for %(months)s months."), {"months": months}
        )
    return CheckResult(code, ERROR, True, gettext_noop("Open-ended transfer."))


def check_non_local(p, ctx) -> CheckResult:
    code = "non_local"
    title = p.target_position.title
    unit = p.target_position.unit
    if not title.requires_non_local:
        return CheckResult(
            code,
            ERROR,
            True,
            gettext_noop("The title %(title)s does not have to be held by a non-local person."),
            {"title": title.name},
        )
    local = is_local(p.official, unit, rule=p.committee.locality_rule, parents=ctx.unit_parents())
    if local:
        return CheckResult(
            code,
            ERROR,
            False,
            gettext_noop(
                "%(official)s is local to %(unit)s; the title %(title)s must go to a non-local person."
            ),
            {"official": p.official.full_name, "unit": unit.name, "title": title.name},
        )
    return CheckResult(
        code, ERROR, True, gettext_noop("Not local to %(unit)s."), {"unit": unit.name}
    )


def check_equivalent_post(p, ctx) -> CheckResult:
    code = "equivalent_post"
    if p.from_assignment is None:
        return CheckResult(code, WARNING, False, gettext_noop("No current post to compare with."))
    current = p.from_assignment.position.title
    target = p.target_position.title
    if target.level == current.level:
        return CheckResult(
            code, WARNING, True, gettext_noop("The target post is equivalent to the current one.")
        )
    justification = (p.higher_post_justification or "").strip()
    if target.level > current.level and justification:
        return CheckResult(
            code,
            WARNING,
            True,
            gettext_noop("A higher post, with a written justification: «%(justification)s»."),
            {"justification": justification},
        )
    levels = {"target": target.level, "current": current.level}
    if target.level > current.level:
        return CheckResult(
            code,
            WARNING,
            False,
            gettext_noop("A higher post (%(target)s > %(current)s) needs a written justification."),
            levels,
        )
    return CheckResult(
        code,
        WARNING,
        False,
        gettext_noop("The target post is lower than the current one (%(target)s < %(current)s)."),
        levels,
    )


def check_single_open_proposal(p, ctx) -> CheckResult:
    code = "single_open_proposal"
    others = RotationProposal.objects.filter(official_id=p.official_id, state__in=OPEN_STATES)
    if p.pk:
        others = others.exclude(pk=p.pk)
    other = others.values_list("id", flat=True).first()
    if other is not None:
        return CheckResult(
            code,
            ERROR,
            False,
            gettext_noop("The official already has an open proposal (no. %(other)s)."),
            {"other": other},
            enforced=True,
        )
    return CheckResult(code, ERROR, True, gettext_noop("No other open proposal."), enforced=True)


def check_target_vacancy(p, ctx) -> CheckResult:
    code = "target_vacancy"
    position = p.target_position
    day = p.effective_date
    holders = set(
        Assignment.objects.filter(active_on_q(day), position=position).values_list(
            "official_id", flat=True
        )
    )
    # Holders moving out through an approved or issued proposal free their seat by then.
    leaving = set(
        RotationProposal.objects.filter(
            state__in=(ProposalState.APPROVED, ProposalState.ISSUED),
            from_assignment__position=position,
            official_id__in=holders,
            effective_date__lte=day,
        )
        .exclude(pk=p.pk)
        .values_list("official_id", flat=True)
    )
    staying = holders - leaving
    if len(staying) < position.seats:
        if leaving and len(holders) >= position.seats:
            message = gettext_noop("The post is being vacated by an approved proposal.")
        else:
            message = gettext_noop("The post is vacant on the effective date.")
        return CheckResult(code, WARNING, True, message)
    return CheckResult(
        code,
        WARNING,
        False,
        gettext_noop(
            "The post %(post)s is not vacant on the effective date; a rotation adds no posts."
        ),
        {"post": position.name},
    )


def check_current_assignment(p, ctx) -> CheckResult:
    code = "current_assignment"
    a = p.from_assignment
    day = {"effective_date": p.effective_date.isoformat()}
    if a is None or a.official_id != p.official_id:
        return CheckResult(
            code,
            ERROR,
            False,
            gettext_noop("The official holds no post on the effective date %(effective_date)s."),
            day,
            enforced=True,
        )
    post = {"post": a.position.name}
    if not a.is_active_on(p.effective_date):
        return CheckResult(
            code,
            ERROR,
            False,
            gettext_noop("The current post (%(post)s) is not held on %(effective_date)s."),
            {**post, **day},
            enforced=True,
        )
    return CheckResult(
        code, ERROR, True, gettext_noop("Holds the post %(post)s."), post, enforced=True
    )


CHECKS = (
    check_in_planning,
    check_remaining_service,
    check_min_duration,
    check_non_local,
    check_equivalent_post,
    check_single_open_proposal,
    check_target_vacancy,
    check_current_assignment,
)

# Codes whose failure the board head may lift with an exception: errors that are not enforced.
EXCEPTABLE_CODES = ("in_planning", "remaining_service", "min_duration", "non_local")
ENFORCED_CODES = ("single_open_proposal", "current_assignment")


def evaluate(proposal, *, exceptions=None) -> list[CheckResult]:
    """Run every check. `exceptions`: codes lifted by the board head (default: read them)."""
    ctx = _Context()
    results = [check(proposal, ctx) for check in CHECKS]
    if exceptions is None:
        exceptions = (
            set(proposal.exceptions.values_list("code", flat=True)) if proposal.pk else set()
        )
    for result in results:
        if result.code in exceptions and result.severity == ERROR and not result.enforced:
            result.excepted = True
    return results


def enforced_failures(results) -> list[CheckResult]:
    return [r for r in results if r.enforced and not r.ok]


def blocking_errors(results) -> list[CheckResult]:
    return [r for r in results if r.blocks_endorsement]


def snapshot(proposal, results, exceptions) -> dict:
    """What the committee saw at endorsement: the checklist and the exceptions granted."""
    return {
        "evaluated_at": timezone.now().isoformat(),
        "checks": [r.as_dict() for r in results],
        "exceptions": [
            {
                "code": e.code,
                "justification": e.justification,
                "granted_by": e.granted_by.get_username(),
                "granted_at": e.created_at.isoformat(),
            }
            for e in exceptions
        ],
    }

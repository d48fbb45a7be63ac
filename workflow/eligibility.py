"""The eligibility checklist of a proposal (SPEC §3).

Each check is a small function of a proposal-like object (a saved proposal, or an unsaved one
being created) returning a CheckResult: code, severity, ok and a Vietnamese message with the
English in parentheses. Parameters come from the committee's policy fields. Checks marked
`enforced` refuse the action at once (broken data); other errors block endorsement unless the
board head grants an exception; warnings only inform.
"""

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.utils import timezone

from lib.dates import add_months
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

KIND_VI = {
    ProposalKind.ROTATION: "luân chuyển",
    ProposalKind.TRANSFER: "điều động",
    ProposalKind.SECONDMENT: "biệt phái",
}


@dataclass
class CheckResult:
    code: str
    severity: str
    ok: bool
    message: str
    enforced: bool = False
    excepted: bool = False

    @property
    def blocks_endorsement(self) -> bool:
        return self.severity == ERROR and not self.ok and not self.excepted

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Context:
    """Caches shared by the checks of one evaluation."""

    parents: dict | None = None
    extra: dict = field(default_factory=dict)

    def unit_parents(self):
        if self.parents is None:
            self.parents = unit_parent_map()
        return self.parents


def _months_text(months: int) -> str:
    years, rest = divmod(max(months, 0), 12)
    if years and rest:
        return f"{years} năm {rest} tháng"
    if years:
        return f"{years} năm"
    return f"{rest} tháng"


def _not_applicable(code, severity, kind):
    return CheckResult(
        code,
        severity,
        True,
        f"Không áp dụng cho {KIND_VI.get(kind, kind)} (not applicable to a {kind}).",
    )


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
                f"Có trong quy hoạch chức danh {entry.title.name}, nhiệm kỳ {term.name} "
                f"(in the planning for {entry.title.code}, current term {term.name}).",
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
                f"Có trong quy hoạch chức danh {entry.title.name}, nhiệm kỳ kế tiếp {term.name} "
                f"(in the planning for {entry.title.code}, next term {term.name}).",
            )
    return CheckResult(
        code,
        ERROR,
        False,
        f"Cán bộ không có trong quy hoạch chức danh {target_title.name} (hoặc tương đương, cao "
        f"hơn) cho nhiệm kỳ hiện tại hoặc kế tiếp (not in the planning for the target title or an "
        f"equivalent or higher one, for the current or the next term).",
    )


def check_remaining_service(p, ctx) -> CheckResult:
    code = "remaining_service"
    if p.kind != ProposalKind.ROTATION:
        return _not_applicable(code, ERROR, p.kind)
    needed = p.committee.min_remaining_service_years * 12
    left = official_remaining_service_months(p.official, p.effective_date)
    text = (
        f"Còn {_months_text(left)} công tác tính đến ngày hiệu lực; cần ít nhất "
        f"{_months_text(needed)} ({left} months of service left on the effective date; "
        f"{needed} needed)."
    )
    return CheckResult(code, ERROR, left >= needed, text)


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
                f"Luân chuyển phải có thời hạn, ít nhất {minimum} tháng "
                f"(a rotation needs a duration of at least {minimum} months).",
            )
        ok = months >= minimum
        return CheckResult(
            code,
            ERROR,
            ok,
            f"Thời hạn luân chuyển {months} tháng; tối thiểu {minimum} tháng "
            f"(rotation of {months} months; at least {minimum}).",
        )
    if p.kind == ProposalKind.SECONDMENT:
        maximum = policy.max_secondment_months
        if not months:
            return CheckResult(
                code,
                ERROR,
                False,
                f"Biệt phái phải có thời hạn, tối đa {maximum} tháng "
                f"(a secondment needs a duration of at most {maximum} months).",
            )
        return CheckResult(
            code,
            ERROR,
            months <= maximum,
            f"Thời hạn biệt phái {months} tháng; tối đa {maximum} tháng "
            f"(secondment of {months} months; at most {maximum}).",
        )
    if months:
        return CheckResult(
            code,
            ERROR,
            True,
            f"Điều động có thời hạn {months} tháng (transfer for {months} months).",
        )
    return CheckResult(
        code, ERROR, True, "Điều động không thời hạn (an open-ended transfer is allowed)."
    )


def check_non_local(p, ctx) -> CheckResult:
    code = "non_local"
    title = p.target_position.title
    unit = p.target_position.unit
    if not title.requires_non_local:
        return CheckResult(
            code,
            ERROR,
            True,
            f"Chức danh {title.name} không bắt buộc người không là người địa phương "
            f"(the title does not have to be held by a non-local person).",
        )
    local = is_local(p.official, unit, rule=p.committee.locality_rule, parents=ctx.unit_parents())
    if local:
        return CheckResult(
            code,
            ERROR,
            False,
            f"{p.official.full_name} là người địa phương của {unit.name}; chức danh {title.name} "
            f"phải bố trí người không là người địa phương (the official is local to the target "
            f"unit; this title must go to a non-local person).",
        )
    return CheckResult(
        code,
        ERROR,
        True,
        f"Không là người địa phương của {unit.name} (not local to the target unit).",
    )


def check_equivalent_post(p, ctx) -> CheckResult:
    code = "equivalent_post"
    if p.from_assignment is None:
        return CheckResult(
            code,
            WARNING,
            False,
            "Chưa xác định chức vụ hiện tại để so sánh (no current post to compare with).",
        )
    current = p.from_assignment.position.title
    target = p.target_position.title
    if target.level == current.level:
        return CheckResult(
            code,
            WARNING,
            True,
            f"Chức danh mới tương đương chức danh hiện tại (equivalent post, level {target.level}).",
        )
    if target.level > current.level:
        justification = (p.higher_post_justification or "").strip()
        if justification:
            return CheckResult(
                code,
                WARNING,
                True,
                f"Chức danh mới cao hơn chức danh hiện tại; đã có giải trình: «{justification}» "
                f"(a higher post, with a written justification).",
            )
        return CheckResult(
            code,
            WARNING,
            False,
            f"Chức danh mới cao hơn chức danh hiện tại ({target.level} > {current.level}); cần "
            f"giải trình bằng văn bản (a higher post needs a written justification).",
        )
    return CheckResult(
        code,
        WARNING,
        False,
        f"Chức danh mới thấp hơn chức danh hiện tại ({target.level} < {current.level}) "
        f"(the target post is lower than the current one).",
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
            f"Cán bộ đang có một đề xuất khác chưa kết thúc (số {other}) "
            f"(the official already has an open proposal, #{other}).",
            enforced=True,
        )
    return CheckResult(
        code,
        ERROR,
        True,
        "Cán bộ không có đề xuất nào khác đang mở (no other open proposal).",
        enforced=True,
    )


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
            message = (
                "Chức vụ sẽ trống vào ngày hiệu lực nhờ một đề xuất đã được thông qua "
                "(the post is being vacated by an approved proposal)."
            )
        else:
            message = (
                "Chức vụ còn trống vào ngày hiệu lực (the post is vacant on the effective date)."
            )
        return CheckResult(code, WARNING, True, message)
    return CheckResult(
        code,
        WARNING,
        False,
        f"Chức vụ {position.name} không còn trống vào ngày hiệu lực; luân chuyển không tạo thêm "
        f"chức vụ (the target post is not vacant on the effective date).",
    )


def check_current_assignment(p, ctx) -> CheckResult:
    code = "current_assignment"
    a = p.from_assignment
    if a is None or a.official_id != p.official_id:
        return CheckResult(
            code,
            ERROR,
            False,
            f"Cán bộ không giữ chức vụ nào vào ngày hiệu lực {p.effective_date:%d/%m/%Y} "
            f"(the official holds no post on the effective date).",
            enforced=True,
        )
    if not a.is_active_on(p.effective_date):
        return CheckResult(
            code,
            ERROR,
            False,
            f"Chức vụ hiện tại ({a.position.name}) không còn hiệu lực vào ngày "
            f"{p.effective_date:%d/%m/%Y} (the current post is not held on the effective date).",
            enforced=True,
        )
    return CheckResult(
        code,
        ERROR,
        True,
        f"Đang giữ chức vụ {a.position.name} (holds the current post on the effective date).",
        enforced=True,
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

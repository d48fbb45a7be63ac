"""Writes on a rotation proposal: one service per action (SPEC §4). A proposal's life reads top
to bottom here.

Every transition runs in one transaction: lock the proposal row (select_for_update), check the
state and the actor's role and separation of duties (workflow/permissions.py, because django-fsm
does not enforce `permission=`), call the transition method, save, append the audit event. A
concurrent loser waits on the lock, then finds the state changed and gets Conflict (HTTP 409).
Background work is queued only with transaction.on_commit (decision_issue queues its render).

Services take keyword-only arguments and model instances (or ids where named `*_id`); `user`
None means the system (the daily posting job).
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from documents.services import decision_issue, minutes_render, submission_render
from personnel.models import Committee, CommitteeMember, Official
from personnel.roles import signer_for
from personnel.selectors import unit_subtree_ids

from . import ballots, eligibility, permissions
from .audit import audit_append
from .errors import Conflict, Invalid, NotAllowed, NotFound, WrongState
from .models import (
    BallotReceipt,
    EligibilityException,
    EligibleVoter,
    Opinion,
    ProposalKind,
    RotationOutcome,
    RotationProposal,
    VoteRound,
)
from .permissions import Actor, Verdict, actor_for
from .postings import posting_apply

MAX_DURATION_MONTHS = 240
_UNSET = object()

# --- Helpers --------------------------------------------------------------------------------


def _raise_for(verdict: Verdict) -> None:
    if verdict:
        return
    if verdict.is_state_problem:
        raise WrongState(verdict.reason, code=verdict.code)
    raise NotAllowed(verdict.reason, code=verdict.code)


def _lock(proposal_id, actor: Actor) -> RotationProposal:
    """Lock the proposal row for this transaction; 404 when it does not exist or is not visible."""
    try:
        proposal_id = int(proposal_id)
    except (TypeError, ValueError):
        raise NotFound()
    # The bare row: a join would lock (and make PostgreSQL plan) more than needed; the few
    # related rows an action reads are fetched by key when it reads them.
    proposal = RotationProposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None or not permissions.can_view(actor, proposal):
        raise NotFound()
    return proposal


def _require_comment(comment, action: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        vi, en = permissions.ACTION_LABELS[action]
        raise Invalid(
            f"Cần ghi lý do khi {vi} (a comment is required to {en}).", code="comment_required"
        )
    return comment


def _save_and_record(
    proposal, *, actor: Actor, action: str, from_state: str, comment="", data=None
):
    """Save the transition and append its audit event, in the caller's transaction."""
    try:
        proposal.save()
    except ConcurrentTransition:
        raise Conflict()
    audit_append(
        action=action,
        actor=actor.user,
        proposal=proposal,
        from_state=from_state,
        to_state=proposal.state,
        comment=comment,
        data=data or {},
    )
    return proposal


def _run(proposal, method_name: str, **kwargs):
    try:
        getattr(proposal, method_name)(**kwargs)
    except TransitionNotAllowed:
        # The permission check already compared states; this only guards against drift.
        raise WrongState(permissions.state_refusal(proposal, method_name).reason)


def _enforce_data_checks(proposal) -> None:
    """Broken data is refused at once: the current post and the single open proposal (SPEC §3)."""
    ctx = eligibility._Context()
    for check in (eligibility.check_current_assignment, eligibility.check_single_open_proposal):
        result = check(proposal, ctx)
        if not result.ok:
            raise Invalid(result.message, code=result.code)


def _validate_fields(*, kind, effective_date, duration_months, rationale) -> None:
    if kind not in ProposalKind.values:
        raise Invalid(
            "Loại đề xuất phải là luân chuyển, điều động hoặc biệt phái "
            "(kind must be rotation, transfer or secondment).",
            code="invalid_kind",
        )
    if not isinstance(effective_date, dt.date) or isinstance(effective_date, dt.datetime):
        raise Invalid("Ngày hiệu lực không hợp lệ (invalid effective date).", code="invalid_date")
    if duration_months is not None and (
        isinstance(duration_months, bool)
        or not isinstance(duration_months, int)
        or not 1 <= duration_months <= MAX_DURATION_MONTHS
    ):
        raise Invalid(
            f"Thời hạn phải từ 1 đến {MAX_DURATION_MONTHS} tháng "
            f"(duration must be 1 to {MAX_DURATION_MONTHS} months).",
            code="invalid_duration",
        )
    if not (rationale or "").strip():
        raise Invalid("Cần nêu lý do đề xuất (a rationale is required).", code="rationale_required")


def _check_target(proposal) -> None:
    target = proposal.target_position
    if proposal.from_assignment is not None and proposal.from_assignment.position_id == target.pk:
        raise Invalid(
            "Chức vụ mới trùng với chức vụ hiện tại (the target post is the current post).",
            code="same_position",
        )
    if target.unit_id not in unit_subtree_ids(proposal.committee.unit_id):
        raise Invalid(
            f"Chức vụ {target.name} không thuộc phạm vi của {proposal.committee.name} "
            f"(the target post is outside the committee's area).",
            code="target_outside_committee",
        )


def _resolve_from_assignment(official, effective_date):
    assignment = eligibility.resolve_from_assignment(official, effective_date)
    if assignment is None:
        raise Invalid(
            f"{official.full_name} không giữ chức vụ nào vào ngày hiệu lực "
            f"{effective_date:%d/%m/%Y} (the official holds no post on the effective date).",
            code="current_assignment",
        )
    return assignment


# --- Drafting -------------------------------------------------------------------------------


def proposal_create(
    *,
    user,
    official: Official,
    kind: str,
    target_position,
    effective_date: dt.date,
    rationale: str,
    duration_months: int | None = None,
    higher_post_justification: str = "",
    committee=None,
) -> RotationProposal:
    """A proposer drafts the move of one official, inside their proposer scope."""
    _validate_fields(
        kind=kind,
        effective_date=effective_date,
        duration_months=duration_months,
        rationale=rationale,
    )
    actor = actor_for(user)
    from_assignment = _resolve_from_assignment(official, effective_date)
    unit_id = from_assignment.position.unit_id
    _raise_for(permissions.can_create(actor, official_id=official.pk, unit_id=unit_id))
    committee_ids = permissions.proposer_committee_ids(actor, unit_id)
    if committee is not None:
        if committee.pk not in committee_ids:
            raise NotAllowed(
                f"Bạn không có quyền đề xuất cho {committee.name} "
                f"(you may not propose to this committee).",
                code="not_allowed",
            )
    else:
        committee = Committee.objects.get(pk=committee_ids[0])
    proposal = RotationProposal(
        committee=committee,
        kind=kind,
        official=official,
        from_assignment=from_assignment,
        target_position=target_position,
        effective_date=effective_date,
        duration_months=duration_months,
        planned_end=eligibility.planned_end_for(effective_date, duration_months),
        rationale=rationale.strip(),
        higher_post_justification=(higher_post_justification or "").strip(),
        author=user,
    )
    _check_target(proposal)
    with transaction.atomic():
        _enforce_data_checks(proposal)
        try:
            with transaction.atomic():
                proposal.save(force_insert=True)
        except IntegrityError:
            # Another draft for this official committed between the check and the insert.
            raise Invalid(
                "Cán bộ đang có một đề xuất khác chưa kết thúc "
                "(the official already has an open proposal).",
                code="single_open_proposal",
            )
        audit_append(
            action="create",
            actor=user,
            proposal=proposal,
            to_state=proposal.state,
            data=_describe(proposal),
        )
    return proposal


def _describe(proposal) -> dict:
    return {
        "kind": proposal.kind,
        "official": proposal.official_id,
        "from_assignment": proposal.from_assignment_id,
        "target_position": proposal.target_position_id,
        "effective_date": proposal.effective_date,
        "duration_months": proposal.duration_months,
        "planned_end": proposal.planned_end,
    }


def proposal_update(
    *,
    proposal_id,
    user,
    kind=_UNSET,
    target_position=_UNSET,
    effective_date=_UNSET,
    duration_months=_UNSET,
    rationale=_UNSET,
    higher_post_justification=_UNSET,
) -> RotationProposal:
    """The author edits a draft or a returned proposal (PATCH: only the fields given)."""
    actor = actor_for(user)
    changes = {
        name: value
        for name, value in (
            ("kind", kind),
            ("target_position", target_position),
            ("effective_date", effective_date),
            ("duration_months", duration_months),
            ("rationale", rationale),
            ("higher_post_justification", higher_post_justification),
        )
        if value is not _UNSET
    }
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_update(actor, proposal))
        for name, value in changes.items():
            setattr(proposal, name, value)
        if "rationale" in changes:
            proposal.rationale = (proposal.rationale or "").strip()
        if "higher_post_justification" in changes:
            proposal.higher_post_justification = (proposal.higher_post_justification or "").strip()
        _validate_fields(
            kind=proposal.kind,
            effective_date=proposal.effective_date,
            duration_months=proposal.duration_months,
            rationale=proposal.rationale,
        )
        if "effective_date" in changes:
            proposal.from_assignment = _resolve_from_assignment(
                proposal.official, proposal.effective_date
            )
        proposal.planned_end = eligibility.planned_end_for(
            proposal.effective_date, proposal.duration_months
        )
        _check_target(proposal)
        _enforce_data_checks(proposal)
        _save_and_record(
            proposal,
            actor=actor,
            action="update",
            from_state=proposal.state,
            data={"changed": sorted(changes), **_describe(proposal)},
        )
    return proposal


# --- Transitions ----------------------------------------------------------------------------


def proposal_submit(*, proposal_id, user, comment: str = "") -> RotationProposal:
    """The author submits a draft or a revised proposal to the board."""
    actor = actor_for(user)
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_submit(actor, proposal))
        _enforce_data_checks(proposal)
        before = proposal.state
        _run(proposal, "submit")
        _save_and_record(proposal, actor=actor, action="submit", from_state=before, comment=comment)
    return proposal


def proposal_withdraw(*, proposal_id, user, comment: str) -> RotationProposal:
    actor = actor_for(user)
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_withdraw(actor, proposal))
        comment = _require_comment(comment, "withdraw")
        before = proposal.state
        _run(proposal, "withdraw")
        _save_and_record(
            proposal, actor=actor, action="withdraw", from_state=before, comment=comment
        )
    return proposal


def proposal_start_review(*, proposal_id, user, comment: str = "") -> RotationProposal:
    """A board member takes the proposal for appraisal and becomes its reviewer."""
    actor = actor_for(user)
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_start_review(actor, proposal))
        before = proposal.state
        _run(proposal, "start_review", reviewer=user)
        _save_and_record(
            proposal, actor=actor, action="start_review", from_state=before, comment=comment
        )
    return proposal


def proposal_return(*, proposal_id, user, comment: str) -> RotationProposal:
    """A board member sends the proposal back to its author for revision."""
    actor = actor_for(user)
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_return_for_revision(actor, proposal))
        comment = _require_comment(comment, "return_for_revision")
        before = proposal.state
        _run(proposal, "return_for_revision")
        _save_and_record(
            proposal, actor=actor, action="return_for_revision", from_state=before, comment=comment
        )
    return proposal


def proposal_endorse(*, proposal_id, user, comment: str = "") -> RotationProposal:
    """The board head endorses to the Standing Committee: at least one "endorse" opinion and no
    error left unexcepted; the checklist and exceptions are stored as what the committee saw."""
    actor = actor_for(user)
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_endorse(actor, proposal))
        if not proposal.opinions.filter(opinion=Opinion.Choice.ENDORSE).exists():
            raise Conflict(
                "Cần ít nhất một ý kiến thẩm định tán thành trước khi trình Ban Thường vụ "
                "(at least one 'endorse' opinion is needed).",
                code="endorse_opinion_required",
            )
        exceptions = list(proposal.exceptions.select_related("granted_by").order_by("id"))
        results = eligibility.evaluate(proposal, exceptions={e.code for e in exceptions})
        blocking = eligibility.blocking_errors(results)
        if blocking:
            codes = ", ".join(r.code for r in blocking)
            raise Conflict(
                f"Còn điều kiện chưa đạt và chưa được cho phép ngoại lệ: {codes} "
                f"(unexcepted eligibility errors block endorsement: {codes}).",
                code="eligibility_errors",
            )
        snapshot = eligibility.snapshot(proposal, results, exceptions)
        before = proposal.state
        _run(proposal, "endorse", snapshot=snapshot)
        _save_and_record(
            proposal,
            actor=actor,
            action="endorse",
            from_state=before,
            comment=comment,
            data={"exceptions": [e.code for e in exceptions]},
        )
        # The board's submission (Tờ trình) with what the committee will see; rendered after commit.
        submission_render(proposal)
    return proposal


def proposal_reject(*, proposal_id, user, comment: str) -> RotationProposal:
    actor = actor_for(user)
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_reject(actor, proposal))
        comment = _require_comment(comment, "reject")
        before = proposal.state
        _run(proposal, "reject")
        _save_and_record(proposal, actor=actor, action="reject", from_state=before, comment=comment)
    return proposal


def opinion_add(*, proposal_id, user, opinion: str, comment: str) -> Opinion:
    """A board member records an appraisal opinion (endorse, revise, oppose) with a comment."""
    actor = actor_for(user)
    if opinion not in Opinion.Choice.values:
        raise Invalid(
            "Ý kiến phải là endorse, revise hoặc oppose (opinion must be endorse, revise or oppose).",
            code="invalid_opinion",
        )
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_add_opinion(actor, proposal))
        comment = _require_comment(comment, "opinion")
        record = Opinion.objects.create(
            proposal=proposal, author=user, opinion=opinion, comment=comment
        )
        audit_append(
            action="opinion",
            actor=user,
            proposal=proposal,
            from_state=proposal.state,
            to_state=proposal.state,
            comment=comment,
            data={"opinion": opinion, "opinion_id": record.pk},
        )
    return record


def exception_grant(*, proposal_id, user, code: str, justification: str) -> EligibilityException:
    """The board head lifts one error check for endorsement, with a written justification."""
    actor = actor_for(user)
    if code not in eligibility.EXCEPTABLE_CODES:
        raise Invalid(
            f"Chỉ được cho phép ngoại lệ với các điều kiện: {', '.join(eligibility.EXCEPTABLE_CODES)} "
            f"(an exception is possible only for these error checks).",
            code="invalid_exception_code",
        )
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_grant_exception(actor, proposal))
        justification = (justification or "").strip()
        if not justification:
            raise Invalid(
                "Cần ghi rõ lý do cho phép ngoại lệ (a justification is required).",
                code="justification_required",
            )
        if proposal.exceptions.filter(code=code).exists():
            raise Conflict(
                f"Đã có ngoại lệ cho điều kiện {code} (an exception for this check exists).",
                code="exception_exists",
            )
        record = EligibilityException.objects.create(
            proposal=proposal, code=code, justification=justification, granted_by=user
        )
        audit_append(
            action="exception",
            actor=user,
            proposal=proposal,
            from_state=proposal.state,
            to_state=proposal.state,
            comment=justification,
            data={"code": code},
        )
    return record


# --- The vote -------------------------------------------------------------------------------


def _incumbent_users(committee, day):
    return list(
        CommitteeMember.objects.active_on(day)
        .filter(committee=committee)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _open_round(proposal) -> VoteRound:
    vote_round = proposal.vote_rounds.filter(status=VoteRound.Status.OPEN).first()
    if vote_round is None:
        raise Conflict("Không có cuộc biểu quyết đang mở (no open vote).", code="no_open_vote")
    return vote_round


def proposal_open_vote(*, proposal_id, user, comment: str = "") -> RotationProposal:
    """Open the secret ballot; freeze the voters: incumbent members less the subject and author."""
    actor = actor_for(user)
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_open_vote(actor, proposal))
        committee = proposal.committee
        incumbent = _incumbent_users(committee, actor.day)
        excluded = {proposal.author_id}
        subject_user = proposal.official.user_id
        if subject_user is not None:
            excluded.add(subject_user)
        voters = [uid for uid in incumbent if uid not in excluded]
        quorum = ballots.quorum_needed(
            len(incumbent), committee.quorum_numerator, committee.quorum_denominator
        )
        if not incumbent or len(voters) < quorum:
            raise Conflict(
                f"Không đủ thành viên được biểu quyết để đạt túc số ({len(voters)} < {quorum}) "
                f"(not enough eligible voters to reach the quorum).",
                code="quorum_unreachable",
            )
        vote_round = VoteRound.objects.create(
            proposal=proposal, opened_by=user, incumbent_count=len(incumbent), quorum=quorum
        )
        EligibleVoter.objects.bulk_create(
            [EligibleVoter(round=vote_round, user_id=uid) for uid in voters]
        )
        before = proposal.state
        _run(proposal, "open_vote")
        _save_and_record(
            proposal,
            actor=actor,
            action="open_vote",
            from_state=before,
            comment=comment,
            data={
                "round": vote_round.pk,
                "incumbent": len(incumbent),
                "eligible": len(voters),
                "quorum": quorum,
            },
        )
    return proposal


def ballot_cast(*, proposal_id, user, choice: str) -> None:
    """An eligible member casts one secret ballot. The audit records the receipt, never the choice."""
    actor = actor_for(user)
    if choice not in ballots.CHOICES:
        raise Invalid(
            "Phiếu phải là approve, disapprove hoặc abstain "
            "(choice must be approve, disapprove or abstain).",
            code="invalid_choice",
        )
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        vote_round = proposal.vote_rounds.filter(status=VoteRound.Status.OPEN).first()
        eligible = (
            vote_round is not None
            and user is not None
            and EligibleVoter.objects.filter(round=vote_round, user=user).exists()
        )
        _raise_for(permissions.can_cast_ballot(actor, proposal, eligible=eligible))
        if BallotReceipt.objects.filter(round=vote_round, user=user).exists():
            raise Conflict("Bạn đã bỏ phiếu rồi (you have already voted).", code="already_voted")
        try:
            with transaction.atomic():
                ballots.ballot_record(round=vote_round, user=user, choice=choice)
        except IntegrityError:
            raise Conflict("Bạn đã bỏ phiếu rồi (you have already voted).", code="already_voted")
        audit_append(
            action="ballot_receipt",
            actor=user,
            proposal=proposal,
            from_state=proposal.state,
            to_state=proposal.state,
            data={"round": vote_round.pk},
        )


def proposal_cancel_vote(*, proposal_id, user, comment: str) -> RotationProposal:
    """The chair cancels the vote: receipts and ballots of the round are discarded."""
    actor = actor_for(user)
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_cancel_vote(actor, proposal))
        comment = _require_comment(comment, "cancel_vote")
        vote_round = _open_round(proposal)
        ballots.ballots_discard(round=vote_round)
        vote_round.status = VoteRound.Status.CANCELLED
        vote_round.closed_at = timezone.now()
        vote_round.save(update_fields=["status", "closed_at"])
        before = proposal.state
        _run(proposal, "cancel_vote")
        _save_and_record(
            proposal,
            actor=actor,
            action="cancel_vote",
            from_state=before,
            comment=comment,
            data={"round": vote_round.pk},
        )
    return proposal


def proposal_close_vote(
    *, proposal_id, user, comment: str = "", casting: str | None = None
) -> RotationProposal:
    """The chair closes the vote. Quorum: ballots cast ≥ ⌈incumbent × policy fraction⌉. Pass:
    approvals > half of all incumbent members; at exactly half the chair's casting decision
    settles it and is recorded."""
    actor = actor_for(user)
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_close_vote(actor, proposal))
        vote_round = _open_round(proposal)
        cast = BallotReceipt.objects.filter(round=vote_round).count()
        if cast < vote_round.quorum:
            raise Conflict(
                f"Chưa đủ túc số: {cast} phiếu, cần ít nhất {vote_round.quorum} "
                f"({cast} ballots cast; the quorum is {vote_round.quorum}).",
                code="quorum_not_met",
            )
        tally = ballots.ballots_unseal_and_shuffle(round=vote_round)
        if tally.cast != cast:
            # Receipts and ballots are written together; a mismatch means tampering.
            raise Conflict(
                "Số phiếu không khớp số người đã bỏ phiếu (ballots and receipts do not match).",
                code="ballot_mismatch",
            )
        incumbent = vote_round.incumbent_count
        tie = tally.approve * 2 == incumbent
        casting_choice = ""
        if tie:
            if casting not in ("approve", "disapprove"):
                raise Invalid(
                    f"Số phiếu tán thành bằng đúng một nửa ({tally.approve}/{incumbent}): Bí thư "
                    f"cần quyết định (casting: approve hoặc disapprove) (a tie: the chair's "
                    f"casting decision, approve or disapprove, is required).",
                    code="casting_required",
                )
            casting_choice = casting
            passed = casting == "approve"
        else:
            passed = tally.approve >= ballots.majority_needed(incumbent)
        vote_round.status = VoteRound.Status.CLOSED
        vote_round.closed_at = timezone.now()
        vote_round.approve_count = tally.approve
        vote_round.disapprove_count = tally.disapprove
        vote_round.abstain_count = tally.abstain
        vote_round.casting_choice = casting_choice
        vote_round.passed = passed
        vote_round.save()
        before = proposal.state
        _run(proposal, "close_vote", passed=passed)
        _save_and_record(
            proposal,
            actor=actor,
            action="close_vote",
            from_state=before,
            comment=comment,
            data={
                "round": vote_round.pk,
                "incumbent": incumbent,
                "quorum": vote_round.quorum,
                "cast": cast,
                "approve": tally.approve,
                "disapprove": tally.disapprove,
                "abstain": tally.abstain,
                "casting": casting_choice,
                "passed": passed,
            },
        )
        # The vote minutes (counts only); rendered after commit.
        minutes_render(vote_round)
    return proposal


# --- Decision, posting, end -----------------------------------------------------------------


def proposal_issue_decision(
    *, proposal_id, user, signer=None, comment: str = "", issued_on: dt.date | None = None
) -> RotationProposal:
    """The office issues the numbered decision. The number is taken in this transaction (a
    rollback gives it back); documents.decision_issue queues the PDF after commit."""
    actor = actor_for(user)
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_issue_decision(actor, proposal))
        chosen = signer_for(proposal.committee, actor.day, user=signer, subject=proposal.official)
        before = proposal.state
        _run(proposal, "issue_decision")
        try:
            proposal.save()
        except ConcurrentTransition:
            raise Conflict()
        try:
            # Takes the number and queues the PDF render after commit (documents app).
            decision = decision_issue(
                proposal=proposal,
                signer=chosen.user,
                signer_role=chosen.role,
                signer_name=chosen.name,
                issued_by=user,
                issued_on=issued_on,
            )
        except DjangoValidationError as exc:
            raise Invalid(" ".join(exc.messages), code="numbering")
        except IntegrityError:
            raise Conflict()
        audit_append(
            action="issue_decision",
            actor=user,
            proposal=proposal,
            from_state=before,
            to_state=proposal.state,
            comment=comment,
            data={
                "decision": decision.pk,
                "number": decision.number_label,
                "signer": chosen.user.pk,
                "signer_role": chosen.role,
            },
        )
    return proposal


def _posting_steps(*, proposal, at) -> dict:
    """Apply the posting to the registry inside the transaction of `post`: the post left ends the
    day before the effective date, the new one starts on it, both point at the decision
    (workflow/postings.py). What changed goes into the audit event."""
    return posting_apply(proposal=proposal, at=at)


def proposal_post(
    *, proposal_id, user=None, comment: str = "", on: dt.date | None = None
) -> RotationProposal:
    """Put the decision into effect on or after its effective date: the office, or the system
    (user None) from the daily job. `on` is the day the action is taken (default today)."""
    actor = actor_for(user, day=on)
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_post(actor, proposal))
        now = timezone.now()
        before = proposal.state
        _run(proposal, "post", at=now)
        applied = _posting_steps(proposal=proposal, at=now)
        _save_and_record(
            proposal,
            actor=actor,
            action="post",
            from_state=before,
            comment=comment,
            data={"system": actor.is_system, **applied},
        )
    return proposal


def proposal_end_rotation(
    *, proposal_id, user, outcome: str, comment: str = ""
) -> RotationProposal:
    """The board head ends a rotation or secondment with its outcome."""
    actor = actor_for(user)
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_end_rotation(actor, proposal))
        if outcome not in RotationOutcome.values:
            raise Invalid(
                "Cần chọn kết quả: returned, reassigned hoặc kept "
                "(outcome must be returned, reassigned or kept).",
                code="outcome_required",
            )
        before = proposal.state
        _run(proposal, "end_rotation", outcome=outcome)
        _save_and_record(
            proposal,
            actor=actor,
            action="end_rotation",
            from_state=before,
            comment=comment,
            data={"outcome": outcome},
        )
    return proposal


def proposal_revoke(*, proposal_id, user, comment: str) -> RotationProposal:
    """The chair revokes an issued decision before its effective date."""
    actor = actor_for(user)
    with transaction.atomic():
        proposal = _lock(proposal_id, actor)
        _raise_for(permissions.can_revoke(actor, proposal))
        comment = _require_comment(comment, "revoke")
        before = proposal.state
        _run(proposal, "revoke")
        _save_and_record(proposal, actor=actor, action="revoke", from_state=before, comment=comment)
    return proposal


# --- The dispatcher used by the API ---------------------------------------------------------


def _user_from(value):
    if value in (None, ""):
        return None
    if isinstance(value, get_user_model()):
        return value
    try:
        return get_user_model().objects.get(pk=int(value))
    except (TypeError, ValueError, get_user_model().DoesNotExist):
        raise Invalid(f"Không có người dùng {value} (unknown user).", code="invalid_signer")


def proposal_transition(*, name: str, proposal_id, user, data: dict | None = None):
    """Run the transition `name` with the request body `data` ({comment, casting, outcome, signer})."""
    data = data or {}
    comment = data.get("comment") or ""
    if not isinstance(comment, str):
        raise Invalid("Ý kiến phải là văn bản (comment must be text).", code="invalid_comment")
    common = {"proposal_id": proposal_id, "user": user, "comment": comment}
    if name == "submit":
        return proposal_submit(**common)
    if name == "withdraw":
        return proposal_withdraw(**common)
    if name == "start_review":
        return proposal_start_review(**common)
    if name == "return_for_revision":
        return proposal_return(**common)
    if name == "endorse":
        return proposal_endorse(**common)
    if name == "reject":
        return proposal_reject(**common)
    if name == "open_vote":
        return proposal_open_vote(**common)
    if name == "cancel_vote":
        return proposal_cancel_vote(**common)
    if name == "close_vote":
        return proposal_close_vote(**common, casting=data.get("casting"))
    if name == "issue_decision":
        return proposal_issue_decision(**common, signer=_user_from(data.get("signer")))
    if name == "post":
        return proposal_post(**common)
    if name == "end_rotation":
        return proposal_end_rotation(**common, outcome=data.get("outcome") or "")
    if name == "revoke":
        return proposal_revoke(**common)
    raise Invalid(
        f"Không có thao tác «{name}»; các thao tác: {', '.join(permissions.TRANSITION_NAMES)} "
        f"(unknown transition).",
        code="unknown_transition",
    )

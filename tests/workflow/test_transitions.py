"""Every transition of SPEC §4 through the services: the happy path, the wrong state (409), the
wrong role (403), separation of duties, and the comments that are required (400)."""

import datetime as dt

import pytest

from audit.models import AuditEvent
from audit.services import audit_verify
from personnel.models import ProposerScope
from personnel.roles import Actor
from tests.helpers import SINCE, TODAY
from tests.world import S, act, advance, cast_all, new_proposal, opine
from workflow import services
from workflow.errors import Invalid, NotAllowed, NotFound, WrongState
from workflow.models import RotationProposal

pytestmark = pytest.mark.django_db

COMMENT = "Lý do ghi rõ."

# name → (source state, target state, who acts, extra data, effective date offset in days)
TRANSITIONS = {
    "submit": (S.DRAFT, S.SUBMITTED, "proposer", {}, 30),
    "withdraw": (S.SUBMITTED, S.WITHDRAWN, "proposer", {"comment": COMMENT}, 30),
    "start_review": (S.SUBMITTED, S.IN_REVIEW, "reviewer", {}, 30),
    "return_for_revision": (S.IN_REVIEW, S.RETURNED, "reviewer", {"comment": COMMENT}, 30),
    "endorse": (S.IN_REVIEW, S.ENDORSED, "board_head", {}, 30),
    "reject": (S.IN_REVIEW, S.REJECTED, "board_head", {"comment": COMMENT}, 30),
    "open_vote": (S.ENDORSED, S.VOTING, "chair", {}, 30),
    "cancel_vote": (S.VOTING, S.ENDORSED, "chair", {"comment": COMMENT}, 30),
    "close_vote": (S.VOTING, S.APPROVED, "chair", {}, 30),
    "issue_decision": (S.APPROVED, S.ISSUED, "clerk", {}, 30),
    "post": (S.ISSUED, S.IN_EFFECT, "clerk", {}, 0),
    "end_rotation": (S.IN_EFFECT, S.COMPLETED, "board_head", {"outcome": "kept"}, 0),
    "revoke": (S.ISSUED, S.REVOKED, "chair", {"comment": COMMENT}, 30),
}

# Someone who sees the proposal but does not hold the role for the transition.
WRONG_ROLE = {
    "submit": "reviewer",
    "withdraw": "reviewer",
    "start_review": "proposer",  # a board specialist, not a reviewer
    "return_for_revision": "chair",
    "endorse": "reviewer",
    "reject": "reviewer",
    "open_vote": "board_head",  # a committee member, not the chair or deputy
    "cancel_vote": "deputy",
    "close_vote": "deputy",
    "issue_decision": "chair",
    "post": "reviewer",
    "end_rotation": "reviewer",
    "revoke": "deputy",
}

COMMENT_REQUIRED = ["withdraw", "return_for_revision", "reject", "cancel_vote", "revoke"]


def prepared(w, name):
    """A proposal in the source state of `name`, with the preconditions met."""
    source, _, _, _, days = TRANSITIONS[name]
    proposal = new_proposal(w, effective_date=TODAY + dt.timedelta(days=days))
    proposal = advance(w, proposal, source)
    if name == "endorse":
        opine(proposal, w.reviewer)
    if name == "close_vote":
        cast_all(w, proposal, ["approve"] * 8)
    return proposal


def run(name, proposal, user, data):
    return services.proposal_transition(
        name=name, proposal_id=proposal.pk, actor=Actor.for_user(user), **data
    )


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_each_transition_moves_the_state_and_records_who_did_it(world, name):
    source, target, who, data, _ = TRANSITIONS[name]
    proposal = prepared(world, name)
    events_before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    result = run(name, proposal, getattr(world, who), data)

    assert result.state == target
    assert RotationProposal.objects.get(pk=proposal.pk).state == target
    [event] = AuditEvent.objects.filter(proposal_id=proposal.pk, action=name, id__gt=events_before)
    assert (event.from_state, event.to_state) == (source, target)
    assert event.actor == getattr(world, who)
    assert event.comment == data.get("comment", "")
    assert audit_verify().ok


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_each_transition_is_refused_from_a_wrong_state(world, name):
    source, _, who, data, days = TRANSITIONS[name]
    proposal = new_proposal(world, effective_date=TODAY + dt.timedelta(days=days))
    if name in ("submit", "withdraw"):
        proposal = advance(world, proposal, S.IN_REVIEW)
        if name == "withdraw":
            proposal = advance(world, proposal, S.ENDORSED)
    state_before = proposal.state
    assert state_before not in (source,)
    events_before = AuditEvent.objects.count()

    with pytest.raises(WrongState) as caught:
        run(name, proposal, getattr(world, who), data)

    assert caught.value.status == 409
    assert "không thể" in caught.value.text()
    assert RotationProposal.objects.get(pk=proposal.pk).state == state_before
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_each_transition_is_refused_to_a_user_without_the_role(world, name):
    _, _, _, data, _ = TRANSITIONS[name]
    proposal = prepared(world, name)

    with pytest.raises(NotAllowed) as caught:
        run(name, proposal, getattr(world, WRONG_ROLE[name]), data)

    assert caught.value.status == 403
    assert caught.value.message  # says why
    assert RotationProposal.objects.get(pk=proposal.pk).state == TRANSITIONS[name][0]


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_a_user_who_cannot_see_the_proposal_gets_not_found(world, name):
    _, _, _, data, _ = TRANSITIONS[name]
    proposal = prepared(world, name)

    with pytest.raises(NotFound):
        run(name, proposal, world.outsider, data)
    with pytest.raises(NotFound):
        run(name, RotationProposal(pk=10**9), getattr(world, TRANSITIONS[name][2]), data)


@pytest.mark.parametrize("name", COMMENT_REQUIRED)
def test_a_comment_is_required_for(world, name):
    _, _, who, data, _ = TRANSITIONS[name]
    proposal = prepared(world, name)
    events_before = AuditEvent.objects.count()

    with pytest.raises(Invalid) as caught:
        run(name, proposal, getattr(world, who), {**data, "comment": "   "})

    assert caught.value.code == "comment_required"
    assert RotationProposal.objects.get(pk=proposal.pk).state == TRANSITIONS[name][0]
    assert AuditEvent.objects.count() == events_before


def test_every_state_of_the_spec_is_reachable(world):
    reached = {target for _, target, _, _, _ in TRANSITIONS.values()} | {S.DRAFT}
    assert reached == set(S.values)


def test_withdraw_is_possible_from_draft_submitted_in_review_and_returned(world):
    for state in (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.RETURNED):
        proposal = new_proposal(world)
        if state == S.RETURNED:
            proposal = advance(world, proposal, S.IN_REVIEW)
            act("return_for_revision", proposal, world.reviewer, comment="Bổ sung.")
        else:
            proposal = advance(world, proposal, state)
        act("withdraw", proposal, world.proposer, comment="Rút.")
        assert RotationProposal.objects.get(pk=proposal.pk).state == S.WITHDRAWN


def test_a_returned_proposal_can_be_resubmitted(world, proposal):
    advance(world, proposal, S.IN_REVIEW)
    act("return_for_revision", proposal, world.reviewer, comment="Bổ sung hồ sơ.")
    act("submit", proposal, world.proposer)
    assert RotationProposal.objects.get(pk=proposal.pk).state == S.SUBMITTED


def test_return_and_reject_are_possible_straight_from_submitted(world):
    first = advance(world, new_proposal(world), S.SUBMITTED)
    act("return_for_revision", first, world.reviewer, comment="Thiếu hồ sơ.")
    act("withdraw", first, world.proposer, comment="Rút.")
    second = advance(world, new_proposal(world), S.SUBMITTED)
    act("reject", second, world.board_head, comment="Không phù hợp.")
    assert RotationProposal.objects.get(pk=second.pk).state == S.REJECTED


def test_start_review_makes_the_board_member_the_reviewer(world, proposal):
    advance(world, proposal, S.SUBMITTED)
    act("start_review", proposal, world.reviewer_b)
    assert RotationProposal.objects.get(pk=proposal.pk).reviewer == world.reviewer_b


def test_the_standing_deputy_may_open_the_vote(world, proposal):
    advance(world, proposal, S.ENDORSED)
    act("open_vote", proposal, world.deputy)
    assert RotationProposal.objects.get(pk=proposal.pk).state == S.VOTING


def test_close_vote_rejects_when_approvals_fall_short(world, proposal):
    advance(world, proposal, S.VOTING)
    cast_all(world, proposal, ["approve"] * 5 + ["disapprove"] * 3)
    act("close_vote", proposal, world.chair)
    assert RotationProposal.objects.get(pk=proposal.pk).state == S.REJECTED


def test_post_is_refused_before_the_effective_date(world, proposal):
    advance(world, proposal, S.ISSUED)
    with pytest.raises(WrongState) as caught:
        act("post", proposal, world.clerk)
    assert caught.value.code == "before_effective_date"
    assert "Chưa đến ngày hiệu lực" in caught.value.text()


def test_the_system_may_post_on_the_effective_date(world):
    proposal = advance(world, new_proposal(world, effective_date=TODAY), S.ISSUED)
    services.proposal_transition("post", proposal_id=proposal.pk, actor=Actor.system())
    proposal = RotationProposal.objects.get(pk=proposal.pk)
    assert proposal.state == S.IN_EFFECT
    assert proposal.posted_at is not None
    event = proposal.events.order_by("-id").first()
    assert event.actor is None and event.data["system"] is True


def test_revoke_is_refused_on_or_after_the_effective_date(world):
    proposal = advance(world, new_proposal(world, effective_date=TODAY), S.ISSUED)
    with pytest.raises(WrongState) as caught:
        act("revoke", proposal, world.chair, comment="Hủy.")
    assert caught.value.code == "after_effective_date"


def test_end_rotation_needs_an_outcome(world):
    proposal = advance(world, new_proposal(world, effective_date=TODAY), S.IN_EFFECT)
    with pytest.raises(Invalid) as caught:
        act("end_rotation", proposal, world.board_head, outcome="")
    assert caught.value.code == "outcome_required"
    act("end_rotation", proposal, world.board_head, outcome="reassigned")
    assert RotationProposal.objects.get(pk=proposal.pk).outcome == "reassigned"


def test_a_transfer_has_no_rotation_to_end(world):
    proposal = new_proposal(world, kind="transfer", duration_months=None, effective_date=TODAY)
    proposal = advance(world, proposal, S.IN_EFFECT)
    with pytest.raises(WrongState) as caught:
        act("end_rotation", proposal, world.board_head, outcome="kept")
    assert caught.value.code == "not_applicable"


def test_issue_decision_numbers_the_decision_and_signs_for_the_chair(world, proposal):
    proposal = advance(world, proposal, S.ISSUED)
    decision = proposal.decision
    assert decision.number == 1
    assert decision.signer == world.chair
    assert decision.signer_role == "chair"
    event = proposal.events.get(action="issue_decision")
    assert event.data["number"] == decision.number_label


def test_issue_decision_may_name_the_deputy_as_signer_but_not_a_plain_member(world):
    first = advance(world, new_proposal(world), S.APPROVED)
    with pytest.raises(Invalid) as caught:
        act("issue_decision", first, world.clerk, signer=world.board_head)
    assert caught.value.code == "invalid_signer"
    assert RotationProposal.objects.get(pk=first.pk).state == S.APPROVED
    act("issue_decision", first, world.clerk, signer=world.deputy)
    decision = RotationProposal.objects.get(pk=first.pk).decision
    assert (decision.signer, decision.signer_role) == (world.deputy, "deputy")


def test_unknown_transition_names_are_invalid(world, proposal):
    with pytest.raises(Invalid) as caught:
        run("approve", proposal, world.proposer, {})
    assert caught.value.code == "unknown_transition"


# --- Separation of duties -------------------------------------------------------------------


def test_nobody_acts_on_a_proposal_about_themselves(world):
    # Bình is the official behind the reviewer_b login.
    proposal = advance(world, new_proposal(world, official=world.binh), S.SUBMITTED)
    with pytest.raises(NotAllowed) as caught:
        act("start_review", proposal, world.reviewer_b)
    assert caught.value.code == "own_proposal"


def test_nobody_proposes_their_own_move(world):
    ProposerScope.objects.create(
        committee=world.committee, user=world.reviewer_b, unit=world.district, start=SINCE
    )
    with pytest.raises(NotAllowed) as caught:
        new_proposal(world, official=world.binh, author=world.reviewer_b)
    assert caught.value.code == "own_proposal"


@pytest.fixture
def authored_by_reviewer(world):
    ProposerScope.objects.create(
        committee=world.committee, user=world.reviewer, unit=world.district, start=SINCE
    )
    return new_proposal(world, author=world.reviewer)


def test_the_author_cannot_start_the_review_of_their_own_proposal(world, authored_by_reviewer):
    proposal = authored_by_reviewer
    act("submit", proposal, world.reviewer)
    with pytest.raises(NotAllowed) as caught:
        act("start_review", proposal, world.reviewer)
    assert caught.value.code == "author_conflict"


def test_the_author_cannot_give_an_opinion_on_their_own_proposal(world, authored_by_reviewer):
    proposal = authored_by_reviewer
    act("submit", proposal, world.reviewer)
    act("start_review", proposal, world.reviewer_b)
    with pytest.raises(NotAllowed) as caught:
        opine(proposal, world.reviewer, "endorse", "Tốt.")
    assert caught.value.code == "author_conflict"


def test_the_board_head_cannot_endorse_or_vote_on_their_own_proposal(world):
    ProposerScope.objects.create(
        committee=world.committee, user=world.board_head, unit=world.district, start=SINCE
    )
    proposal = new_proposal(world, author=world.board_head)
    act("submit", proposal, world.board_head)
    act("start_review", proposal, world.reviewer)
    opine(proposal, world.reviewer)
    with pytest.raises(NotAllowed) as caught:
        act("endorse", proposal, world.board_head)
    assert caught.value.code == "author_conflict"


def test_the_subject_cannot_withdraw_or_edit_a_proposal_about_them(world, proposal):
    with pytest.raises(NotAllowed):
        act("withdraw", proposal, world.subject_user, comment="Không.")
    with pytest.raises(NotAllowed):
        services.proposal_update(
            proposal_id=proposal.pk, actor=Actor.for_user(world.subject_user), rationale="Khác."
        )


def test_a_former_committee_member_holds_no_role(world, proposal):
    advance(world, proposal, S.ENDORSED)
    with pytest.raises(NotFound):
        # Not a member today, so not even able to see it.
        act("open_vote", proposal, world.former)


def test_a_superuser_sees_every_proposal_but_holds_no_workflow_role(world, proposal):
    with pytest.raises(NotAllowed):
        act("submit", proposal, world.admin)


def test_each_transition_is_declared_once_and_the_state_machine_reads_it():
    from django.utils import translation

    from workflow.transitions import TRANSITIONS

    fsm = {}
    state_field = RotationProposal._meta.get_field("state")
    for t in state_field.get_all_transitions(RotationProposal):
        fsm.setdefault(t.name, set()).add(t.source)
    assert set(fsm) == {t.name for t in TRANSITIONS}
    with translation.override("vi"):
        for t in TRANSITIONS:
            assert fsm[t.name] == set(t.sources), t.name
            assert set(t.target) <= set(S.values), t.name
            for label in (t.label, t.button, t.help, t.done, t.history):
                assert str(label).strip(), t.name
    assert {t.name for t in TRANSITIONS if t.comment_required} == set(COMMENT_REQUIRED)

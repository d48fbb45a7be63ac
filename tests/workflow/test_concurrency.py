"""Real concurrency on PostgreSQL: threads, each with its own connection, act at the same moment.
Exactly one wins; the others get a clear 409 (or 400 for a duplicate proposal); never a 500,
never two transitions, and the audit chain stays whole."""

import pytest

from audit.models import AuditEvent
from audit.services import audit_verify
from personnel.roles import Actor
from tests.helpers import client_for
from tests.helpers import outcomes_at_once as at_once
from tests.world import S, act, advance, eligible_voters, new_proposal, opine
from tests.world import build_workflow_world as build_world
from workflow import services
from workflow.models import Ballot, BallotReceipt, RotationProposal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

N = 20


@pytest.fixture
def world():
    return build_world()


def test_twenty_identical_submits_make_one_transition(world):
    proposal = new_proposal(world)

    results = at_once(
        N,
        lambda i: act("submit", proposal, world.proposer).state,
    )

    assert results.count(("ok", S.SUBMITTED)) == 1
    assert results.count((409, "wrong_state")) == N - 1
    assert RotationProposal.objects.get(pk=proposal.pk).state == S.SUBMITTED
    assert AuditEvent.objects.filter(proposal_id=proposal.pk, action="submit").count() == 1
    assert audit_verify().ok


def test_twenty_identical_api_transitions_answer_one_200_and_409s(world):
    proposal = advance(world, new_proposal(world), S.SUBMITTED)

    def call(i):
        response = client_for(world.reviewer).post(
            f"/api/v1/proposals/{proposal.pk}/transitions/start_review/"
        )
        return response.status_code, response.json().get("code")

    results = [outcome for _, outcome in at_once(N, call)]

    assert sum(status == 200 for status, _ in results) == 1
    assert results.count((409, "wrong_state")) == N - 1
    assert AuditEvent.objects.filter(proposal_id=proposal.pk, action="start_review").count() == 1


def test_different_transitions_at_once_let_exactly_one_through(world):
    proposal = advance(world, new_proposal(world), S.IN_REVIEW)
    opine(proposal, world.reviewer)
    actions = [
        lambda: act("endorse", proposal, world.board_head),
        lambda: act("reject", proposal, world.board_head, comment="Không."),
        lambda: act("return_for_revision", proposal, world.reviewer, comment="Bổ sung."),
    ] * 7
    # (No withdraw in the mix: withdrawing a returned proposal is a legal second step.)

    results = at_once(len(actions), lambda i: actions[i]().state)

    winners = [r for r in results if r[0] == "ok"]
    assert len(winners) == 1
    assert all(r[0] == 409 for r in results if r[0] != "ok"), results
    final = RotationProposal.objects.get(pk=proposal.pk).state
    assert winners[0][1] == final
    transitions = AuditEvent.objects.filter(
        proposal_id=proposal.pk, action__in=("endorse", "reject", "return_for_revision")
    )
    assert transitions.count() == 1
    assert audit_verify().ok


def test_twenty_ballots_at_once_by_one_member_make_one_ballot(world):
    proposal = advance(world, new_proposal(world), S.VOTING)
    voter = eligible_voters(proposal)[0]

    results = at_once(
        N,
        lambda i: services.ballot_cast(
            proposal_id=proposal.pk, actor=Actor.for_user(voter), choice="approve"
        ),
    )

    assert results.count(("ok", None)) == 1
    assert results.count((409, "already_voted")) == N - 1
    assert BallotReceipt.objects.filter(user=voter).count() == 1
    assert Ballot.objects.count() == 1
    assert AuditEvent.objects.filter(action="ballot_receipt").count() == 1


def test_every_member_voting_at_once_is_counted_once_each(world):
    proposal = advance(world, new_proposal(world), S.VOTING)
    voters = eligible_voters(proposal)

    results = at_once(
        len(voters),
        lambda i: services.ballot_cast(
            proposal_id=proposal.pk, actor=Actor.for_user(voters[i]), choice="approve"
        ),
    )

    assert results == [("ok", None)] * len(voters)
    assert (BallotReceipt.objects.count(), Ballot.objects.count()) == (len(voters), len(voters))
    assert audit_verify().ok


def test_twenty_drafts_for_one_official_at_once_make_one_proposal(world):
    results = at_once(N, lambda i: new_proposal(world).pk)

    assert sum(r[0] == "ok" for r in results) == 1
    assert results.count((400, "single_open_proposal")) == N - 1
    assert RotationProposal.objects.filter(official=world.an).count() == 1
    assert audit_verify().ok

"""The secret ballot: quorum and majority at the edges, ties, frozen voters, and secrecy."""

import base64
import datetime as dt
import re
import struct

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from personnel.models import CommitteeMember
from personnel.roles import Actor
from tests.helpers import SINCE, TODAY
from tests.world import S, advance, cast_all, eligible_voters
from workflow import ballots, selectors, services
from workflow.errors import Conflict, Invalid, NotAllowed
from workflow.models import Ballot, BallotReceipt, RotationProposal, VoteRound

pytestmark = pytest.mark.django_db


def close(w, proposal, **kwargs):
    return services.proposal_transition(
        "close_vote", proposal_id=proposal.pk, actor=Actor.for_user(w.chair), **kwargs
    )


def state_of(proposal):
    return RotationProposal.objects.get(pk=proposal.pk).state


@pytest.fixture
def voting(world, proposal):
    return advance(world, proposal, S.VOTING)


@pytest.fixture
def voting_of_ten(world, proposal):
    # One plain member left yesterday: ten incumbent members when the vote opens.
    CommitteeMember.objects.filter(user__username="uy.vien.07").update(
        end=TODAY - dt.timedelta(days=1)
    )
    return advance(world, proposal, S.VOTING)


# --- Arithmetic -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("incumbent", "needed"), [(11, 8), (10, 7), (9, 6), (3, 2), (1, 1), (0, 0)]
)
def test_quorum_is_two_thirds_rounded_up(incumbent, needed):
    assert ballots.quorum_needed(incumbent, 2, 3) == needed


@pytest.mark.parametrize(("incumbent", "needed"), [(11, 6), (10, 6), (9, 5), (2, 2), (1, 1)])
def test_a_majority_is_more_than_half_of_all_incumbent_members(incumbent, needed):
    assert ballots.majority_needed(incumbent) == needed


def test_open_vote_freezes_incumbent_count_quorum_and_voters(world, voting):
    vote_round = voting.vote_rounds.get()
    assert (vote_round.incumbent_count, vote_round.quorum) == (11, 8)
    assert {u.username for u in eligible_voters(voting)} == {u.username for u in world.members}
    assert world.former not in eligible_voters(voting)


def test_seven_ballots_of_eleven_do_not_make_a_quorum(world, voting):
    cast_all(world, voting, ["approve"] * 7)
    with pytest.raises(Conflict) as caught:
        close(world, voting)
    assert caught.value.code == "quorum_not_met"
    assert state_of(voting) == S.VOTING
    assert voting.vote_rounds.get().status == VoteRound.Status.OPEN


def test_eight_ballots_of_eleven_make_a_quorum(world, voting):
    cast_all(world, voting, ["approve"] * 7 + ["abstain"])
    close(world, voting)
    assert state_of(voting) == S.APPROVED


def test_five_approvals_of_eleven_do_not_pass(world, voting):
    cast_all(world, voting, ["approve"] * 5 + ["abstain"] * 5)
    close(world, voting)
    assert state_of(voting) == S.REJECTED
    vote_round = voting.vote_rounds.get()
    assert (vote_round.approve_count, vote_round.abstain_count, vote_round.passed) == (5, 5, False)


def test_six_approvals_of_eleven_pass_even_with_fewer_than_half_present_approving(world, voting):
    cast_all(world, voting, ["approve"] * 6 + ["disapprove"] * 5)
    close(world, voting)
    assert state_of(voting) == S.APPROVED
    assert voting.vote_rounds.get().passed is True


def test_a_majority_of_ballots_cast_is_not_a_majority_of_members(world, voting):
    # 8 ballots make the quorum; 5 of them approve: a majority of those cast (5 > 4), not of the
    # 11 incumbent members (5 < 6). SPEC §4: the base is all incumbent members.
    cast_all(world, voting, ["approve"] * 5 + ["disapprove"] * 3)
    close(world, voting)
    assert state_of(voting) == S.REJECTED
    vote_round = voting.vote_rounds.get()
    assert (vote_round.approve_count, vote_round.disapprove_count) == (5, 3)
    assert (vote_round.incumbent_count, vote_round.passed) == (11, False)


def test_half_of_the_members_is_a_tie_however_few_disapprove(world, voting_of_ten):
    # 5 approve, 2 disapprove of 10 members: most of those cast, exactly half of the members.
    cast_all(world, voting_of_ten, ["approve"] * 5 + ["disapprove"] * 2)
    with pytest.raises(Invalid) as caught:
        close(world, voting_of_ten)
    assert caught.value.code == "casting_required"
    assert state_of(voting_of_ten) == S.VOTING


def test_abstentions_count_for_the_quorum_but_not_for_approval(world, voting):
    cast_all(world, voting, ["approve"] * 3 + ["abstain"] * 5)
    close(world, voting)
    assert state_of(voting) == S.REJECTED


def test_a_tie_in_a_committee_of_ten_needs_the_chairs_casting_decision(world, voting_of_ten):
    proposal = voting_of_ten
    assert proposal.vote_rounds.get().incumbent_count == 10
    cast_all(world, proposal, ["approve"] * 5 + ["disapprove"] * 3)

    with pytest.raises(Invalid) as caught:
        close(world, proposal)
    assert caught.value.code == "casting_required"
    assert state_of(proposal) == S.VOTING
    # Nothing half-written: the ballots are still sealed and unchanged.
    assert all(b.sealed and not b.choice for b in Ballot.objects.all())

    close(world, proposal, casting="approve")
    assert state_of(proposal) == S.APPROVED
    vote_round = proposal.vote_rounds.get()
    assert (vote_round.casting_choice, vote_round.passed) == ("approve", True)
    event = proposal.events.get(action="close_vote")
    assert event.data["casting"] == "approve"
    assert (event.data["approve"], event.data["disapprove"]) == (5, 3)


def test_the_chair_may_settle_a_tie_against(world, voting_of_ten):
    cast_all(world, voting_of_ten, ["approve"] * 5 + ["abstain"] * 2)
    close(world, voting_of_ten, casting="disapprove")
    assert state_of(voting_of_ten) == S.REJECTED
    assert voting_of_ten.vote_rounds.get().casting_choice == "disapprove"


def test_six_approvals_of_ten_pass_without_a_casting_decision(world, voting_of_ten):
    cast_all(world, voting_of_ten, ["approve"] * 6 + ["disapprove"] * 1)
    close(world, voting_of_ten, casting="disapprove")  # ignored: not a tie
    assert state_of(voting_of_ten) == S.APPROVED
    assert voting_of_ten.vote_rounds.get().casting_choice == ""


# --- Who votes ------------------------------------------------------------------------------


def test_a_second_ballot_by_the_same_member_is_refused(world, voting):
    voter = world.members[3]
    services.ballot_cast(proposal_id=voting.pk, actor=Actor.for_user(voter), choice="approve")
    with pytest.raises(Conflict) as caught:
        services.ballot_cast(
            proposal_id=voting.pk, actor=Actor.for_user(voter), choice="disapprove"
        )
    assert caught.value.code == "already_voted"
    assert (BallotReceipt.objects.count(), Ballot.objects.count()) == (1, 1)


def test_the_subject_and_the_author_are_not_voters(world):
    from personnel.models import ProposerScope
    from tests.world import new_proposal

    author = get_user_model().objects.get(username="uy.vien.01")  # a plain committee member
    ProposerScope.objects.create(
        committee=world.committee, user=author, unit=world.district, start=SINCE
    )
    # Cường, a committee member, is the subject.
    proposal = new_proposal(
        world, official=world.cuong, author=author, kind="transfer", duration_months=None
    )
    proposal = advance(world, proposal, S.VOTING)

    voters = eligible_voters(proposal)
    assert world.member_cuong not in voters and author not in voters
    assert len(voters) == 9
    assert proposal.vote_rounds.get().incumbent_count == 11
    with pytest.raises(NotAllowed) as caught:
        services.ballot_cast(
            proposal_id=proposal.pk, actor=Actor.for_user(world.member_cuong), choice="approve"
        )
    assert caught.value.code == "own_proposal"
    with pytest.raises(NotAllowed) as caught:
        services.ballot_cast(
            proposal_id=proposal.pk, actor=Actor.for_user(author), choice="approve"
        )
    assert caught.value.code == "author_conflict"


def test_voters_are_frozen_when_the_vote_opens(world, voting):
    newcomer = get_user_model().objects.create_user("uy.vien.moi")
    CommitteeMember.objects.create(committee=world.committee, user=newcomer, start=TODAY)
    with pytest.raises(NotAllowed):
        services.ballot_cast(
            proposal_id=voting.pk, actor=Actor.for_user(newcomer), choice="approve"
        )
    # A member who leaves after the opening keeps the vote they were given.
    leaver = world.members[5]
    CommitteeMember.objects.filter(user=leaver).update(end=TODAY)
    services.ballot_cast(proposal_id=voting.pk, actor=Actor.for_user(leaver), choice="approve")
    assert BallotReceipt.objects.filter(user=leaver).exists()


def test_a_choice_outside_the_three_is_invalid(world, voting):
    with pytest.raises(Invalid):
        services.ballot_cast(
            proposal_id=voting.pk, actor=Actor.for_user(world.members[4]), choice="yes"
        )


def test_ballots_are_refused_outside_voting(world, proposal):
    advance(world, proposal, S.ENDORSED)
    with pytest.raises(Conflict):
        services.ballot_cast(
            proposal_id=proposal.pk, actor=Actor.for_user(world.members[4]), choice="approve"
        )


def test_cancel_vote_discards_receipts_and_ballots_and_a_new_round_starts_clean(world, voting):
    cast_all(world, voting, ["approve"] * 4)
    services.proposal_transition(
        "cancel_vote",
        proposal_id=voting.pk,
        actor=Actor.for_user(world.chair),
        comment="Thiếu hồ sơ.",
    )
    assert state_of(voting) == S.ENDORSED
    assert (BallotReceipt.objects.count(), Ballot.objects.count()) == (0, 0)
    assert voting.vote_rounds.get().status == VoteRound.Status.CANCELLED

    services.proposal_transition(
        "open_vote", proposal_id=voting.pk, actor=Actor.for_user(world.chair)
    )
    cast_all(world, voting, ["approve"] * 8)
    close(world, voting)
    assert state_of(voting) == S.APPROVED
    assert voting.vote_rounds.count() == 2


def test_the_tally_is_hidden_until_the_vote_closes(world, voting):
    cast_all(world, voting, ["approve"] * 8)
    status = selectors.vote_status(proposal=voting, actor=Actor.for_user(world.chair))
    assert (status.eligible, status.cast, status.quorum, status.quorum_met) == (11, 8, 8, True)
    assert status.tally is None
    close(world, voting)
    status = selectors.vote_status(proposal=voting, actor=Actor.for_user(world.chair))
    assert status.tally == {
        "approve": 8,
        "disapprove": 0,
        "abstain": 0,
        "casting": None,
        "passed": True,
    }


# --- Secrecy --------------------------------------------------------------------------------


def _fields(model):
    return {f.name: f for f in model._meta.concrete_fields}


def test_receipts_and_ballots_share_nothing_but_the_round():
    receipt, ballot = _fields(BallotReceipt), _fields(Ballot)
    shared = (set(receipt) & set(ballot)) - {"id"}
    assert shared == {"round"}
    assert isinstance(ballot["id"], models.UUIDField) and isinstance(
        receipt["id"], models.UUIDField
    )
    # No time, date or sequence on a ballot, and no key to anything but the round.
    for f in ballot.values():
        assert not isinstance(f, models.DateField | models.DateTimeField | models.AutoField)
    assert [f.name for f in ballot.values() if f.is_relation] == ["round"]
    assert [f.name for f in receipt.values() if f.is_relation] == ["round", "user"]


def test_while_open_the_database_holds_no_readable_choice(world, voting):
    cast_all(world, voting, ["approve", "disapprove", "abstain"])
    with connection.cursor() as cursor:
        cursor.execute('SELECT "sealed", "choice" FROM "workflow_ballot"')
        rows = cursor.fetchall()
    assert len(rows) == 3
    for sealed, choice in rows:
        assert choice == ""
        assert not re.search("approve|abstain", sealed, re.IGNORECASE)
    # The sealed tokens have one length and carry no casting time (Fernet timestamp 0).
    assert len({len(sealed) for sealed, _ in rows}) == 1
    for sealed, _ in rows:
        raw = base64.urlsafe_b64decode(sealed)
        assert struct.unpack(">Q", raw[1:9])[0] == 0
    # With the application's key they open; with any other key they do not.
    assert sorted(ballots.unseal(s) for s, _ in rows) == ["abstain", "approve", "disapprove"]


def test_without_the_key_a_sealed_ballot_cannot_be_read(world, voting, settings):
    cast_all(world, voting, ["approve"])
    sealed = Ballot.objects.get().sealed
    settings.BALLOT_KEY = Fernet.generate_key().decode()
    with pytest.raises(ValueError):
        ballots.unseal(sealed)


def test_closing_rewrites_the_ballots_with_new_keys_in_one_go(world, voting):
    cast_order = ["approve"] * 4 + ["disapprove"] * 3 + ["abstain"]
    cast_all(world, voting, cast_order)
    cast_ids = set(Ballot.objects.values_list("id", flat=True))

    close(world, voting)

    after = list(Ballot.objects.values_list("id", "choice", "sealed"))
    assert len(after) == len(cast_order)
    assert not cast_ids & {row[0] for row in after}
    assert sorted(c for _, c, _ in after) == sorted(cast_order)
    assert all(sealed == "" for _, _, sealed in after)


def test_the_shuffle_at_close_does_not_keep_the_casting_order():
    # The rewrite order comes from a CSPRNG shuffle: over many closes of the same sequence, the
    # stored order differs from the cast order almost always (P(same) = 1/8! per close).
    sequence = ["approve", "disapprove", "abstain", "approve", "approve", "disapprove", "x", "y"]
    same = 0
    for _ in range(50):
        shuffled = list(sequence)
        ballots._rng.shuffle(shuffled)
        same += shuffled == sequence
    assert same < 3


def test_no_query_ever_joins_receipts_to_ballots(world, voting):
    ballot_table = re.compile(r'"workflow_ballot"')
    receipt_table = re.compile(r'"workflow_ballotreceipt"')
    with CaptureQueriesContext(connection) as ctx:
        cast_all(world, voting, ["approve"] * 6 + ["disapprove"] * 2)
        selectors.vote_status(proposal=voting, actor=Actor.for_user(world.chair))
        close(world, voting)
        selectors.vote_status(proposal=voting, actor=Actor.for_user(world.chair))
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert any(ballot_table.search(s) for s in sqls)
    assert any(receipt_table.search(s) for s in sqls)
    both = [s for s in sqls if ballot_table.search(s) and receipt_table.search(s)]
    assert both == []


def test_the_audit_log_records_that_a_member_voted_never_the_choice(world, voting):
    cast_all(world, voting, ["approve", "disapprove", "abstain"])
    events = AuditEvent.objects.filter(action="ballot_receipt")
    assert events.count() == 3
    for event in events:
        assert event.actor is not None
        assert event.comment == ""
        assert set(event.data) == {"round"}

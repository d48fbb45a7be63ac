"""The end of a term (SPEC §6) and a revoked decision: the outcome is recorded and nothing moves
by itself; a cadre kept at the destination stops counting as rotated."""

import datetime as dt

import pytest

from audit.models import AuditEvent
from personnel.models import Assignment
from personnel.roles import Actor
from tests.helpers import TODAY
from tests.world import S, act, advance, new_proposal, new_transfer
from workflow import postings, services
from workflow.errors import NotAllowed, WrongState
from workflow.models import RotationProposal
from workflow.selectors import rotated_officials

pytestmark = pytest.mark.django_db


def posted(world, proposal=None, **fields):
    """`proposal` (or a new one with `fields`) issued and posted."""
    proposal = advance(world, proposal or new_proposal(world, **fields), S.ISSUED)
    return act("post", proposal, world.clerk)


def rotated(world, day):
    return [row.official.full_name for row in rotated_officials(committee=world.committee, on=day)]


@pytest.fixture
def rotation(world):
    """An, rotated since 40 days ago."""
    return posted(world, effective_date=TODAY - dt.timedelta(days=40), duration_months=36)


def test_a_rotated_cadre_counts_from_the_effective_date(world, rotation):
    assert rotated(world, TODAY - dt.timedelta(days=41)) == []
    assert rotated(world, TODAY - dt.timedelta(days=40)) == ["Nguyễn Văn An"]
    (row,) = rotated_officials(committee=world.committee, on=TODAY)
    assert row.proposal.pk == rotation.pk
    assert row.position == world.target
    assert (row.since, row.planned_end) == (rotation.effective_date, rotation.planned_end)


def test_a_cadre_kept_at_the_destination_stops_counting_as_rotated(world, rotation):
    act("end_rotation", rotation, world.board_head, outcome="kept", comment="Ở lại ổn định.")

    proposal = RotationProposal.objects.get(pk=rotation.pk)
    assert (proposal.state, proposal.outcome) == (S.COMPLETED, "kept")
    assert rotated(world, TODAY) == []
    # As of an earlier day the record still shows the rotation then in progress.
    assert rotated(world, TODAY - dt.timedelta(days=1)) == ["Nguyễn Văn An"]
    # Kept: the post at the destination simply goes on.
    assert Assignment.objects.get(official=world.an, position=world.target).end is None


@pytest.mark.parametrize("outcome", ["returned", "reassigned", "kept"])
def test_the_outcome_is_recorded_and_no_assignment_moves_by_itself(world, rotation, outcome):
    before = list(
        Assignment.objects.order_by("id").values_list("id", "position_id", "start", "end")
    )

    act("end_rotation", rotation, world.board_head, outcome=outcome)

    # Return is not automatic (QĐ 65 Art. 10): a return or a new post needs its own decision.
    assert (
        list(Assignment.objects.order_by("id").values_list("id", "position_id", "start", "end"))
        == before
    )
    event = AuditEvent.objects.get(proposal_id=rotation.pk, action="end_rotation")
    assert event.data == {"outcome": outcome}
    assert (event.from_state, event.to_state, event.actor) == (
        S.IN_EFFECT,
        S.COMPLETED,
        world.board_head,
    )


def test_only_the_board_head_ends_a_term_and_a_transfer_has_none_to_end(world, rotation):
    with pytest.raises(NotAllowed):
        act("end_rotation", rotation, world.reviewer, outcome="kept")
    transfer = posted(
        world, new_transfer(world, world.cuong, world.pos["HB-DB-TT", "BT"], effective_date=TODAY)
    )
    with pytest.raises(WrongState) as refused:
        act("end_rotation", transfer, world.board_head, outcome="kept")
    assert "Điều động không có thời hạn luân chuyển" in refused.value.text()


def test_a_secondment_counts_as_rotated_and_a_transfer_does_not(world):
    posted(world, kind="secondment", duration_months=12, effective_date=TODAY)
    posted(
        world, new_transfer(world, world.cuong, world.pos["HB-DB-TT", "BT"], effective_date=TODAY)
    )

    assert rotated(world, TODAY) == ["Nguyễn Văn An"]


# --- Revoking before the effective date -----------------------------------------------------------


def test_the_chair_revokes_an_issued_decision_before_its_effective_date(world):
    effective = TODAY + dt.timedelta(days=20)
    proposal = advance(world, new_proposal(world, effective_date=effective), S.ISSUED)

    act("revoke", proposal, world.chair, comment="Thay đổi nhân sự.")

    proposal = RotationProposal.objects.get(pk=proposal.pk)
    assert proposal.state == S.REVOKED
    event = AuditEvent.objects.get(proposal_id=proposal.pk, action="revoke")
    assert (event.actor, event.comment) == (world.chair, "Thay đổi nhân sự.")
    # The decision keeps its number in the register; nothing is posted on the day.
    assert proposal.decision.number == 1
    assert postings.postings_apply_due(today=effective).posted == []
    with pytest.raises(WrongState):
        services.proposal_transition(
            "post", proposal_id=proposal.pk, actor=Actor.system(day=effective)
        )
    assert Assignment.objects.get(pk=world.an_post.pk).end is None
    assert not Assignment.objects.filter(position=world.target).exists()
    # The official is free for another proposal.
    assert new_proposal(world, effective_date=effective).state == S.DRAFT


def test_a_decision_cannot_be_revoked_once_in_effect(world, rotation):
    with pytest.raises(WrongState):
        act("revoke", rotation, world.chair, comment="Muộn.")

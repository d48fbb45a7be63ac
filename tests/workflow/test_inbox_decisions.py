"""The inbox section "decisions sent to me": the official concerned until they acknowledge
receipt, the users of the sending and receiving units until the decision takes effect."""

import pytest

from documents.models import Decision, Delivery
from documents.services import decision_acknowledge
from personnel.roles import Actor
from tests.helpers import TODAY
from tests.world import S, act, advance, new_proposal
from workflow.selectors import inbox_for_user

pytestmark = pytest.mark.django_db


def received(user):
    return [p.pk for p in inbox_for_user(actor=Actor.for_user(user))["decisions_received"]]


@pytest.fixture
def delivered(world):
    """An's decision, issued and delivered to An and to Bình (a colleague in Tú Lý)."""
    proposal = advance(world, new_proposal(world, effective_date=TODAY), S.ISSUED)
    Decision.objects.filter(proposal=proposal).update(status=Decision.Status.READY)
    for user, reason in (
        (world.subject_user, Delivery.Reason.SUBJECT),
        (world.reviewer_b, Delivery.Reason.UNIT),
    ):
        Delivery.objects.create(
            decision=proposal.decision, recipient=user, unit=world.tuly, reason=reason
        )
    return proposal


def test_the_official_concerned_sees_the_decision_until_acknowledging_it(world, delivered):
    assert received(world.subject_user) == [delivered.pk]

    act("post", delivered, world.clerk)
    assert received(world.subject_user) == [delivered.pk]  # in effect, still unacknowledged

    decision_acknowledge(decision=Decision.objects.get(proposal=delivered), user=world.subject_user)
    assert received(world.subject_user) == []


def test_a_user_of_the_unit_sees_the_decision_until_it_takes_effect(world, delivered):
    assert received(world.reviewer_b) == [delivered.pk]

    act("post", delivered, world.clerk)

    assert received(world.reviewer_b) == []


def test_no_one_else_sees_it(world, delivered):
    for user in (world.reviewer, world.chair, world.clerk, world.outsider, world.proposer):
        assert received(user) == []

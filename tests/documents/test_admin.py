"""The admin pages for decisions and the catalogues open, and a failed decision can be queued
again from the list."""

import pytest
from django.test import Client

from documents.models import Decision
from tests.world import issue, make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_for(world):
    client = Client()
    client.force_login(world.admin)
    return client


@pytest.mark.parametrize(
    "model", ["decision", "legalbasis", "documentprofile", "numberseries", "proposaldocument"]
)
def test_the_changelists_open(admin_client_for, world, model):
    issue(world, make_proposal(world))

    assert admin_client_for.get(f"/admin/documents/{model}/").status_code == 200


def test_a_failed_decision_is_queued_again_from_the_list(admin_client_for, world, media):
    decision = issue(world, make_proposal(world))
    Decision.objects.filter(pk=decision.pk).update(status="failed", render_attempts=5)

    response = admin_client_for.post(
        "/admin/documents/decision/",
        {"action": "retry_render", "_selected_action": [decision.pk]},
        follow=True,
    )

    decision.refresh_from_db()
    assert response.status_code == 200
    assert decision.status == "pending"
    assert decision.render_attempts == 0

"""The decision letters' tests run in the `letters` world of tests/world.py."""

import pytest

from documents import services
from tests.helpers import client_for
from tests.world import issue, make_proposal


@pytest.fixture
def world(letters_world):
    return letters_world


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def api():
    return client_for


@pytest.fixture
def decision(world, media):
    """The usual approved proposal's decision, issued, its PDF not made yet."""
    return issue(world, make_proposal(world))


@pytest.fixture
def ready(decision):
    """The decision with its PDF made."""
    services.decision_render(decision_id=decision.pk)
    decision.refresh_from_db()
    return decision

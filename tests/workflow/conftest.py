"""The workflow's tests run in the `workflow` world of tests/world.py."""

import pytest

from tests.world import new_proposal


@pytest.fixture
def world(workflow_world):
    return workflow_world


@pytest.fixture
def proposal(world):
    return new_proposal(world)

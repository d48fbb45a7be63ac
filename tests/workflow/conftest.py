"""The workflow's tests run in the `workflow` world of tests/world.py."""

import pytest
from rest_framework.test import APIClient

from tests.world import new_proposal


@pytest.fixture
def world(workflow_world):
    return workflow_world


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def proposal(world):
    return new_proposal(world)

"""The reports' tests run in the `reports` world of tests/world.py."""

import pytest


@pytest.fixture
def world(reports_world):
    return reports_world

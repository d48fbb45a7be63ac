"""The registry's tests run in the `registry` world of tests/world.py."""

import pytest


@pytest.fixture
def world(registry_world):
    return registry_world

"""The registry's tests run in the `registry` world of tests/world.py."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def world(registry_world):
    return registry_world


@pytest.fixture
def api():
    return APIClient()

"""The decision letters' tests run in the `letters` world of tests/world.py."""

import pytest

from tests.helpers import client_for


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

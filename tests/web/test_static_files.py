"""The static files as production serves them: collected, hashed and compressed by WhiteNoise.
Other tests render pages with plain storage (tests/conftest.py); this one proves the layout's
files exist in the manifest, so `{% static %}` cannot fail with DEBUG off."""

import io
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_layout_files_are_collected_hashed_and_served(client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_USE_FINDERS = False
    # Only the project's static/ directory: the admin's and Swagger's files take a minute to
    # compress and are not ours to check.
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    call_command("collectstatic", "--noinput", stdout=io.StringIO())

    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    for name, ext in (("css/app", "css"), ("vendor/htmx.min", "js"), ("img/favicon", "svg")):
        match = re.search(rf'"/static/({re.escape(name)}\.[0-9a-f]{{12}}\.{ext})"', html)
        assert match, f"{name}.{ext} is not linked with a hashed name"
        path = match.group(1)
        assert (settings.STATIC_ROOT / path).is_file()
        served = client.get(f"/static/{path}", HTTP_ACCEPT_ENCODING="gzip")
        assert served.status_code == 200
        assert served["Cache-Control"] == "max-age=315360000, public, immutable"

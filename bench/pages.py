"""Server time and queries of the main web pages on province-scale data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages .venv/bin/python bench/pages.py

Uses the bench database of bench/make_data.py (built first if missing: 10,000 proposals, 20,000
officials, 150 commune-level units). Through Django's test client (the whole request: session,
middleware, view, template; no network), as the users whose pages they are:

- the inbox (home) of a committee member, a board member, the board head and the office;
- the proposal list of a committee member who sees all 10,000: the first page, a later page,
  filtered by state, and searched by name;
- a proposal page in each kind of state: live checklist (in review), voting, in effect.

Targets: median ≤ 150 ms for each page; ≤ 25 queries for each page, ≤ 15 for a proposal's page.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.common import bench_data, finish, summary  # noqa: E402

RUNS = 25
TARGET_MS = 150
TARGET_QUERIES = 25
TARGET_QUERIES_PROPOSAL = 15


def main():
    bench_data()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from workflow.models import RotationProposal

    # The test client talks to the app directly; the stylesheets are not collected here.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    User = get_user_model()

    def client_for(username):
        client = Client()
        client.force_login(User.objects.get(username=f"bench-{username}"))
        return client

    member, reviewer, head, office = (
        client_for(name) for name in ("member", "reviewer", "board-head", "office")
    )

    def pick(state):
        return (
            RotationProposal.objects.filter(state=state, committee__unit__parent__isnull=True)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )

    pages = [
        ("home, committee member", member, "/"),
        ("home, board member", reviewer, "/"),
        ("home, board head", head, "/"),
        ("home, office", office, "/"),
        ("list, page 1", member, "/proposals/"),
        ("list, page 40", member, "/proposals/?page=40"),
        ("list, state=in_review", member, "/proposals/?state=in_review"),
        ("list, name search", member, "/proposals/?q=nguyen+van"),
        ("proposal, in review", head, f"/proposals/{pick('in_review')}/"),
        ("proposal, voting", member, f"/proposals/{pick('voting')}/"),
        ("proposal, in effect", office, f"/proposals/{pick('in_effect')}/"),
    ]
    total = RotationProposal.objects.count()
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}; {total} proposals")
    if connection.vendor != "postgresql":
        print("(the targets are for PostgreSQL)")

    results = []
    for label, client, url in pages:
        response = client.get(url)  # warm: templates compiled, caches filled
        assert response.status_code == 200, (label, url, response.status_code)
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (label, url, response.status_code)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        results.append((label, url, timings, len(ctx.captured_queries), len(response.content)))

    failures = []
    print(f"\n{'page':<28} {'median ms':>9} {'p90 ms':>8} {'queries':>8} {'kB':>6}")
    for label, url, timings, queries, size in results:
        median = summary(label, timings, 28, f" {queries:8d} {size / 1024:6.0f}")
        if median > TARGET_MS:
            failures.append(f"{label} ({url}): {median:.1f} ms > {TARGET_MS} ms")
        limit = TARGET_QUERIES_PROPOSAL if label.startswith("proposal,") else TARGET_QUERIES
        if queries > limit:
            failures.append(f"{label} ({url}): {queries} queries > {limit}")
    finish(
        failures,
        f"every page ≤ {TARGET_MS} ms (median) and ≤ {TARGET_QUERIES} queries "
        f"(a proposal's page ≤ {TARGET_QUERIES_PROPOSAL}).",
    )


if __name__ == "__main__":
    main()

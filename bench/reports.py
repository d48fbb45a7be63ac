"""How fast the reports are at province scale, and how many queries they take.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reports .venv/bin/python bench/reports.py

Builds the bench data first if needed (bench/make_data.py). Each report runs RUNS times after a
warm-up; the median wall time and the number of queries are printed, for the province committee
(150 commune-level units, most proposals) and for district 1's (50 units): the query counts must
be equal, since no report may read per unit. The budget is 200 ms for the locality and pipeline
reports.
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import bench_data, finish, timed  # noqa: E402

RUNS = 15
BUDGET_MS = 200


def measure(fn):
    """(median ms, fastest ms, queries of one run)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up: imports, connection, catalogue
    timings = [timed(fn)[0] for _ in range(RUNS)]
    with CaptureQueriesContext(connection) as queries:
        fn()
    return statistics.median(timings), min(timings), len(queries)


def main():
    bench_data()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from audit.models import AuditEvent
    from personnel.models import Assignment, Committee, Official
    from reports import selectors
    from workflow.models import RotationProposal

    province, district = sorted(Committee.objects.filter(symbol="BENCH"), key=lambda c: c.id)
    print(
        f"Database: {connection.vendor} {connection.settings_dict['NAME']}; "
        f"{Official.objects.count()} officials, {Assignment.objects.count()} assignments, "
        f"{RotationProposal.objects.count()} proposals, {AuditEvent.objects.count()} audit events"
    )
    failures = []
    rows = []
    for committee in (province, district):
        units = selectors.locality_report(committee=committee)["total_units"]
        proposals = RotationProposal.objects.filter(committee=committee).count()
        label = f"{committee.name} ({units} units, {proposals} proposals)"
        checks = [
            ("locality", lambda c=committee: selectors.locality_report(committee=c), True),
            ("pipeline", lambda c=committee: selectors.pipeline_report(committee=c), True),
            ("directions", lambda c=committee: selectors.direction_report(committee=c), False),
            ("cadres due", lambda c=committee: selectors.cadres_due_report(committee=c), False),
        ]
        for name, fn, budgeted in checks:
            ms, fastest, queries = measure(fn)
            rows.append((label, name, ms, fastest, queries))
            if budgeted and ms > BUDGET_MS:
                failures.append(f"{name} for {committee.name}: {ms:.0f} ms > {BUDGET_MS} ms")

    proposal = RotationProposal.objects.filter(committee=province).order_by("id").first()
    ms, fastest, queries = measure(lambda: selectors.locality_impact(proposal))
    rows.append((f"proposal #{proposal.id}", "locality impact", ms, fastest, queries))

    # The whole pages, template and charts included, as the chair sees them.
    chair = get_user_model().objects.get(username="bench-chair")
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        client = Client()
        client.force_login(chair)
        for page in ("locality", "pipeline", "directions", "cadres-due"):
            url = f"/reports/{page}/?committee={province.id}"

            def get(url=url):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            ms, fastest, queries = measure(get)
            rows.append((province.name, f"page /reports/{page}/", ms, fastest, queries))

    width = max(len(r[0]) for r in rows)
    print(f"\n{'scope':<{width}}  {'report':<24} {'median ms':>9} {'fastest':>8}  queries")
    for label, name, ms, fastest, queries in rows:
        print(f"{label:<{width}}  {name:<24} {ms:9.1f} {fastest:8.1f}  {queries:>7}")

    by_report = {}
    for _label, name, _ms, _fastest, queries in rows[:8]:
        by_report.setdefault(name, []).append(queries)
    for name, counts in by_report.items():
        if len(set(counts)) != 1:
            failures.append(f"{name}: queries differ between 150 and 50 units: {counts}")
    finish(
        failures,
        f"locality and pipeline within {BUDGET_MS} ms; every report reads the same number of "
        "queries for 150 units as for 50.",
        heading="FAILED",
    )


if __name__ == "__main__":
    main()

"""How fast the proposal API is with 10,000 proposals, and how many queries a list page takes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_workflow .venv/bin/python bench/workflow.py

Uses the bench database of bench/make_data.py (built first if missing: 10,000 proposals written
with bulk_create, in a database of its own). Then, through the API with DRF's test client, as the
users whose job it is:

- a transition: `submit` on fresh drafts (made with the service, N of them per run), then
  `start_review` on the same proposals; the median and 90th percentile of each;
- the proposal list as a committee member who sees all 10,000, page sizes 10, 50 and 100;
- the queries per list page for page sizes 10 and 100, which must be equal.

Targets (SPEC issue 3): a transition ≤ 30 ms (median), the list ≤ 50 ms (median).
"""

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import bench_data, finish, summary, timed  # noqa: E402

N_TRANSITIONS = 40
RUNS = 25
TRANSITION_MS = 30
LIST_MS = 50


def fresh_drafts(proposer, count):
    """Drafts made with the service, about officials with no open proposal."""
    from django.utils import timezone

    from personnel.models import Position
    from personnel.roles import Actor
    from personnel.selectors import active_on_q
    from workflow import services
    from workflow.errors import WorkflowError
    from workflow.models import OPEN_STATES, RotationProposal

    effective = timezone.localdate() + dt.timedelta(days=60)
    busy = RotationProposal.objects.filter(state__in=OPEN_STATES).values("official_id")
    from personnel.models import Assignment

    candidates = (
        Assignment.objects.filter(active_on_q(effective), position__title__is_standing=True)
        .exclude(official_id__in=busy)
        .select_related("official", "position")
        .order_by("id")[: count * 3]
    )
    targets = list(
        Position.objects.filter(title__is_standing=True).select_related("unit").order_by("id")[:50]
    )
    drafts = []
    for i, assignment in enumerate(candidates):
        if len(drafts) == count:
            break
        target = next(
            t
            for t in targets[i % len(targets) :] + targets
            if t.unit_id != assignment.position.unit_id
        )
        try:
            drafts.append(
                services.proposal_create(
                    actor=Actor.for_user(proposer),
                    official=assignment.official,
                    kind="transfer",
                    target_position=target,
                    effective_date=effective,
                    duration_months=None,
                    rationale="Đo hiệu năng (bench).",
                )
            )
        except WorkflowError:
            continue
    if len(drafts) < count:
        sys.exit(f"could only make {len(drafts)} fresh drafts")
    return drafts


def main():
    bench_data()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from workflow.models import RotationProposal

    User = get_user_model()
    proposer = User.objects.get(username="bench-proposer")
    reviewer = User.objects.get(username="bench-reviewer")
    member = User.objects.get(username="bench-member")

    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    as_proposer, as_reviewer, as_member = (
        client_for(proposer),
        client_for(reviewer),
        client_for(member),
    )
    total = RotationProposal.objects.count()
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}; {total} proposals")
    if connection.vendor != "postgresql":
        print("(the targets are for PostgreSQL)")

    # --- Transitions ----------------------------------------------------------------------
    drafts = fresh_drafts(proposer, N_TRANSITIONS + 1)
    warm = drafts.pop()
    as_proposer.post(f"/api/v1/proposals/{warm.pk}/transitions/submit/")
    results = {}
    for name, client in (("submit", as_proposer), ("start_review", as_reviewer)):
        timings = []
        for draft in drafts:
            ms, response = timed(
                lambda d=draft, n=name, c=client: c.post(
                    f"/api/v1/proposals/{d.pk}/transitions/{n}/"
                )
            )
            assert response.status_code == 200, (name, response.status_code, response.content)
            timings.append(ms)
        results[name] = timings
    with CaptureQueriesContext(connection) as ctx:
        as_proposer.post(
            f"/api/v1/proposals/{drafts[0].pk}/transitions/withdraw/", {"comment": "Kết thúc đo."}
        )
    withdraw_queries = len(ctx.captured_queries)
    for draft in drafts[1:]:
        as_proposer.post(
            f"/api/v1/proposals/{draft.pk}/transitions/withdraw/", {"comment": "Kết thúc đo."}
        )
    as_proposer.post(f"/api/v1/proposals/{warm.pk}/transitions/withdraw/", {"comment": "Kết thúc."})

    # --- The list -------------------------------------------------------------------------
    def get_list(size, **params):
        response = as_member.get("/api/v1/proposals/", {"page_size": size, **params})
        assert response.status_code == 200, response.content
        return response

    get_list(50)
    list_timings = {}
    for label, size, params in (
        ("page of 10", 10, {}),
        ("page of 50", 50, {}),
        ("page of 100", 100, {}),
        ("page of 50, state=in_review", 50, {"state": "in_review"}),
        ("page 40 of 50", 50, {"page": 40}),
    ):
        list_timings[label] = [
            timed(lambda s=size, p=params: get_list(s, **p))[0] for _ in range(RUNS)
        ]
    queries = {}
    for size in (10, 100):
        with CaptureQueriesContext(connection) as ctx:
            response = get_list(size)
        assert len(response.json()["results"]) == size
        queries[size] = len(ctx.captured_queries)
    seen = get_list(10).json()["count"]

    # --- Report ---------------------------------------------------------------------------
    failures = []
    print(f"\n{'measure':<40} {'median ms':>9} {'p90 ms':>8}  target")
    measured = [(f"transition {n}", t, TRANSITION_MS) for n, t in results.items()]
    measured += [(f"list {label}", t, LIST_MS) for label, t in list_timings.items()]
    for name, timings, target in measured:
        median = summary(f"{name} (n={len(timings)})", timings, 40, f"  ≤ {target} ms")
        if median > target:
            failures.append(f"{name}: {median:.1f} ms > {target} ms")
    print(
        f"\nqueries per list page: {queries[10]} for 10 rows, {queries[100]} for 100 rows "
        f"(the member sees {seen} proposals); a withdraw through the API: {withdraw_queries}"
    )
    if queries[10] != queries[100]:
        failures.append(f"queries per page depend on its size: {queries}")
    finish(
        failures,
        f"transitions ≤ {TRANSITION_MS} ms and the list ≤ {LIST_MS} ms (medians); "
        "queries per page do not depend on its size.",
    )


if __name__ == "__main__":
    main()

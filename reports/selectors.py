"""Reads for the reports of SPEC §7. Each returns plain data (dicts, lists, numbers, dates) that
the page, the CSV export and the API render; none of them writes.

Every report reads a fixed number of queries whatever the number of units or proposals: the unit
tree is loaded once and walked in Python (personnel.selectors takes `parents=`).
"""

import datetime as dt
import statistics
from collections import defaultdict

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent
from lib.text import fold
from personnel.locality import (  # noqa: F401 (locality_impact, locality_report: read from here)
    UnitTree,
    held_rows,
    locality_impact,
    locality_reason,
    locality_report,
)
from personnel.models import Assignment, Committee, Term
from personnel.selectors import active_on_q
from workflow.models import OPEN_STATES, ProposalKind, ProposalState, RotationProposal
from workflow.selectors import proposals_visible

S = ProposalState


# --- Who may read the reports ----------------------------------------------------------------


def report_committees(actor):
    """Committees whose reports the actor may read: those in which they hold a role on the
    actor's day (committee member, board member, office staff, proposer); a superuser reads them
    all."""
    if actor.is_superuser:
        return Committee.objects.all()
    return Committee.objects.filter(id__in=actor.report_committee_ids())


def _proposals(committee, actor):
    """The committee's proposals the reader may see (workflow's one visibility predicate);
    `actor` None: all of them (the system)."""
    qs = RotationProposal.objects.all() if actor is None else proposals_visible(actor)
    return qs.filter(committee=committee)


# --- 1. Non-local target: personnel/locality.py (a proposal's page shows its impact) -------


# --- 2. Pipeline ------------------------------------------------------------------------------

# Stages a proposal waits in before it takes effect (the open states); the time in each is
# measured. Terminal states and in_effect (the rotation itself, years long) are not stages.
PIPELINE_STAGES = OPEN_STATES

# Days a proposal may wait in a pre-decision state before it is overdue; settings may override
# any of them with REPORTS_OVERDUE_DAYS = {"in_review": 20, ...}. Drafts are the author's own
# work and are not chased unless a threshold is set for them.
DEFAULT_OVERDUE_DAYS = dict.fromkeys(
    (S.SUBMITTED, S.IN_REVIEW, S.RETURNED, S.ENDORSED, S.VOTING, S.APPROVED), 30
)


def overdue_thresholds() -> dict[str, int]:
    return {**DEFAULT_OVERDUE_DAYS, **getattr(settings, "REPORTS_OVERDUE_DAYS", {})}


def _days(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 86400


# Every stay in a state, in seconds, in one query that PostgreSQL and SQLite both run: leaving a
# state, the time since the previous transition or the creation; still in it, up to now (with the
# proposal's id); a draft that never moved, since its creation.
_STAYS_SQL = """
WITH ev AS (
    SELECT e.proposal_id, e.from_state, e.to_state, {at} AS t,
           LAG({at}) OVER w AS prev_t, LEAD(e.id) OVER w AS next_id
    FROM {events} e
    WHERE e.proposal_id IN ({visible})
      AND e.to_state <> '' AND e.from_state <> e.to_state
    WINDOW w AS (PARTITION BY e.proposal_id ORDER BY e.at, e.id)
)
SELECT ev.from_state, t - COALESCE(prev_t, {created}), NULL
FROM ev JOIN {proposals} p ON p.id = ev.proposal_id WHERE ev.from_state <> ''
UNION ALL
SELECT ev.to_state, %s - t, p.id
FROM ev JOIN {proposals} p ON p.id = ev.proposal_id
WHERE next_id IS NULL AND ev.to_state = p.state
UNION ALL
SELECT p.state, %s - {created}, p.id FROM {proposals} p
WHERE p.id IN ({visible}) AND p.state = 'draft' AND NOT EXISTS (
    SELECT 1 FROM {events} e
    WHERE e.proposal_id = p.id AND e.to_state <> '' AND e.from_state <> e.to_state
)
"""

# Seconds since 1970 of a timestamp column, the one thing the two databases spell differently.
_EPOCH = {
    "postgresql": "date_part('epoch', {})",
    "sqlite": "((julianday({}) - 2440587.5) * 86400.0)",
}


def _stays(proposals, now) -> tuple[dict[str, tuple[float, int]], dict[int, dt.datetime]]:
    """Over the `proposals` queryset: (stage → (median days of a stay, number of stays),
    proposal id → when it entered the state it is in)."""
    epoch = _EPOCH[connection.vendor].format
    # The proposals the reader may see, as a subquery of the statement.
    visible, visible_params = proposals.order_by().values("id").query.sql_with_params()
    sql = _STAYS_SQL.format(
        at=epoch("e.at"),
        created=epoch("p.created_at"),
        events=AuditEvent._meta.db_table,
        proposals=RotationProposal._meta.db_table,
        visible=visible,
    )
    now_epoch = now.timestamp()
    seconds, entered = defaultdict(list), {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*visible_params, now_epoch, now_epoch, *visible_params])
        for state, stay, still_in in cursor.fetchall():
            seconds[state].append(max(stay, 0))
            if still_in is not None:
                # To the millisecond: SQLite's julianday() is a float of days, off by microseconds.
                entered[still_in] = now - dt.timedelta(seconds=round(stay, 3))
    stats = {
        stage: (round(statistics.median(seconds[stage]) / 86400, 6), len(seconds[stage]))
        for stage in PIPELINE_STAGES
        if seconds[stage]
    }
    return stats, entered


def pipeline_report(*, committee: Committee, actor=None, now: dt.datetime | None = None) -> dict:
    """Proposals by state, the median days spent in each stage, and overdue proposals.

    A stay in a stage runs from the transition into a state to the transition out of it (the
    audit events' from_state/to_state and `at`); the first draft starts at the proposal's
    creation. Every stay is a sample: a proposal returned and resubmitted is reviewed twice,
    and each review counts (one review round is the unit of the board's work). A proposal still
    in a stage counts up to `now`, so slow stages show before they are left. Stages are the states before
    the posting (PIPELINE_STAGES); in_effect is the rotation itself and is not measured.

    Overdue: waiting in a pre-decision state longer than its threshold (overdue_thresholds),
    counted from the last transition into that state (a draft without any: its creation), or
    not yet in effect although its effective date has passed.

    A fixed number of queries whatever the number of proposals: three (counts, every stay in
    every state, overdue candidates)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    state_labels = {value: str(label) for value, label in ProposalState.choices}
    kind_labels = {value: str(label) for value, label in ProposalKind.choices}

    proposals = _proposals(committee, actor)
    counts = dict(
        proposals.order_by().values("state").annotate(n=Count("id")).values_list("state", "n")
    )
    by_state = [
        {"state": value, "label": state_labels[value], "count": counts.get(value, 0)}
        for value in ProposalState.values
    ]
    # The medians, and when each proposal entered the state it is in (its last transition).
    stats, entered = _stays(proposals, now)
    stages = [
        {
            "state": stage,
            "label": state_labels[stage],
            "median_days": stats[stage][0] if stage in stats else None,
            "stays": stats[stage][1] if stage in stats else 0,
            "now_in_stage": counts.get(stage, 0),
        }
        for stage in PIPELINE_STAGES
    ]

    thresholds = overdue_thresholds()

    # Proposals that may be overdue: in a state with a limit, or open and past due.
    candidates = Q(state__in=list(thresholds)) | Q(state__in=OPEN_STATES, effective_date__lt=today)
    rows = list(
        proposals.filter(candidates)
        .order_by()
        .values_list(
            "id",
            "state",
            "created_at",
            "effective_date",
            "kind",
            "official__full_name",
            "target_position__name",
        )
    )
    local = timezone.get_current_timezone()
    waited_too_long = _("%(days)s days in this state (limit %(limit)s)")
    effective_passed = _("effective date has passed but the proposal is not in effect")
    items = []
    for pid, state, created_at, effective, kind, official, target in rows:
        since = entered.get(pid) or (created_at if state == S.DRAFT else None)
        waited = int(_days(now - since)) if since is not None else None
        reasons = []
        if state in thresholds and waited is not None and waited > thresholds[state]:
            reasons.append(waited_too_long % {"days": waited, "limit": thresholds[state]})
        if state in OPEN_STATES and effective < today:
            reasons.append(effective_passed)
        if reasons:
            items.append(
                {
                    "id": pid,
                    "official": official,
                    "kind": kind,
                    "kind_label": kind_labels[kind],
                    "state": state,
                    "state_label": state_labels[state],
                    "target_position": target,
                    "effective_date": effective,
                    "since": since.astimezone(local).date() if since is not None else None,
                    "days_in_state": waited,
                    "threshold": thresholds.get(state),
                    "reasons": reasons,
                }
            )
    items.sort(key=lambda item: (-(item["days_in_state"] or 0), item["id"]))
    return {
        "committee": {"id": committee.id, "name": committee.name},
        "now": now,
        "total": sum(counts.values()),
        "by_state": by_state,
        "stages": stages,
        "thresholds": thresholds,
        "overdue": items,
    }


# --- 3. Rotations by direction ----------------------------------------------------------------

# Proposals whose move happened or is decided.
DECIDED_STATES = (S.ISSUED, S.IN_EFFECT, S.COMPLETED)

DIRECTION_LABELS = {
    "district_to_commune": gettext_lazy("District → commune"),
    "commune_to_district": gettext_lazy("Commune → district"),
    "commune_to_commune": gettext_lazy("Commune → commune"),
    "province_commune": gettext_lazy("Province ↔ commune"),
    "other": gettext_lazy("Other"),
}
DIRECTIONS = tuple(DIRECTION_LABELS)

# (level of the unit left, level of the unit joined) → direction; any other pair is "other".
_DIRECTION_OF_LEVELS = {
    ("district", "commune"): "district_to_commune",
    ("commune", "district"): "commune_to_district",
    ("commune", "commune"): "commune_to_commune",
    ("province", "commune"): "province_commune",
    ("commune", "province"): "province_commune",
}


def classify_direction(from_level: str, to_level: str) -> str:
    """Direction of a move from the levels of the two units (see UnitTree.level)."""
    return _DIRECTION_OF_LEVELS.get((from_level, to_level), "other")


def direction_report(*, committee: Committee, actor=None) -> dict:
    """Decided moves (issued, in effect, completed) by direction and by effective-date year.
    Two queries: the unit tree and the proposals."""
    tree = UnitTree()
    counts = defaultdict(lambda: dict.fromkeys(DIRECTIONS, 0))
    for effective, from_unit, to_unit in (
        _proposals(committee, actor)
        .filter(state__in=DECIDED_STATES)
        .order_by()
        .values_list(
            "effective_date", "from_assignment__position__unit_id", "target_position__unit_id"
        )
    ):
        direction = classify_direction(tree.level(from_unit), tree.level(to_unit))
        counts[effective.year][direction] += 1
    years = sorted(counts)
    totals = {d: sum(counts[year][d] for year in years) for d in DIRECTIONS}
    return {
        "committee": {"id": committee.id, "name": committee.name},
        "directions": [{"code": d, "label": str(label)} for d, label in DIRECTION_LABELS.items()],
        "years": [
            {"year": year, "counts": counts[year], "total": sum(counts[year].values())}
            for year in years
        ],
        "totals": totals,
        "total": sum(totals.values()),
    }


# --- 4. Cadres due for rotation ---------------------------------------------------------------

# A Party term counts towards "consecutive terms" when the head held the post for at least this
# share of it (the usual convention: half a term or more counts as a term).
TERM_COUNTS_FROM_SHARE = 0.5


def _merge_tenures(spans, on: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Continuous spells from (start, end) spans (a gap of at most one day joins two), cut at
    `on`."""
    spells = []
    for start, end in sorted(spans, key=lambda span: span[0]):
        end = on if end is None or end > on else end
        if spells and start <= spells[-1][1] + dt.timedelta(days=1):
            spells[-1] = (spells[-1][0], max(spells[-1][1], end))
        else:
            spells.append((start, end))
    return spells


def _overlap_days(a_start, a_end, b_start, b_end) -> int:
    return max((min(a_end, b_end) - max(a_start, b_start)).days + 1, 0)


def cadres_due_report(*, committee: Committee, on: dt.date | None = None) -> dict:
    """Two lists of people the board should consider rotating, on `on` (default today):

    - local people in posts whose title must be held by a non-local person;
    - heads of a unit in a second consecutive Party term there: continuously holding a head
      post (title.is_head) of the same unit on `on`, within the committee's current Party term,
      having also held it for at least half of the term before (TERM_COUNTS_FROM_SHARE).
      Terms are the committee's Party terms (data); earlier terms are counted back while the
      spell covers enough of each, so `terms` is the number of consecutive terms so far.

    Four queries: the unit tree, the non-local posts, the Party terms, the head assignments."""
    day = on or timezone.localdate()
    tree = UnitTree()
    scope = list(tree.subtree_ids(committee.unit_id))

    local_in_key_posts = []
    for a in held_rows(
        Assignment.objects.filter(
            active_on_q(day),
            position__unit_id__in=scope,
            position__title__requires_non_local=True,
        )
    ):
        local, code, why = locality_reason(a, a.unit_id, rule=committee.locality_rule, tree=tree)
        if local:
            local_in_key_posts.append(
                {
                    "official_id": a.official_id,
                    "name": a.name,
                    "position": a.position,
                    "title": a.title,
                    "unit": tree.name(a.unit_id),
                    "since": a.start,
                    "why_code": code,
                    "why": why,
                }
            )
    local_in_key_posts.sort(key=lambda row: (fold(row["unit"]), fold(row["name"])))

    party_terms = Term.objects.filter(committee=committee, kind=Term.Kind.PARTY, start__lte=day)
    terms = list(party_terms.order_by("-start"))
    current_term = terms[0] if terms and terms[0].contains(day) else None
    heads_in_second_term = []
    if current_term is not None:
        heads = Assignment.objects.filter(
            position__unit_id__in=scope, position__title__is_head=True
        )
        spells = defaultdict(list)
        for official_id, name, unit_id, position, title, start, end in (
            # The head posts, past and present, of those who hold one today.
            heads.filter(
                start__lte=day,
                official_id__in=heads.filter(active_on_q(day)).values("official_id"),
            )
            .order_by()
            .values_list(
                "official_id",
                "official__full_name",
                "position__unit_id",
                "position__name",
                "position__title__name",
                "start",
                "end",
            )
        ):
            spells[official_id, unit_id].append((start, end, name, position, title))
        for (official_id, unit_id), held in spells.items():
            tenure = _merge_tenures([(start, end) for start, end, *_ in held], day)[-1]
            if tenure[1] < day:
                continue  # not a head there any more
            counted = [current_term]
            for term in terms[1:]:
                needed = ((term.end - term.start).days + 1) * TERM_COUNTS_FROM_SHARE
                if _overlap_days(*tenure, term.start, term.end) < needed:
                    break
                counted.append(term)
            if len(counted) < 2:
                continue
            # The post held today (the latest, if two head posts of the unit).
            _start, _end, name, position, title = max(
                (h for h in held if h[0] <= day and (h[1] is None or h[1] >= day)),
                key=lambda h: h[0],
            )
            heads_in_second_term.append(
                {
                    "official_id": official_id,
                    "name": name,
                    "position": position,
                    "title": title,
                    "unit": tree.name(unit_id),
                    "since": tenure[0],
                    "terms": len(counted),
                    "term_names": [term.name for term in reversed(counted)],
                }
            )
        heads_in_second_term.sort(key=lambda row: (-row["terms"], fold(row["unit"])))
    return {
        "committee": {"id": committee.id, "name": committee.name},
        "on": day,
        "current_term": current_term.name if current_term else None,
        "local_in_key_posts": local_in_key_posts,
        "heads_in_second_term": heads_in_second_term,
    }

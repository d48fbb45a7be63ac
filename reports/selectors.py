"""Reads for the reports of SPEC §7. Each returns plain data (dicts, lists, numbers, dates) that
the page, the CSV export and the API render; none of them writes.

Every report reads a fixed number of queries whatever the number of units or proposals: the unit
tree is loaded once and walked in Python (personnel.selectors takes `parents=`).
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.text import fold
from personnel.models import (
    Assignment,
    Committee,
    OrgUnit,
    Position,
    Term,
)
from personnel.selectors import active_on_q, is_local, unit_is_within, unit_subtree_ids
from workflow.models import (
    OPEN_STATES,
    AuditEvent,
    ProposalKind,
    ProposalState,
    RotationProposal,
)
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


# --- The unit tree, loaded once ---------------------------------------------------------------


class UnitTree:
    """Every unit with its parent, kind and name, from one query."""

    def __init__(self):
        self.units = {
            unit.id: unit
            for unit in OrgUnit.objects.only(
                "id", "parent_id", "kind", "name", "valid_from", "valid_to"
            )
        }
        self.parents = {uid: unit.parent_id for uid, unit in self.units.items()}

    def subtree_ids(self, unit_id: int) -> set[int]:
        return unit_subtree_ids(unit_id, self.parents)

    def name(self, unit_id: int | None) -> str:
        unit = self.units.get(unit_id)
        return unit.name if unit else ""

    def level(self, unit_id: int | None) -> str:
        """province, district or commune; an agency counts as the level of the unit above it."""
        seen = set()
        while unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            unit = self.units.get(unit_id)
            if unit is None:
                break
            if unit.kind == OrgUnit.Kind.PROVINCE:
                return "province"
            if unit.kind == OrgUnit.Kind.DISTRICT:
                return "district"
            if unit.kind in OrgUnit.COMMUNE_LEVEL:
                return "commune"
            unit_id = unit.parent_id
        return "other"

    def commune_units(self, root_id: int, day: dt.date) -> list[OrgUnit]:
        """Commune-level units under `root_id` that exist on `day`, by name."""
        units = [
            self.units[uid]
            for uid in self.subtree_ids(root_id)
            if self.units[uid].kind in OrgUnit.COMMUNE_LEVEL and _valid_on(self.units[uid], day)
        ]
        return sorted(units, key=lambda unit: (fold(unit.name), unit.id))


def _valid_on(unit: OrgUnit, day: dt.date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (
        unit.valid_to is None or unit.valid_to >= day
    )


def locality_reason(official, unit_id: int, *, rule: str, tree: UnitTree) -> tuple[bool, str, str]:
    """(local, code, why): whether the official is local to the unit under the committee's rule,
    and the place that makes them so ("hometown", "birthplace" or "" when not local)."""
    local = is_local(official, tree.units[unit_id], rule=rule, parents=tree.parents)
    if not local:
        return False, "", _("not a local person")
    R = Committee.LocalityRule
    if rule in (R.HOMETOWN_OR_BIRTHPLACE, R.HOMETOWN) and unit_is_within(
        official.hometown_unit_id, unit_id, tree.parents
    ):
        place = tree.name(official.hometown_unit_id)
        return True, "hometown", _("hometown %(place)s is in the unit") % {"place": place}
    place = tree.name(official.birthplace_unit_id)
    return True, "birthplace", _("birthplace %(place)s is in the unit") % {"place": place}


# --- 1. Non-local target ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Held:
    """One assignment, flattened: who (with the places that make them local) holds which post.
    Read with values_list: building model instances costs more than the query."""

    id: int | None
    official_id: int
    name: str
    hometown_unit_id: int | None
    birthplace_unit_id: int | None
    position_id: int
    unit_id: int
    position: str
    title: str
    title_order: int
    is_standing: bool
    start: dt.date | None = None


_HELD_FIELDS = (
    "id",
    "official_id",
    "official__full_name",
    "official__hometown_unit_id",
    "official__birthplace_unit_id",
    "position_id",
    "position__unit_id",
    "position__name",
    "position__title__name",
    "position__title__order",
    "position__title__is_standing",
    "start",
)


def _held(queryset) -> list[Held]:
    return [Held(*row) for row in queryset.order_by().values_list(*_HELD_FIELDS)]


def _standing_assignments(unit_ids, day) -> list[Held]:
    return _held(
        Assignment.objects.filter(
            active_on_q(day), position__unit_id__in=unit_ids, position__title__is_standing=True
        )
    )


def _standing_positions(unit_ids):
    """(id, unit id, name, seats) of standing posts, in title order."""
    return list(
        Position.objects.filter(unit_id__in=unit_ids, title__is_standing=True)
        .order_by("title__order", "title__name", "id")
        .values_list("id", "unit_id", "name", "seats")
    )


def _locality_build(*, committee, as_of, tree, units, assignments, positions) -> dict:
    rule = committee.locality_rule
    in_scope = {unit.id for unit in units}
    by_unit = defaultdict(list)
    held = defaultdict(int)
    for assignment in assignments:
        held[assignment.position_id] += 1
        if assignment.unit_id in in_scope:
            by_unit[assignment.unit_id].append(assignment)
    vacant_by_unit = defaultdict(list)
    for position_id, unit_id, name, seats in positions:
        if held[position_id] < seats:
            vacant_by_unit[unit_id].append(name)

    rows = []
    for unit in units:
        members = []
        for a in sorted(by_unit[unit.id], key=lambda a: (a.title_order, a.title, a.name)):
            local, code, why = locality_reason(a, unit.id, rule=rule, tree=tree)
            members.append(
                {
                    "official_id": a.official_id,
                    "name": a.name,
                    "title": a.title,
                    "position": a.position,
                    "local": local,
                    "why_code": code,
                    "why": why,
                }
            )
        rows.append(
            {
                "id": unit.id,
                "name": unit.name,
                "kind": unit.kind,
                "meets": any(not member["local"] for member in members),
                "standing_members": members,
                "vacant_posts": vacant_by_unit[unit.id],
            }
        )
    total = len(rows)
    meeting = sum(1 for row in rows if row["meets"])
    ratio = meeting / total if total else 0.0
    target = committee.non_local_target_percent / 100
    return {
        "committee": {"id": committee.id, "name": committee.name},
        "as_of": as_of,
        "total_units": total,
        "units_meeting": meeting,
        "ratio": ratio,
        "target": target,
        # Compare whole counts, not floats: 4 of 5 meets a target of 80%.
        "met": total > 0 and meeting * 100 >= committee.non_local_target_percent * total,
        "units": rows,
    }


def locality_report(*, committee: Committee, as_of: dt.date | None = None) -> dict:
    """The non-local target on `as_of`: commune-level units in the committee's subtree with at
    least one standing member who is not local, over all of them, against the target.

    Three queries whatever the number of units: the unit tree, standing assignments with their
    officials and titles, standing positions (for vacancies)."""
    day = as_of or timezone.localdate()
    tree = UnitTree()
    units = tree.commune_units(committee.unit_id, day)
    unit_ids = [unit.id for unit in units]
    return _locality_build(
        committee=committee,
        as_of=day,
        tree=tree,
        units=units,
        assignments=_standing_assignments(unit_ids, day),
        positions=_standing_positions(unit_ids),
    )


def locality_impact(proposal) -> dict:
    """The change the proposal's posting would make to the non-local target on its effective
    date: the official leaves the from position and takes the target position.

    "Before" is the day as if the posting had not been applied, so the answer is the same
    before and after the office posts it."""
    committee = proposal.committee
    day = proposal.effective_date
    tree = UnitTree()
    units = tree.commune_units(committee.unit_id, day)
    unit_ids = [unit.id for unit in units]
    (leaving,) = _held(Assignment.objects.filter(pk=proposal.from_assignment_id))
    target_id, target_unit, target_name, target_title, target_order, target_standing = (
        Position.objects.filter(pk=proposal.target_position_id)
        .values_list("id", "unit_id", "name", "title__name", "title__order", "title__is_standing")
        .get()
    )
    current = [
        a
        for a in _standing_assignments(unit_ids, day)
        # Once posted, the new assignment exists: leave it out of "before".
        if not (a.official_id == proposal.official_id and a.position_id == target_id)
        and a.id != leaving.id
    ]
    before = [*current, leaving] if leaving.is_standing else list(current)
    after = list(current)
    if target_standing:
        after.append(
            replace(
                leaving,
                id=None,
                position_id=target_id,
                unit_id=target_unit,
                position=target_name,
                title=target_title,
                title_order=target_order,
                is_standing=True,
                start=day,
            )
        )
    positions = _standing_positions(unit_ids)
    common = {"committee": committee, "as_of": day, "tree": tree, "units": units}
    report_before = _locality_build(**common, assignments=before, positions=positions)
    report_after = _locality_build(**common, assignments=after, positions=positions)
    meets_after = {row["id"]: row["meets"] for row in report_after["units"]}
    changed = [
        {
            "id": row["id"],
            "name": row["name"],
            "before": row["meets"],
            "after": meets_after[row["id"]],
        }
        for row in report_before["units"]
        if row["meets"] != meets_after[row["id"]]
    ]

    def summary(report):
        return {
            "units_meeting": report["units_meeting"],
            "ratio": report["ratio"],
            "met": report["met"],
        }

    return {
        "as_of": day,
        "total_units": report_before["total_units"],
        "target": report_before["target"],
        "before": summary(report_before),
        "after": summary(report_after),
        "changed_units": changed,
    }


# --- 2. Pipeline ------------------------------------------------------------------------------

# Stages a proposal waits in before it takes effect; the time in each is measured. Terminal
# states and in_effect (the rotation itself, years long) are not stages of the pipeline.
PIPELINE_STAGES = (
    S.DRAFT,
    S.SUBMITTED,
    S.IN_REVIEW,
    S.RETURNED,
    S.ENDORSED,
    S.VOTING,
    S.APPROVED,
    S.ISSUED,
)

# Days a proposal may wait in a pre-decision state before it is overdue; settings may override
# any of them with REPORTS_OVERDUE_DAYS = {"in_review": 20, ...}. Drafts are the author's own
# work and are not chased unless a threshold is set for them.
DEFAULT_OVERDUE_DAYS = {
    S.SUBMITTED: 30,
    S.IN_REVIEW: 30,
    S.RETURNED: 30,
    S.ENDORSED: 30,
    S.VOTING: 30,
    S.APPROVED: 30,
}


def overdue_thresholds() -> dict[str, int]:
    return {**DEFAULT_OVERDUE_DAYS, **getattr(settings, "REPORTS_OVERDUE_DAYS", {})}


def _days(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 86400


def _transitions():
    """Audit events that changed a proposal's state (opinions, ballots and the like do not)."""
    return AuditEvent.objects.exclude(to_state="").exclude(from_state=F("to_state"))


# PostgreSQL computes the medians itself and answers one row per stage: the same rules as
# _stage_days_in_python, in a single pass over the committee's transition events.
_STAGE_MEDIANS_SQL = """
WITH ev AS (
    SELECT e.from_state, e.to_state, p.state AS current,
           date_part('epoch', e.at) AS t,
           date_part('epoch', COALESCE(LAG(e.at) OVER w, p.created_at)) AS prev_t,
           LEAD(e.id) OVER w AS next_id
    FROM workflow_auditevent e
    JOIN workflow_rotationproposal p ON p.id = e.proposal_id
    WHERE p.id IN (%(proposals)s) AND e.to_state <> '' AND e.from_state <> e.to_state
    WINDOW w AS (PARTITION BY e.proposal_id ORDER BY e.at, e.id)
), stays AS (
    -- Leaving a state: the time since the previous transition, or since the creation.
    SELECT from_state AS state, t - prev_t AS seconds
    FROM ev WHERE from_state <> ''
    UNION ALL
    -- Still in the state the last transition led to: up to now.
    SELECT to_state, %s - t
    FROM ev WHERE next_id IS NULL AND to_state = current
    UNION ALL
    -- A draft that never moved: since its creation.
    SELECT p.state, %s - date_part('epoch', p.created_at)
    FROM workflow_rotationproposal p
    WHERE p.id IN (%(proposals)s) AND p.state = 'draft' AND NOT EXISTS (
        SELECT 1 FROM workflow_auditevent e
        WHERE e.proposal_id = p.id AND e.to_state <> '' AND e.from_state <> e.to_state
    )
)
SELECT state, percentile_cont(0.5) WITHIN GROUP (ORDER BY GREATEST(seconds, 0) / 86400), COUNT(*)
FROM stays
WHERE state = ANY(%s)
GROUP BY state
"""


def _stage_days_in_python(proposals, now) -> dict[str, list[float]]:
    """The days of every stay in every stage, replaying each proposal's transitions in order."""
    events = defaultdict(list)
    for pid, event_id, at, from_state, to_state in (
        _transitions()
        .filter(proposal__in=proposals)
        .order_by()
        .values_list("proposal_id", "id", "at", "from_state", "to_state")
    ):
        events[pid].append((at, event_id, from_state, to_state))
    stays = defaultdict(list)
    for pid, current, created_at in proposals.order_by().values_list("id", "state", "created_at"):
        state, since = S.DRAFT, created_at
        for at, _id, from_state, to_state in sorted(events.get(pid, ())):
            if from_state:  # not the creation event
                # Trust the event's from_state: it is what the workflow recorded.
                stays[from_state].append(max(_days(at - since), 0.0))
            state, since = to_state, at
        if state == current:
            stays[state].append(max(_days(now - since), 0.0))
    return {stage: stays[stage] for stage in PIPELINE_STAGES if stays[stage]}


def _stage_stats(proposals, now) -> dict[str, tuple[float, int]]:
    """stage → (median days of a stay, number of stays) over the `proposals` queryset."""
    if connection.vendor == "postgresql":
        # The proposals the reader may see, as a subquery of the statement.
        ids_sql, ids_params = proposals.values("id").query.sql_with_params()
        now_epoch = now.timestamp()
        with connection.cursor() as cursor:
            cursor.execute(
                _STAGE_MEDIANS_SQL.replace("%(proposals)s", ids_sql),
                [*ids_params, now_epoch, now_epoch, *ids_params, list(PIPELINE_STAGES)],
            )
            return {state: (float(median), count) for state, median, count in cursor.fetchall()}
    return {
        stage: (statistics.median(days), len(days))
        for stage, days in _stage_days_in_python(proposals, now).items()
    }


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

    A fixed number of queries whatever the number of proposals: four on PostgreSQL (counts,
    stage medians computed by the database, overdue candidates, when they entered their
    state), five elsewhere (the medians are computed here from the events)."""
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
    stats = _stage_stats(proposals, now)
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

    def candidates(prefix=""):
        """Proposals that may be overdue: in a state with a limit, or open and past due."""
        return Q(**{f"{prefix}state__in": list(thresholds)}) | Q(
            **{f"{prefix}state__in": OPEN_STATES, f"{prefix}effective_date__lt": today}
        )

    rows = list(
        proposals.filter(candidates())
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
    # When each entered its current state: its last transition into that state.
    entered = dict(
        _transitions()
        .filter(
            candidates("proposal__"),
            proposal__in=proposals,
            to_state=F("proposal__state"),
        )
        .order_by()
        .values("proposal_id")
        .annotate(since=Max("at"))
        .values_list("proposal_id", "since")
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

DIRECTIONS = (
    "district_to_commune",
    "commune_to_district",
    "commune_to_commune",
    "province_commune",
    "other",
)


def direction_labels() -> dict[str, str]:
    return {
        "district_to_commune": _("District → commune"),
        "commune_to_district": _("Commune → district"),
        "commune_to_commune": _("Commune → commune"),
        "province_commune": _("Province ↔ commune"),
        "other": _("Other"),
    }


def classify_direction(from_level: str, to_level: str) -> str:
    """Direction of a move from the levels of the two units (see UnitTree.level)."""
    pair = (from_level, to_level)
    if pair == ("district", "commune"):
        return "district_to_commune"
    if pair == ("commune", "district"):
        return "commune_to_district"
    if pair == ("commune", "commune"):
        return "commune_to_commune"
    if pair in (("province", "commune"), ("commune", "province")):
        return "province_commune"
    return "other"


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
    labels = direction_labels()
    totals = {d: sum(counts[year][d] for year in years) for d in DIRECTIONS}
    return {
        "committee": {"id": committee.id, "name": committee.name},
        "directions": [{"code": d, "label": labels[d]} for d in DIRECTIONS],
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
    for a in _held(
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

    terms = list(
        Term.objects.filter(committee=committee, kind=Term.Kind.PARTY, start__lte=day).order_by(
            "-start"
        )
    )
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

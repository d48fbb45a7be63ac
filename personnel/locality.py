"""The non-local target (SPEC §7 report 1) and the change a proposal's posting would make to it.

Below the workflow, so that a proposal page and the reports read the same computation; a proposal
is read through its fields only (committee, official, from_assignment_id, target_position_id,
effective_date). A fixed number of queries whatever the number of units: the unit tree is loaded
once and walked in Python.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from django.utils import timezone
from django.utils.translation import gettext as _

from lib.text import fold

from .models import Assignment, Committee, OrgUnit, Position
from .selectors import active_on_q, is_local, unit_is_within, unit_subtree_ids

# --- The unit tree, loaded once ---------------------------------------------------------------

_LEVEL_OF_KIND = {
    OrgUnit.Kind.PROVINCE: "province",
    OrgUnit.Kind.DISTRICT: "district",
    **dict.fromkeys(OrgUnit.COMMUNE_LEVEL, "commune"),
}


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
            if unit.kind in _LEVEL_OF_KIND:
                return _LEVEL_OF_KIND[unit.kind]
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


def held_rows(queryset) -> list[Held]:
    return [Held(*row) for row in queryset.order_by().values_list(*_HELD_FIELDS)]


def _standing_assignments(unit_ids, day) -> list[Held]:
    return held_rows(
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
    (leaving,) = held_rows(Assignment.objects.filter(pk=proposal.from_assignment_id))
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
        return {key: report[key] for key in ("units_meeting", "ratio", "met")}

    return {
        "as_of": day,
        "total_units": report_before["total_units"],
        "target": report_before["target"],
        "before": summary(report_before),
        "after": summary(report_after),
        "changed_units": changed,
    }

"""Reads on the personnel registry."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q

from lib.text import fold

from . import retirement
from .models import (
    Assignment,
    Committee,
    Official,
    OrgUnit,
    PlanningEntry,
    Position,
)


def unit_parent_map() -> dict[int, int | None]:
    """id → parent id for every unit, in one query (the tree is small: hundreds of units)."""
    return dict(OrgUnit.objects.values_list("id", "parent_id"))


def unit_ancestor_ids(
    unit_id: int | None, parents: dict[int, int | None] | None = None
) -> list[int]:
    """The unit itself and its ancestors, nearest first."""
    if parents is None:
        parents = unit_parent_map()
    chain, seen = [], set()
    while unit_id is not None and unit_id not in seen:
        seen.add(unit_id)
        chain.append(unit_id)
        unit_id = parents.get(unit_id)
    return chain


def unit_subtree_ids(unit_id: int, parents: dict[int, int | None] | None = None) -> set[int]:
    """The unit and every unit below it."""
    if parents is None:
        parents = unit_parent_map()
    return {uid for uid in parents if unit_id in unit_ancestor_ids(uid, parents)}


def unit_is_within(unit_id: int | None, ancestor_id: int, parents=None) -> bool:
    return unit_id is not None and ancestor_id in unit_ancestor_ids(unit_id, parents)


def is_local(
    official: Official,
    unit: OrgUnit,
    *,
    rule: str = Committee.LocalityRule.HOMETOWN_OR_BIRTHPLACE,
    parents=None,
) -> bool:
    """Người địa phương: the official's hometown or birthplace (per `rule`) lies in the unit's subtree."""
    places = []
    if rule in (Committee.LocalityRule.HOMETOWN_OR_BIRTHPLACE, Committee.LocalityRule.HOMETOWN):
        places.append(official.hometown_unit_id)
    if rule in (Committee.LocalityRule.HOMETOWN_OR_BIRTHPLACE, Committee.LocalityRule.BIRTHPLACE):
        places.append(official.birthplace_unit_id)
    if parents is None:
        parents = unit_parent_map()
    return any(unit_is_within(place, unit.id, parents) for place in places)


def official_retirement_date(official: Official) -> dt.date:
    return retirement.retirement_date(official.gender, official.birth_date)


def official_remaining_service_months(official: Official, on: dt.date) -> int:
    return retirement.remaining_service_months(official.gender, official.birth_date, on)


def active_on_q(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start__lte": day}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": day})
    )


def official_assignments_on(official: Official, day: dt.date):
    """The official's posts held on `day`, main post first."""
    return (
        Assignment.objects.filter(active_on_q(day), official=official)
        .select_related("position__unit", "position__title")
        .order_by("is_concurrent", "-start")
    )


def position_holders_on(position: Position, day: dt.date):
    return Assignment.objects.filter(active_on_q(day), position=position).select_related("official")


def position_is_vacant_on(position: Position, day: dt.date) -> bool:
    return position_holders_on(position, day).count() < position.seats


def position_list(*, unit_id: int | None = None, vacant_on: dt.date | None = None, vacant=None):
    """Positions with unit and title; `vacant` True/False filters on free seats on `vacant_on`."""
    qs = Position.objects.select_related("unit", "title").order_by("unit__name", "title__order")
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if vacant is not None:
        day = vacant_on or dt.date.today()
        qs = qs.annotate(held=Count("assignments", filter=active_on_q(day, "assignments__")))
        qs = qs.filter(held__lt=F("seats")) if vacant else qs.filter(held__gte=F("seats"))
    return qs


def reads_every_record(actor) -> bool:
    """Staff (a committee, its board or office, a proposer scope, an administrator) read the
    registry; anyone else has no need to know another official's record (SPEC §11)."""
    return actor.is_superuser or bool(actor.report_committee_ids())


def official_list(
    *, search: str = "", unit_id: int | None = None, on: dt.date | None = None, actor=None
):
    """Officials, optionally matching a name without regard to diacritics, or posted in a unit's
    subtree on `on`; current assignments are prefetched so a page costs a fixed number of queries.
    With an `actor` who is not staff (`reads_every_record`): their own record only.

    Every searched word must begin a word of the name, in any order: "an" finds An, not Lan."""
    day = on or dt.date.today()
    qs = Official.objects.all()
    if actor is not None and not reads_every_record(actor):
        qs = qs.filter(pk=actor.official_id) if actor.official_id else qs.none()
    for word in fold(search).split():
        qs = qs.filter(Q(search_name__startswith=word) | Q(search_name__contains=f" {word}"))
    if unit_id is not None:
        units = unit_subtree_ids(unit_id)
        qs = qs.filter(
            id__in=Assignment.objects.filter(active_on_q(day), position__unit_id__in=units).values(
                "official_id"
            )
        )
    current = (
        Assignment.objects.filter(active_on_q(day))
        .select_related("position__unit", "position__title")
        .order_by("is_concurrent", "-start")
    )
    return qs.prefetch_related(
        Prefetch("assignments", queryset=current, to_attr="current_assignments")
    )


def user_roles(user, on: dt.date | None = None) -> list[str]:
    """Role names held by a user on a day (personnel.roles.Actor.role_names)."""
    from .roles import Actor  # roles reads the unit tree from this module

    return Actor.for_user(user, day=on).role_names()


# --- Registry pages (personnel/views.py) ----------------------------------------------------


# Siblings in the order a Vietnamese list gives them: the town before the communes, agencies last.
KIND_ORDER = {
    OrgUnit.Kind.PROVINCE: 0,
    OrgUnit.Kind.DISTRICT: 1,
    OrgUnit.Kind.TOWN: 2,
    OrgUnit.Kind.WARD: 3,
    OrgUnit.Kind.COMMUNE: 4,
    OrgUnit.Kind.AGENCY: 5,
}


def unit_sorted(units, *, by_kind: bool = False) -> list[OrgUnit]:
    """Units by name as a Vietnamese reader expects ("Đà Bắc" before "Mai Châu"), which neither
    SQLite's nor every PostgreSQL collation gives; `by_kind` groups them by kind first."""

    def key(unit):
        rank = KIND_ORDER.get(unit.kind, len(KIND_ORDER)) if by_kind else 0
        return (rank, fold(unit.name), unit.name, unit.id)

    return sorted(units, key=key)


@dataclass
class UnitNode:
    """A unit in the tree with its posts, seats and seats vacant on the day asked."""

    unit: OrgUnit
    depth: int = 0
    posts: int = 0
    seats: int = 0
    vacancies: int = 0
    children: list["UnitNode"] = field(default_factory=list)


def unit_tree(*, on: dt.date | None = None) -> list[UnitNode]:
    """Every unit as a tree, roots first and siblings by kind and Vietnamese name order, with its
    post and vacancy counts on `on`; two queries whatever the size of the tree."""
    day = on or dt.date.today()
    units = unit_sorted(OrgUnit.objects.all(), by_kind=True)
    nodes = {unit.id: UnitNode(unit=unit) for unit in units}
    held = Position.objects.annotate(
        held=Count("assignments", filter=active_on_q(day, "assignments__"))
    ).values_list("unit_id", "seats", "held")
    for unit_id, seats, holders in held:
        node = nodes[unit_id]
        node.posts += 1
        node.seats += seats
        node.vacancies += max(0, seats - holders)
    roots = []
    for unit in units:
        parent = nodes.get(unit.parent_id)
        (parent.children if parent else roots).append(nodes[unit.id])
    stack = [(root, 0) for root in roots]
    while stack:
        node, depth = stack.pop()
        node.depth = depth
        stack.extend((child, depth + 1) for child in node.children)
    return roots


def unit_ancestors(unit: OrgUnit, parents=None) -> list[OrgUnit]:
    """The units above `unit`, from the root down (for breadcrumbs)."""
    ids = unit_ancestor_ids(unit.id, parents)[1:]
    found = OrgUnit.objects.in_bulk(ids)
    return [found[uid] for uid in reversed(ids) if uid in found]


def unit_committee(unit: OrgUnit, parents=None) -> Committee | None:
    """The active committee nearest above (or at) the unit: the one whose rules apply to it."""
    chain = unit_ancestor_ids(unit.id, parents)
    committees = {c.unit_id: c for c in Committee.objects.filter(unit_id__in=chain, is_active=True)}
    return next((committees[uid] for uid in chain if uid in committees), None)


@dataclass
class PostRow:
    """A post of a unit on a day: who holds it (each with "is local to the unit") and free seats."""

    position: Position
    holders: list[tuple[Assignment, bool]]
    vacancies: int


def unit_posts_on(unit: OrgUnit, day: dt.date | None = None) -> list[PostRow]:
    """The unit's posts in title order with their holders on `day`; locality follows the rule
    of the committee that governs the unit."""
    day = day or dt.date.today()
    parents = unit_parent_map()
    committee = unit_committee(unit, parents)
    rule = committee.locality_rule if committee else Committee.LocalityRule.HOMETOWN_OR_BIRTHPLACE
    current = (
        Assignment.objects.filter(active_on_q(day)).select_related("official").order_by("start")
    )
    positions = (
        Position.objects.filter(unit=unit)
        .select_related("title")
        .prefetch_related(Prefetch("assignments", queryset=current, to_attr="holders_on_day"))
        .order_by("title__order", "title__name", "id")
    )
    rows = []
    for position in positions:
        holders = [
            (a, is_local(a.official, unit, rule=rule, parents=parents))
            for a in position.holders_on_day
        ]
        rows.append(PostRow(position, holders, max(0, position.seats - len(holders))))
    return rows


def official_assignment_history(official: Official):
    """Every post the official has held, latest first."""
    return (
        Assignment.objects.filter(official=official)
        .select_related("position__unit", "position__title")
        .order_by("-start", "-id")
    )


def official_planning(official: Official):
    """The official's planning entries, latest term first."""
    return (
        PlanningEntry.objects.filter(official=official)
        .select_related("title", "term")
        .order_by("-term__start", "title__order", "title__name")
    )

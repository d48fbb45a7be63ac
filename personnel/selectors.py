"""Reads on the personnel registry."""

import datetime as dt

from django.db.models import Count, F, Prefetch, Q

from lib.text import fold

from . import retirement
from .models import (
    Assignment,
    BoardMember,
    Committee,
    CommitteeMember,
    CommitteeOfficeMember,
    Official,
    OrgUnit,
    Position,
    ProposerScope,
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


def official_list(*, search: str = "", unit_id: int | None = None, on: dt.date | None = None):
    """Officials, optionally matching a name without regard to diacritics, or posted in a unit's
    subtree on `on`; current assignments are prefetched so a page costs a fixed number of queries."""
    day = on or dt.date.today()
    qs = Official.objects.all()
    for word in fold(search).split():
        qs = qs.filter(search_name__contains=word)
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
    """Role names held by a user on a day, from membership data (never from the username)."""
    if not user.is_authenticated:
        return []
    day = on or dt.date.today()
    roles = set()
    if user.is_superuser:
        roles.add("admin")
    for role in (
        CommitteeMember.objects.active_on(day).filter(user=user).values_list("role", flat=True)
    ):
        roles.add("committee_member")
        if role == CommitteeMember.Role.CHAIR:
            roles.add("committee_chair")
        elif role == CommitteeMember.Role.DEPUTY:
            roles.add("committee_deputy")
    for role in BoardMember.objects.active_on(day).filter(user=user).values_list("role", flat=True):
        if role == BoardMember.Role.HEAD:
            roles.update({"board_head", "board_member"})
        elif role == BoardMember.Role.MEMBER:
            roles.add("board_member")
        else:
            roles.add("board_specialist")
    if CommitteeOfficeMember.objects.active_on(day).filter(user=user).exists():
        roles.add("office")
    if ProposerScope.objects.active_on(day).filter(user=user).exists():
        roles.add("proposer")
    if Official.objects.filter(user=user).exists():
        roles.add("official")
    return sorted(roles)

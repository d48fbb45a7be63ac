"""Pages of the personnel registry: the unit tree, a unit's posts, the list of officials and an
official's record. Staff read the whole registry, anyone else only their own record (SPEC §11),
as in the API; reads go through personnel.selectors."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from lib.params import query_int

from . import selectors
from .models import OrgUnit
from .roles import request_actor

OFFICIALS_PER_PAGE = 25


@login_required
@require_safe
def unit_tree(request):
    today = dt.date.today()
    return render(
        request,
        "personnel/unit_tree.html",
        {"roots": selectors.unit_tree(on=today), "today": today},
    )


@login_required
@require_safe
def unit_detail(request, pk):
    unit = get_object_or_404(OrgUnit, pk=pk)
    today = dt.date.today()
    posts = selectors.unit_posts_on(unit, today)
    return render(
        request,
        "personnel/unit_detail.html",
        {
            "unit": unit,
            "ancestors": selectors.unit_ancestors(unit),
            "children": selectors.unit_sorted(unit.children.all(), by_kind=True),
            "posts": posts,
            "vacancies": sum(row.vacancies for row in posts),
            "today": today,
        },
    )


@login_required
@require_safe
def official_list(request):
    search = request.GET.get("q", "").strip()
    unit = _unit_param(request)
    officials = selectors.official_list(
        search=search, unit_id=unit.id if unit else None, actor=request_actor(request)
    )
    page = Paginator(officials, OFFICIALS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "personnel/official_list.html",
        {
            "page": page,
            "search": search,
            "unit": unit,
            "units": selectors.unit_sorted(OrgUnit.objects.all()),
        },
    )


def _unit_param(request):
    """The unit filter; an unknown id filters nothing, a malformed one is a 400."""
    pk = query_int(request, "unit")
    return None if pk is None else OrgUnit.objects.filter(pk=pk).first()


@login_required
@require_safe
def official_detail(request, pk):
    officials = selectors.official_list(actor=request_actor(request))
    official = get_object_or_404(
        officials.select_related("hometown_unit", "birthplace_unit"), pk=pk
    )
    today = dt.date.today()
    return render(
        request,
        "personnel/official_detail.html",
        {
            "official": official,
            "current": selectors.official_assignments_on(official, today),
            "history": selectors.official_assignment_history(official),
            "planning": selectors.official_planning(official),
            "retirement_date": selectors.official_retirement_date(official),
            "remaining_months": selectors.official_remaining_service_months(official, today),
            "today": today,
        },
    )

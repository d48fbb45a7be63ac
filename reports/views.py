"""Report pages and their CSV exports (SPEC §7). Thin: a guard picks the committee the user may
read, a selector reads, reports.tables shapes the rows that both the page and the CSV show."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from lib.dates import parse_date
from lib.params import query_int
from lib.text import fold
from personnel.roles import request_actor
from workflow.selectors import proposals_visible

from . import charts, selectors, tables
from .csv import table_csv_response

REPORTS = [
    ("locality", gettext_lazy("Non-local target")),
    ("pipeline", gettext_lazy("Pipeline")),
    ("directions", gettext_lazy("Rotations by direction")),
    ("cadres-due", gettext_lazy("Cadres due for rotation")),
]


class NoCommittee(Exception):
    pass


def _get_committee_for_user(request):
    """The committee asked for (?committee=id) or the user's first one; 404 if the user may not
    read it, NoCommittee if they hold a role in none."""
    committees = sorted(
        selectors.report_committees(request_actor(request)),
        key=lambda c: (not c.is_active, fold(c.name), c.id),
    )
    wanted = query_int(request, "committee")
    if wanted is None:
        if not committees:
            raise NoCommittee
        return committees[0], committees
    for committee in committees:
        if committee.id == wanted:
            return committee, committees
    raise Http404


def _forbidden(request):
    reason = _(
        "You hold no role in a committee (member, organisation board, office or "
        "proposer), so there are no reports for you."
    )
    return render(request, "reports/forbidden.html", {"reason": reason}, status=403)


def _page(request, name, template, build, *, fmt=None):
    """Shared flow: guard, build, then either one table as CSV or the whole page."""
    try:
        committee, committees = _get_committee_for_user(request)
    except NoCommittee:
        return _forbidden(request)
    context = {
        "reports": REPORTS,
        "current": name,
        "committee": committee,
        "committees": committees,
        "error": "",
    }
    context.update(build(request, committee, context))
    query = {"committee": committee.id, **context.get("csv_params", {})}
    for table in context["tables"]:
        table.csv_url = (
            reverse(f"reports:{name}-csv") + "?" + urlencode({**query, "table": table.key})
        )
    if fmt == "csv" or request.GET.get("format") == "csv":
        if context["error"]:
            return HttpResponseBadRequest(
                context["error"], content_type="text/plain; charset=utf-8"
            )
        key = request.GET.get("table") or context["tables"][0].key
        table = next((t for t in context["tables"] if t.key == key), None)
        if table is None:
            raise Http404
        stamp = context.get("stamp") or timezone.localdate()
        return table_csv_response(table, f"{name}-{key}-{stamp:%Y-%m-%d}.csv")
    return render(request, template, context, status=400 if context["error"] else 200)


@login_required
@require_safe
def index(request):
    try:
        committee, committees = _get_committee_for_user(request)
    except NoCommittee:
        return _forbidden(request)
    return render(
        request,
        "reports/index.html",
        {"reports": REPORTS, "current": "", "committee": committee, "committees": committees},
    )


def _as_of(request):
    """(day, error context): the ?as_of= date, today when absent."""
    raw = request.GET.get("as_of", "")
    today = timezone.localdate()
    if not raw:
        return today, None
    day = parse_date(raw)
    if day is None:
        return today, {
            "error": _("The date is not valid; write it as dd/mm/yyyy."),
            "as_of": today,
            "tables": [],
        }
    return day, None


def _build_locality(request, committee, context):
    as_of, error = _as_of(request)
    if error:
        return error
    impact = None
    if request.GET.get("proposal"):
        # The change a proposal of this committee would make (linked from the proposal page).
        proposal = (
            proposals_visible(request_actor(request))
            .filter(pk=query_int(request, "proposal"), committee=committee)
            .first()
        )
        if proposal is None:
            raise Http404
        impact = selectors.locality_impact(proposal)
        impact["proposal"] = proposal
    report = selectors.locality_report(committee=committee, as_of=as_of)
    value = tables.fmt_percent(report["ratio"])
    target = tables.fmt_percent(report["target"])
    return {
        "report": report,
        "impact": impact,
        "as_of": as_of,
        "stamp": as_of,
        "csv_params": {"as_of": as_of.isoformat()},
        "tables": tables.locality_tables(report),
        "percent": value,
        "target_percent": target,
        "target_chart": charts.target_bar(
            ratio=report["ratio"],
            target=report["target"],
            value_label=f"{report['units_meeting']}/{report['total_units']} · {value}",
            target_label=_("Target %(percent)s") % {"percent": target},
            label=_(
                "%(meeting)s of %(total)s units have a non-local standing member (%(value)s); target %(target)s"
            )
            % {
                "meeting": report["units_meeting"],
                "total": report["total_units"],
                "value": value,
                "target": target,
            },
        ),
        "tiles_chart": charts.unit_tiles(
            units=[(unit["name"], unit["meets"]) for unit in report["units"]],
            yes=_("has a non-local standing member"),
            no=_("no non-local standing member"),
            label=_("Commune-level units by whether they meet the target"),
        ),
    }


def _build_pipeline(request, committee, context):
    report = selectors.pipeline_report(committee=committee, actor=request_actor(request))
    return {
        "report": report,
        "tables": tables.pipeline_tables(report),
        "states_chart": charts.hbar_chart(
            items=[(row["label"], row["count"], str(row["count"])) for row in report["by_state"]],
            label=_("Proposals by state"),
        ),
        "stages_chart": charts.hbar_chart(
            items=[
                (row["label"], row["median_days"] or 0, tables.fmt_days(row["median_days"]))
                for row in report["stages"]
            ],
            label=_("Median days spent in each stage"),
            colour=charts.SERIES[1],
        ),
    }


def _build_directions(request, committee, context):
    report = selectors.direction_report(committee=committee, actor=request_actor(request))
    return {
        "report": report,
        "tables": tables.direction_tables(report),
        "chart": charts.stacked_columns(
            categories=[str(row["year"]) for row in report["years"]],
            series=[
                (d["label"], [row["counts"][d["code"]] for row in report["years"]])
                for d in report["directions"]
            ],
            label=_("Decided moves by direction and year"),
        ),
    }


def _build_cadres_due(request, committee, context):
    as_of, error = _as_of(request)
    if error:
        return error
    report = selectors.cadres_due_report(committee=committee, on=as_of)
    return {
        "report": report,
        "as_of": as_of,
        "stamp": as_of,
        "csv_params": {"as_of": as_of.isoformat()},
        "tables": tables.cadres_due_tables(report),
        "term_share": round(selectors.TERM_COUNTS_FROM_SHARE * 100),
    }


def _report(name, build):
    """The view of one report: its page, or one of its tables as CSV."""

    @login_required
    @require_safe
    def view(request, fmt=None):
        template = f"reports/{name.replace('-', '_')}.html"
        return _page(request, name, template, build, fmt=fmt)

    return view


locality = _report("locality", _build_locality)
pipeline = _report("pipeline", _build_pipeline)
directions = _report("directions", _build_directions)
cadres_due = _report("cadres-due", _build_cadres_due)

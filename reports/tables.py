"""The tables each report page shows, built from the selectors' plain data. The page and the CSV
export render the same Table, so the export always equals what is on screen."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lib.dates import short_date
from lib.numbers import fmt_number, fmt_percent  # noqa: F401 (fmt_percent: the views use it)


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    # A CSS class per row (same length as rows, or empty): "ok", "bad" or "".
    row_classes: list[str] = field(default_factory=list)
    empty: str = ""
    # Columns holding numbers, right-aligned on screen.
    numeric: frozenset = frozenset()
    # Set by the view: where this table downloads as CSV.
    csv_url: str = ""

    def rows_with_classes(self):
        classes = self.row_classes or [""] * len(self.rows)
        return list(zip(self.rows, classes, strict=True))


def fmt_bool(value: bool) -> str:
    return _("Yes") if value else _("No")


def fmt_days(days: float | None) -> str:
    return "" if days is None else fmt_number(days)


# --- 1. Non-local target ----------------------------------------------------------------------


def _members(unit: dict, *, local: bool) -> str:
    return "; ".join(
        f"{m['name']} ({m['title']})" for m in unit["standing_members"] if m["local"] == local
    )


def locality_tables(report: dict) -> list[Table]:
    units = Table(
        key="units",
        title=_("Commune-level units"),
        headers=[
            _("No."),
            _("Unit"),
            _("Has a non-local standing member"),
            _("Non-local standing members"),
            _("Local standing members"),
            _("Vacant standing posts"),
        ],
        numeric=frozenset({0}),
        empty=_("No commune-level units on this date."),
    )
    members = Table(
        key="members",
        title=_("Standing members"),
        headers=[_("Unit"), _("Full name"), _("Title"), _("Local person"), _("Reason")],
        empty=_("No standing members on this date."),
    )
    for number, unit in enumerate(report["units"], start=1):
        units.rows.append(
            [
                str(number),
                unit["name"],
                fmt_bool(unit["meets"]),
                _members(unit, local=False),
                _members(unit, local=True),
                "; ".join(unit["vacant_posts"]),
            ]
        )
        units.row_classes.append("ok" if unit["meets"] else "bad")
        for m in unit["standing_members"]:
            members.rows.append(
                [unit["name"], m["name"], m["title"], fmt_bool(m["local"]), m["why"]]
            )
            members.row_classes.append("" if m["local"] else "ok")
    return [units, members]


# --- 2. Pipeline ------------------------------------------------------------------------------


def pipeline_tables(report: dict) -> list[Table]:
    states = Table(
        key="states",
        title=_("Proposals by state"),
        headers=[_("State"), _("Proposals")],
        rows=[[row["label"], str(row["count"])] for row in report["by_state"]],
        numeric=frozenset({1}),
    )
    states.rows.append([_("Total"), str(report["total"])])
    stages = Table(
        key="stages",
        title=_("Days spent in each stage"),
        headers=[
            _("Stage"),
            _("Median days"),
            _("Times entered"),
            _("Now in it"),
            _("Overdue after (days)"),
        ],
        numeric=frozenset({1, 2, 3, 4}),
    )
    for row in report["stages"]:
        limit = report["thresholds"].get(row["state"])
        stages.rows.append(
            [
                row["label"],
                fmt_days(row["median_days"]),
                str(row["stays"]),
                str(row["now_in_stage"]),
                "" if limit is None else str(limit),
            ]
        )
    overdue = Table(
        key="overdue",
        title=_("Overdue proposals"),
        headers=[
            _("Proposal"),
            _("Official"),
            _("Kind"),
            _("Target post"),
            _("State"),
            _("In this state since"),
            _("Days"),
            _("Effective date"),
            _("Why overdue"),
        ],
        numeric=frozenset({0, 6}),
        empty=_("Nothing is overdue."),
    )
    for item in report["overdue"]:
        overdue.rows.append(
            [
                f"#{item['id']}",
                item["official"],
                item["kind_label"],
                item["target_position"],
                item["state_label"],
                short_date(item["since"]),
                "" if item["days_in_state"] is None else str(item["days_in_state"]),
                short_date(item["effective_date"]),
                "; ".join(item["reasons"]),
            ]
        )
        overdue.row_classes.append("bad")
    return [states, stages, overdue]


# --- 3. Directions ----------------------------------------------------------------------------


def direction_tables(report: dict) -> list[Table]:
    codes = [d["code"] for d in report["directions"]]
    table = Table(
        key="by_year",
        title=_("Decided moves by direction and year"),
        headers=[_("Year"), *[d["label"] for d in report["directions"]], _("Total")],
        numeric=frozenset(range(1, len(codes) + 2)),
        empty=_("No decided moves yet."),
    )
    for row in report["years"]:
        table.rows.append(
            [str(row["year"]), *[str(row["counts"][c]) for c in codes], str(row["total"])]
        )
        table.row_classes.append("")
    if report["years"]:
        table.rows.append(
            [_("Total"), *[str(report["totals"][c]) for c in codes], str(report["total"])]
        )
        table.row_classes.append("total")
    return [table]


# --- 4. Cadres due ----------------------------------------------------------------------------


def cadres_due_tables(report: dict) -> list[Table]:
    local = Table(
        key="local",
        title=_("Local people in posts that must be held by a non-local person"),
        headers=[_("Full name"), _("Post"), _("Unit"), _("Since"), _("Reason")],
        rows=[
            [r["name"], r["position"], r["unit"], short_date(r["since"]), r["why"]]
            for r in report["local_in_key_posts"]
        ],
        empty=_("No local person holds such a post."),
    )
    heads = Table(
        key="heads",
        title=_("Heads in a second consecutive term in the same unit"),
        headers=[
            _("Full name"),
            _("Post"),
            _("Unit"),
            _("Head there since"),
            _("Consecutive terms"),
            _("Terms"),
        ],
        rows=[
            [
                r["name"],
                r["position"],
                r["unit"],
                short_date(r["since"]),
                str(r["terms"]),
                ", ".join(r["term_names"]),
            ]
            for r in report["heads_in_second_term"]
        ],
        numeric=frozenset({4}),
        empty=(
            _("No head is in a second consecutive term.")
            if report["current_term"]
            else _("The committee has no Party term covering this date; add its terms.")
        ),
    )
    return [local, heads]

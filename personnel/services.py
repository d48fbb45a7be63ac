"""Writes on the personnel registry: positions, and the all-or-nothing CSV import (SPEC §8).

The import reads one UTF-8 CSV file with a header row and a `record` column that says what each
row is (`unit`, `official` or `assignment`). Every row is checked before anything is written;
one bad row and nothing is imported, and every bad row is reported with its line number.
"""

import csv
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lib.dates import parse_date, short_date
from lib.text import fold

from .models import Assignment, Official, OrgUnit, Position, PositionTitle

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


# --- Small shared writes ----------------------------------------------------------------------


def upsert(model: type[models.Model], *, lookup: dict, values: dict) -> tuple[models.Model, str]:
    """Create the row found by `lookup` or bring its `values` up to date, saving only what
    differs, so a second run with the same data writes nothing. Returns (row, status)."""
    obj = model.objects.filter(**lookup).order_by("pk").first()
    if obj is None:
        return model.objects.create(**lookup, **values), CREATED
    changed = []
    for name, value in values.items():
        model_field = model._meta.get_field(name)
        if model_field.is_relation:
            current, wanted = getattr(obj, model_field.attname), getattr(value, "pk", value)
        else:
            current, wanted = getattr(obj, name), value
        if current != wanted:
            setattr(obj, name, value)
            changed.append(name)
    if not changed:
        return obj, UNCHANGED
    obj.save(update_fields=changed)
    return obj, UPDATED


def position_default_name(*, unit: OrgUnit, title: PositionTitle) -> str:
    """ "Bí thư Đảng ủy" in "Xã Tú Lý" → "Bí thư Đảng ủy xã Tú Lý"; agencies keep their name."""
    unit_name = unit.name
    if unit.kind != OrgUnit.Kind.AGENCY and unit_name:
        unit_name = unit_name[0].lower() + unit_name[1:]
    return f"{title.name} {unit_name}"


def position_get_or_create(
    *, unit: OrgUnit, title: PositionTitle, name: str = "", seats: int = 1
) -> tuple[Position, bool]:
    """The post of `title` in `unit`; created with `name` (or the default name) when missing."""
    return Position.objects.get_or_create(
        unit=unit,
        title=title,
        defaults={"name": name or position_default_name(unit=unit, title=title), "seats": seats},
    )


# --- CSV import -------------------------------------------------------------------------------

RECORD_UNIT, RECORD_OFFICIAL, RECORD_ASSIGNMENT = "unit", "official", "assignment"

# Column → what it holds; the command's help and docs/import_example.csv repeat this table.
IMPORT_COLUMNS = {
    "record": "unit | official | assignment (a row whose record starts with # is a comment)",
    "code": "unit: unique code",
    "name": "unit: name, e.g. Xã Tú Lý",
    "kind": "unit: province, district, commune, town, ward, agency "
    "(or tỉnh, huyện, xã, thị trấn, phường, cơ quan)",
    "parent_code": "unit: code of the parent unit (empty: top level)",
    "key": "official: id in the source register; re-imports match on it",
    "full_name": "official: full name",
    "gender": "official: nam / nữ, or male / female",
    "birth_date": "official: dd/mm/yyyy or yyyy-mm-dd",
    "hometown_code": "official: unit code of the hometown (quê quán)",
    "birthplace_code": "official: unit code of the birthplace (nơi sinh)",
    "ethnicity": "official: ethnic group, e.g. Mường",
    "official_key": "assignment: key of the official",
    "unit_code": "assignment: code of the unit",
    "title_code": "assignment: code of an existing position title",
    "start": "assignment: first day, dd/mm/yyyy or yyyy-mm-dd",
    "end": "assignment: last day (empty: still held)",
    "is_concurrent": "assignment: 1/có/yes for a concurrent post (kiêm nhiệm), else empty",
    "decision_ref": "assignment: number of the decision, e.g. Số 45-QĐ/HU",
}

# Optional columns: when a column is absent from the file the stored value is left alone;
# when it is present, an empty cell clears the value.
_OFFICIAL_OPTIONAL = {
    "hometown_code": "hometown_unit",
    "birthplace_code": "birthplace_unit",
    "ethnicity": "ethnicity",
}

_RECORD_ALIASES = {
    **dict.fromkeys(("unit", "don vi"), RECORD_UNIT),
    **dict.fromkeys(("official", "can bo"), RECORD_OFFICIAL),
    **dict.fromkeys(("assignment", "phan cong"), RECORD_ASSIGNMENT),
}
_KIND_ALIASES = {
    **{kind.value: kind.value for kind in OrgUnit.Kind},
    "tinh": OrgUnit.Kind.PROVINCE,
    "huyen": OrgUnit.Kind.DISTRICT,
    "xa": OrgUnit.Kind.COMMUNE,
    "thi tran": OrgUnit.Kind.TOWN,
    "phuong": OrgUnit.Kind.WARD,
    "co quan": OrgUnit.Kind.AGENCY,
}
_GENDER_ALIASES = {
    **dict.fromkeys(("nam", "male", "m"), Official.Gender.MALE),
    **dict.fromkeys(("nu", "female", "f"), Official.Gender.FEMALE),
}
_BAD_KIND = _(
    "unknown unit kind “%(value)s”; expected province, district, commune, town, ward or agency"
)
_BAD_GENDER = _("unknown gender “%(value)s”; expected “male” or “female”")
_TRUE = {"1", "true", "yes", "y", "x", "co"}
_FALSE = {"", "0", "false", "no", "n", "khong"}
_EARLIEST_YEAR = 1900


@dataclass(frozen=True)
class RowError:
    """One problem on one line of the file (line 1 is the header): a gettext message and its
    parameters, shown in the active language."""

    line: int
    code: str
    message: str
    params: dict = field(default_factory=dict)

    def text(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)

    def __str__(self):
        return gettext("Line %(line)s: %(message)s") % {"line": self.line, "message": self.text()}


class ImportRejected(Exception):
    """The file has bad rows; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        params = {"errors": len(errors), "lines": len({e.line for e in errors})}
        super().__init__(
            gettext("Nothing imported: %(errors)s error(s) on %(lines)s line(s).") % params
        )


@dataclass
class ImportResult:
    """What the import did, per record kind: counts of created / updated / unchanged rows."""

    counts: dict[str, Counter] = field(default_factory=dict)
    positions_created: int = 0
    dry_run: bool = False

    def add(self, record: str, status: str):
        self.counts.setdefault(record, Counter())[status] += 1


@dataclass
class _KeyedRow:
    """A unit (keyed on its code) or an official (keyed on its key) read from the file."""

    line: int
    key: str
    values: dict


@dataclass
class _AssignmentRow:
    line: int
    official_key: str
    unit_code: str
    title_code: str
    start: dt.date
    values: dict


class _Validator:
    """Checks every row against the file so far and the database, collecting errors; reads only."""

    def __init__(self, header: list[str]):
        self.header = set(header)
        self.errors: list[RowError] = []
        self.units: dict[str, _KeyedRow] = {}
        self.officials: dict[str, _KeyedRow] = {}
        self.assignments: dict[tuple, _AssignmentRow] = {}
        # code → parent code for every unit known so far (database, then the file's rows).
        self.parent_code: dict[str, str | None] = dict(
            OrgUnit.objects.values_list("code", "parent__code")
        )
        self.db_official_keys = set(
            Official.objects.exclude(external_id="").values_list("external_id", flat=True)
        )
        self.titles = {t.code: t for t in PositionTitle.objects.all()}
        # Where each unit / official is defined in the file, to explain a forward reference.
        self.defined_on: dict[tuple[str, str], int] = {}

    def error(self, line: int, code: str, message, /, **params):
        self.errors.append(RowError(line, code, message, params))

    def empty(self, line: int, column: str):
        self.error(line, "empty", _("column “%(column)s” is empty"), column=column)

    # Cells.

    def text(self, line, row, column, model, field_name, *, required=False) -> str:
        value = (row.get(column) or "").strip()
        if required and not value:
            self.empty(line, column)
            return value
        limit = model._meta.get_field(field_name).max_length
        if limit and len(value) > limit:
            self.error(
                line,
                "too_long",
                _("column “%(column)s” is longer than %(limit)s characters"),
                column=column,
                limit=limit,
            )
        return value

    def date(self, line, row, column, *, required=False) -> dt.date | None:
        raw = (row.get(column) or "").strip()
        if not raw:
            if required:
                self.empty(line, column)
            return None
        day = parse_date(raw)
        if day and day.year >= _EARLIEST_YEAR:
            return day
        self.error(
            line,
            "bad_date",
            _("invalid date “%(value)s” in column “%(column)s”; expected dd/mm/yyyy or yyyy-mm-dd"),
            value=raw,
            column=column,
        )
        return None

    def unit_ref(self, line, row, column) -> str | None:
        """A unit code that must be in the database or defined on an earlier row."""
        code = (row.get(column) or "").strip()
        if not code:
            return None
        if code in self.parent_code:
            return code
        self.undefined(
            line,
            RECORD_UNIT,
            code,
            _(
                "unit “%(code)s” in column “%(column)s” is defined later, on line %(later)s; move that row up"
            ),
            _("unknown unit code “%(code)s” in column “%(column)s”"),
            code=code,
            column=column,
        )
        return None

    def undefined(
        self, line: int, record: str, ref: str, later_message, unknown_message, /, **params
    ):
        """A unit or official the row refers to that is neither stored nor defined on an earlier
        row: say so, and where it is defined if a later row defines it."""
        later = self.defined_on.get((record, ref))
        if later and later > line:
            self.error(line, f"{record}_defined_later", later_message, later=later, **params)
        else:
            self.error(line, f"unknown_{record}", unknown_message, **params)

    def choice(self, line: int, row: dict, column: str, aliases: dict, code: str, message):
        """The value `aliases` gives for the column's folded text; an error (with the text as
        `value`) if it gives none."""
        raw = (row.get(column) or "").strip()
        value = aliases.get(fold(raw))
        if value is None:
            self.error(line, code, message, value=raw)
        return value

    # Rows.

    def unit(self, line: int, row: dict):
        code = self.text(line, row, "code", OrgUnit, "code", required=True)
        name = self.text(line, row, "name", OrgUnit, "name", required=True)
        kind = self.choice(line, row, "kind", _KIND_ALIASES, "bad_kind", _BAD_KIND)
        parent_code = None
        if (row.get("parent_code") or "").strip() == code and code:
            self.error(line, "own_parent", _("a unit cannot be its own parent"))
        else:
            parent_code = self.unit_ref(line, row, "parent_code")
            if parent_code and self._would_cycle(code, parent_code):
                self.error(
                    line,
                    "parent_cycle",
                    _("unit “%(parent)s” lies under “%(code)s” and cannot be its parent"),
                    parent=parent_code,
                    code=code,
                )
                parent_code = None
        if code in self.units:
            self.error(
                line,
                "duplicate_unit",
                _("unit code “%(code)s” is already defined on line %(other)s"),
                code=code,
                other=self.units[code].line,
            )
            return
        if not code:
            return
        values = {"name": name, "kind": kind}
        if "parent_code" in self.header:
            values["parent_code"] = parent_code
        self.units[code] = _KeyedRow(line, code, values)
        # Later rows may refer to it; the parent (if the file sets it) is what the tree will be.
        self.parent_code[code] = (
            parent_code if "parent_code" in self.header else self.parent_code.get(code)
        )

    def _would_cycle(self, code: str, parent_code: str) -> bool:
        seen, current = set(), parent_code
        while current is not None and current not in seen:
            if current == code:
                return True
            seen.add(current)
            current = self.parent_code.get(current)
        return False

    def official(self, line: int, row: dict):
        key = self.text(line, row, "key", Official, "external_id", required=True)
        full_name = self.text(line, row, "full_name", Official, "full_name", required=True)
        gender = self.choice(line, row, "gender", _GENDER_ALIASES, "bad_gender", _BAD_GENDER)
        birth_date = self.date(line, row, "birth_date", required=True)
        if birth_date and birth_date > dt.date.today():
            self.error(
                line,
                "future_birth_date",
                _("birth date %(day)s is in the future"),
                day=short_date(birth_date),
            )
        values = {"full_name": full_name, "gender": gender, "birth_date": birth_date}
        for column, model_field in _OFFICIAL_OPTIONAL.items():
            if column not in self.header:
                continue
            if column == "ethnicity":
                values[model_field] = self.text(line, row, column, Official, "ethnicity")
            else:
                values[model_field] = self.unit_ref(line, row, column)
        if key in self.officials:
            self.error(
                line,
                "duplicate_official",
                _("official key “%(key)s” is already defined on line %(other)s"),
                key=key,
                other=self.officials[key].line,
            )
            return
        if key:
            self.officials[key] = _KeyedRow(line, key, values)

    def assignment(self, line: int, row: dict):
        official_key = (row.get("official_key") or "").strip()
        if not official_key:
            self.empty(line, "official_key")
        elif official_key not in self.officials and official_key not in self.db_official_keys:
            self.undefined(
                line,
                RECORD_OFFICIAL,
                official_key,
                _("official “%(key)s” is defined later, on line %(later)s; move that row up"),
                _("unknown official key “%(key)s”"),
                key=official_key,
            )
        unit_code = (row.get("unit_code") or "").strip()
        if not unit_code:
            self.empty(line, "unit_code")
        else:
            unit_code = self.unit_ref(line, row, "unit_code") or ""
        title_code = (row.get("title_code") or "").strip()
        if title_code not in self.titles:
            self.error(
                line,
                "unknown_title",
                _("unknown position title code “%(code)s”; titles are set up in the admin"),
                code=title_code,
            )
        start = self.date(line, row, "start", required=True)
        end = self.date(line, row, "end")
        if start and end and end < start:
            self.error(
                line,
                "end_before_start",
                _("end date %(end)s is before start date %(start)s"),
                end=short_date(end),
                start=short_date(start),
            )
        raw_flag = fold(row.get("is_concurrent") or "")
        if raw_flag not in _TRUE | _FALSE:
            self.error(
                line,
                "bad_flag",
                _("column “is_concurrent” must be “yes” or empty, not “%(value)s”"),
                value=row.get("is_concurrent"),
            )
        values = {}
        if "end" in self.header:
            values["end"] = end
        if "is_concurrent" in self.header:
            values["is_concurrent"] = raw_flag in _TRUE
        if "decision_ref" in self.header:
            values["decision_ref"] = self.text(
                line, row, "decision_ref", Assignment, "decision_ref"
            )
        if not (official_key and unit_code and title_code in self.titles and start):
            return
        identity = (official_key, unit_code, title_code, start)
        if identity in self.assignments:
            self.error(
                line,
                "duplicate_assignment",
                _("duplicates the assignment on line %(other)s"),
                other=self.assignments[identity].line,
            )
            return
        self.assignments[identity] = _AssignmentRow(
            line, official_key, unit_code, title_code, start, values
        )

    def check_open_assignments(self):
        """An official holds a post at most once without an end date: after the import, the
        stored assignments and the file's rows together must leave one open span per post."""
        spans: dict[tuple, dict[dt.date, tuple[dt.date | None, int | None]]] = {}
        keys = {row.official_key for row in self.assignments.values()}
        for key, unit_code, title_code, start, end in Assignment.objects.filter(
            official__external_id__in=keys
        ).values_list(
            "official__external_id", "position__unit__code", "position__title__code", "start", "end"
        ):
            spans.setdefault((key, unit_code, title_code), {})[start] = (end, None)
        for row in self.assignments.values():
            post = spans.setdefault((row.official_key, row.unit_code, row.title_code), {})
            stored_end = post.get(row.start, (None, None))[0]
            post[row.start] = (row.values.get("end", stored_end), row.line)
        for post in spans.values():
            open_starts = sorted(start for start, (end, _) in post.items() if end is None)
            if len(open_starts) < 2:
                continue
            for start in open_starts:
                line = post[start][1]
                others = ", ".join(short_date(s) for s in open_starts if s != start)
                if line is not None:
                    self.error(
                        line,
                        "open_twice",
                        _(
                            "the official would hold this post twice with no end date, the other "
                            "from %(others)s; give an end date"
                        ),
                        others=others,
                    )


def _read_rows(stream: Iterable[str], delimiter: str):
    """(header, [(first line of the row, cells)]), skipping blank rows; ImportRejected for a file
    that is not a table."""
    reader = csv.reader(stream, delimiter=delimiter)
    rows = []
    try:
        header = next(reader, None)
        if header is None:
            raise ImportRejected([RowError(1, "empty_file", _("the file is empty"))])
        header = [h.strip().lstrip("\ufeff").lower() for h in header]
        line = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        message = _("malformed CSV: %(error)s")
        raise ImportRejected([RowError(reader.line_num, "malformed_csv", message, {"error": exc})])
    return header, rows


def personnel_import_csv(
    *, stream: Iterable[str], dry_run: bool = False, delimiter: str = ","
) -> ImportResult:
    """Import units, officials and assignments from CSV text, all or nothing (SPEC §8).

    Raises ImportRejected listing every bad row; then nothing has been written. Re-importing a
    file changes nothing: units match on `code`, officials on `key` (Official.external_id),
    assignments on official + post + start, and posts on unit + title.
    """
    header, rows = _read_rows(stream, delimiter)
    errors = []
    unknown = [h for h in header if h not in IMPORT_COLUMNS]
    if unknown:
        columns = {"columns": ", ".join(unknown)}
        errors.append(RowError(1, "unknown_columns", _("unknown columns: %(columns)s"), columns))
    if "record" not in header:
        errors.append(RowError(1, "no_record_column", _("the “record” column is missing")))
    if len(set(header)) != len(header):
        errors.append(RowError(1, "duplicate_column", _("a column appears twice")))
    if errors:
        raise ImportRejected(errors)

    validator = _Validator(header)
    parsed = []
    for line, cells in rows:
        row = dict(zip(header, cells, strict=False))
        raw_record = (row.get("record") or "").strip()
        if raw_record.startswith("#"):
            continue
        if len(cells) > len(header):
            validator.error(
                line,
                "too_many_cells",
                _("the row has %(cells)s cells, more than the %(columns)s header columns"),
                cells=len(cells),
                columns=len(header),
            )
        record = _RECORD_ALIASES.get(fold(raw_record))
        if record is None:
            validator.error(
                line,
                "bad_record",
                _("column “record” must be unit, official or assignment, not “%(value)s”"),
                value=raw_record,
            )
            continue
        parsed.append((line, record, row))
        if record == RECORD_UNIT:
            validator.defined_on.setdefault((record, (row.get("code") or "").strip()), line)
        elif record == RECORD_OFFICIAL:
            validator.defined_on.setdefault((record, (row.get("key") or "").strip()), line)

    for line, record, row in parsed:
        getattr(validator, record)(line, row)
    validator.check_open_assignments()
    if validator.errors:
        raise ImportRejected(sorted(validator.errors, key=lambda e: e.line))

    result = ImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            _apply(validator, result)
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as exc:
        # The checks above should have caught it; never leave half a file behind.
        raise ImportRejected(
            [RowError(0, "database", _("the database refused: %(error)s"), {"error": exc})]
        )
    return result


def _apply(validator: _Validator, result: ImportResult):
    units: dict[str, OrgUnit] = {}

    def unit_by_code(code: str | None) -> OrgUnit | None:
        if code is None:
            return None
        if code not in units:
            units[code] = OrgUnit.objects.get(code=code)
        return units[code]

    # Rows come in file order and a parent is stored or defined on an earlier row, so one pass
    # resolves every parent.
    for row in validator.units.values():
        values = dict(row.values)
        if "parent_code" in values:
            values["parent"] = unit_by_code(values.pop("parent_code"))
        units[row.key], status = upsert(OrgUnit, lookup={"code": row.key}, values=values)
        result.add(RECORD_UNIT, status)

    officials: dict[str, Official] = {}
    for row in validator.officials.values():
        values = dict(row.values)
        for model_field in ("hometown_unit", "birthplace_unit"):
            if model_field in values:
                values[model_field] = unit_by_code(values[model_field])
        officials[row.key], status = upsert(
            Official, lookup={"external_id": row.key}, values=values
        )
        result.add(RECORD_OFFICIAL, status)

    for row in validator.assignments.values():
        official = officials.get(row.official_key) or Official.objects.get(
            external_id=row.official_key
        )
        position, created = position_get_or_create(
            unit=unit_by_code(row.unit_code), title=validator.titles[row.title_code]
        )
        result.positions_created += created
        _, status = upsert(
            Assignment,
            lookup={"official": official, "position": position, "start": row.start},
            values=row.values,
        )
        result.add(RECORD_ASSIGNMENT, status)

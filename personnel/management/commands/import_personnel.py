"""`python manage.py import_personnel FILE.csv`: units, officials and assignments, all or nothing."""

import argparse
import io

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from personnel.services import (
    CREATED,
    IMPORT_COLUMNS,
    RECORD_ASSIGNMENT,
    RECORD_OFFICIAL,
    RECORD_UNIT,
    UNCHANGED,
    UPDATED,
    ImportRejected,
    personnel_import_csv,
)


class _Formatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    pass


RECORD_LABELS = {
    RECORD_UNIT: gettext_lazy("units"),
    RECORD_OFFICIAL: gettext_lazy("officials"),
    RECORD_ASSIGNMENT: gettext_lazy("assignments"),
}


class Command(BaseCommand):
    help = (
        "Import units, officials and assignments from a CSV file (UTF-8, header row), all or\n"
        "nothing: every bad row is reported with its line number and nothing is written.\n"
        "\n"
        "The `record` column says what a row is:\n"
        "  unit        code, name, kind, parent_code\n"
        "  official    key, full_name, gender, birth_date, hometown_code, birthplace_code,\n"
        "              ethnicity\n"
        "  assignment  official_key, unit_code, title_code, start, end, is_concurrent,\n"
        "              decision_ref (the post is found by unit + title, or created)\n"
        "\n"
        "Columns:\n"
        + "".join(f"  {name:<16}{text}\n" for name, text in IMPORT_COLUMNS.items())
        + "\n"
        "A row may refer to units and officials defined on an earlier row or already stored.\n"
        "Re-importing a file changes nothing: units match on code, officials on key,\n"
        "assignments on official + post + start. An optional column left out of the header\n"
        "leaves stored values alone; an empty cell in a present column clears the value.\n"
        "Example: docs/import_example.csv."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Keep the column table's line breaks in --help.
        kwargs.setdefault("formatter_class", _Formatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file.")
        parser.add_argument("--dry-run", action="store_true", help="Check only, write nothing.")
        parser.add_argument("--delimiter", default=",", help="Column separator, default ','.")

    def handle(self, *args, path, dry_run=False, delimiter=",", **options):
        try:
            with open(path, encoding="utf-8-sig", newline="") as stream:
                text = stream.read()
        except OSError as exc:
            raise CommandError(
                _("Cannot read the file %(path)s: %(error)s") % {"path": path, "error": exc}
            )
        except UnicodeDecodeError as exc:
            raise CommandError(
                _("The file %(path)s is not UTF-8 (byte %(byte)s); save it as UTF-8.")
                % {"path": path, "byte": exc.start}
            )
        try:
            result = personnel_import_csv(
                stream=io.StringIO(text, newline=""), dry_run=dry_run, delimiter=delimiter
            )
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc))

        heading = _("Checked, nothing written (dry run):") if dry_run else _("Imported:")
        self.stdout.write(self.style.SUCCESS(heading))
        for record, label in RECORD_LABELS.items():
            counts = result.counts.get(record, {})
            self.stdout.write(
                "  "
                + _("%(label)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged")
                % {
                    "label": label,
                    "created": counts.get(CREATED, 0),
                    "updated": counts.get(UPDATED, 0),
                    "unchanged": counts.get(UNCHANGED, 0),
                }
            )
        self.stdout.write("  " + _("new posts: %(count)s") % {"count": result.positions_created})

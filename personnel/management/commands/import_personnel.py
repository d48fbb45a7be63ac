"""`python manage.py import_personnel FILE.csv`: units, officials and assignments, all or nothing."""

import argparse
import io

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter

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
    RECORD_UNIT: "đơn vị (units)",
    RECORD_OFFICIAL: "cán bộ (officials)",
    RECORD_ASSIGNMENT: "phân công (assignments)",
}


class Command(BaseCommand):
    help = (
        "Nhập đơn vị, cán bộ và phân công từ tệp CSV (UTF-8, dòng đầu là tiêu đề), tất cả hoặc\n"
        "không gì cả: mọi dòng lỗi được báo kèm số dòng và không ghi gì.\n"
        "Import units, officials and assignments from a CSV file (UTF-8, header row), all or\n"
        "nothing: every bad row is reported with its line number and nothing is written.\n"
        "\n"
        "Cột `record` cho biết loại dòng (the `record` column says what a row is):\n"
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
        parser.add_argument("path", help="Tệp CSV (the CSV file).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ kiểm tra, không ghi gì (check only, write nothing).",
        )
        parser.add_argument(
            "--delimiter", default=",", help="Dấu phân cách cột (column separator), default ','."
        )

    def handle(self, *args, path, dry_run=False, delimiter=",", **options):
        try:
            with open(path, encoding="utf-8-sig", newline="") as stream:
                text = stream.read()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc} (cannot read the file)")
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"Tệp {path} không phải UTF-8 (byte {exc.start}); hãy lưu lại với mã UTF-8. "
                f"(The file is not UTF-8 at byte {exc.start}; save it as UTF-8.)"
            )
        try:
            result = personnel_import_csv(
                stream=io.StringIO(text, newline=""), dry_run=dry_run, delimiter=delimiter
            )
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc))

        heading = (
            "Kiểm tra xong, không ghi gì (dry run, nothing written):"
            if dry_run
            else "Đã nhập (imported):"
        )
        self.stdout.write(self.style.SUCCESS(heading))
        for record, label in RECORD_LABELS.items():
            counts = result.counts.get(record, {})
            self.stdout.write(
                f"  {label}: tạo mới {counts.get(CREATED, 0)}, cập nhật {counts.get(UPDATED, 0)}, "
                f"giữ nguyên {counts.get(UNCHANGED, 0)} "
                f"(created, updated, unchanged)"
            )
        self.stdout.write(f"  chức vụ mới (new posts): {result.positions_created}")

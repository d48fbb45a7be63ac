"""CSV export of a report table: UTF-8 with a byte-order mark, so Excel shows Vietnamese right."""

import csv
import io

from django.http import HttpResponse

from .tables import Table

BOM = "\ufeff"


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return BOM + buffer.getvalue()


def table_csv_response(table: Table, filename: str) -> HttpResponse:
    response = HttpResponse(
        table_csv(table).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

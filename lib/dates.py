"""Calendar arithmetic on dates, and dates as text: through the locale's formats on pages and
messages, in the legal words in letters."""

import calendar
import datetime as dt

from django.utils import formats
from django.utils.translation import ngettext


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from start to end (negative when end is before start)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if months > 0 and add_months(start, months) > end:
        months -= 1
    elif months < 0 and add_months(start, months) < end:
        months += 1
    return months


def short_date(day) -> str:
    """A date (or datetime) as the active language writes it: its SHORT_DATE_FORMAT in
    config/formats (dd/mm/yyyy). Empty for None; an ISO string is read first."""
    if not day:
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def date_words(day: dt.date) -> str:
    """The legal form of a date in a letter, "ngày 05 tháng 6 năm 2024": days below 10 and the
    months 1 and 2 take a leading zero (NĐ 30 and the HD 36 example "ngày 20 tháng 02 năm
    2018"). Letters are Vietnamese whatever the reader's language."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def months_text(months: int) -> str:
    """A length in years and months in the active language: "3 năm 2 tháng"."""
    years, rest = divmod(max(months, 0), 12)
    parts = [ngettext("%(count)s year", "%(count)s years", years) % {"count": years}] * bool(years)
    if rest or not years:
        parts.append(ngettext("%(count)s month", "%(count)s months", rest) % {"count": rest})
    return " ".join(parts)


def parse_date(text: str) -> dt.date | None:
    """A date typed in one of the locale's DATE_INPUT_FORMATS (dd/mm/yyyy, or yyyy-mm-dd as a
    date input sends it); None when it is none of them."""
    for fmt in formats.get_format("DATE_INPUT_FORMATS"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None

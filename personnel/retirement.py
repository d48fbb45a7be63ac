"""Statutory retirement age (Labour Code 2019 Art. 169, Decree 135/2020/NĐ-CP Art. 4).

From 2021 the normal retirement age rises each calendar year: men 60 years 3 months in 2021,
+3 months a year until 62 (2028); women 55 years 4 months in 2021, +4 months a year until 60
(2035). A person retires at the age in force in the year in which they reach it; before 2021
the age was 60 for men and 55 for women.
"""

import datetime as dt

from lib.dates import add_months, months_between

ROADMAP = {
    # gender: (old age in months, age in 2021 in months, step per year in months, final age)
    "male": (60 * 12, 60 * 12 + 3, 3, 62 * 12),
    "female": (55 * 12, 55 * 12 + 4, 4, 60 * 12),
}
REFORM_YEAR = 2021


def retirement_age_months(gender: str, year: int) -> int:
    """The normal retirement age, in months, for someone who reaches it in `year`."""
    old, first, step, final = ROADMAP[gender]
    if year < REFORM_YEAR:
        return old
    return min(first + step * (year - REFORM_YEAR), final)


def retirement_date(gender: str, birth_date: dt.date) -> dt.date:
    """The day the person reaches the statutory retirement age."""
    old_age_day = add_months(birth_date, ROADMAP[gender][0])
    if old_age_day.year < REFORM_YEAR:
        return old_age_day
    year = REFORM_YEAR
    while True:
        day = add_months(birth_date, retirement_age_months(gender, year))
        if day.year <= year:
            return day
        year += 1


def remaining_service_months(gender: str, birth_date: dt.date, on: dt.date) -> int:
    """Whole months of working life left on `on` (0 when already past retirement)."""
    return max(0, months_between(on, retirement_date(gender, birth_date)))

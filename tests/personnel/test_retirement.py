import datetime as dt

import pytest

from personnel.retirement import remaining_service_months, retirement_age_months, retirement_date

D = dt.date


# The retirement age in months by the year one reaches it (Decree 135/2020).
ROADMAP = {
    "male": {2020: 720, 2021: 723, 2022: 726, 2027: 741, 2028: 744, 2040: 744},
    "female": {2020: 660, 2021: 664, 2022: 668, 2034: 716, 2035: 720, 2050: 720},
}


@pytest.mark.parametrize(
    ("gender", "year", "months"),
    [(gender, year, months) for gender, ages in ROADMAP.items() for year, months in ages.items()],
)
def test_retirement_age_follows_the_decree_135_roadmap(gender, year, months):
    assert retirement_age_months(gender, year) == months


@pytest.mark.parametrize(
    ("gender", "birth", "expected"),
    [
        # Before the reform: 60 / 55.
        ("male", D(1950, 5, 10), D(2010, 5, 10)),
        ("female", D(1960, 12, 31), D(2015, 12, 31)),
        # Decree 135 Annex I: men born 01/1961 retire at 60y3m (04/2021) …
        ("male", D(1961, 1, 15), D(2021, 4, 15)),
        # … born 09/1961 still at 60y3m (12/2021), born 10/1961 at 60y6m (04/2022).
        ("male", D(1961, 9, 1), D(2021, 12, 1)),
        ("male", D(1961, 10, 1), D(2022, 4, 1)),
        # Men born 03/1966 retire at 61y9m (12/2027); from 04/1966 on they reach 62.
        ("male", D(1966, 3, 1), D(2027, 12, 1)),
        ("male", D(1966, 4, 1), D(2028, 4, 1)),
        ("male", D(1980, 7, 20), D(2042, 7, 20)),
        # Women born 01/1966 retire at 55y4m (05/2021); born 09/1966 at 55y8m (05/2022).
        ("female", D(1966, 1, 1), D(2021, 5, 1)),
        ("female", D(1966, 9, 1), D(2022, 5, 1)),
        # Women born 05/1975 or later reach 60.
        ("female", D(1975, 5, 1), D(2035, 5, 1)),
        ("female", D(1985, 3, 8), D(2045, 3, 8)),
        # Reached 60 in 2020, before the reform.
        ("male", D(1960, 8, 31), D(2020, 8, 31)),
        # Month-end clamping: 31 August + 3 months is 30 November.
        ("male", D(1961, 8, 31), D(2021, 11, 30)),
    ],
)
def test_retirement_date_at_the_edges(gender, birth, expected):
    assert retirement_date(gender, birth) == expected


def test_remaining_service_counts_whole_months():
    # Retires 2042-07-20.
    assert remaining_service_months("male", D(1980, 7, 20), D(2032, 7, 20)) == 120
    assert remaining_service_months("male", D(1980, 7, 20), D(2032, 7, 21)) == 119
    assert remaining_service_months("male", D(1980, 7, 20), D(2050, 1, 1)) == 0

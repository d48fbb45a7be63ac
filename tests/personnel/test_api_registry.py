"""The read API over the registry (SPEC §9): units, positions, officials."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from personnel.models import Assignment, OrgUnit, Position
from tests.factories import make_official
from tests.helpers import TODAY, YESTERDAY

pytestmark = pytest.mark.django_db

TOMORROW = TODAY + dt.timedelta(days=1)


@pytest.fixture
def api(world, api):
    api.force_authenticate(world.reviewer)
    return api


def get_ok(api, url, **params):
    response = api.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["detail"].strip()
    return body


def result_ids(body):
    return {row["id"] for row in body["results"]}


# --- Units ----------------------------------------------------------------------------------


def test_units_are_listed_by_name_with_their_parent(world, api):
    body = get_ok(api, "/api/v1/units/")
    assert body["count"] == 7
    assert [row["name"] for row in body["results"]] == sorted(
        OrgUnit.objects.values_list("name", flat=True)
    )
    tuly = next(row for row in body["results"] if row["code"] == "HB-DB-TL")
    assert tuly == {
        "id": world.tuly.id,
        "code": "HB-DB-TL",
        "name": "Xã Tú Lý",
        "kind": "commune",
        "parent": world.district.id,
        "valid_from": None,
        "valid_to": None,
    }


def test_lists_are_paginated(world, api):
    body = get_ok(api, "/api/v1/units/", page_size=3)
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 7
    assert len(body["results"]) == 3
    assert "page=2" in body["next"]
    assert body["previous"] is None
    last = get_ok(api, "/api/v1/units/", page_size=3, page=3)
    assert len(last["results"]) == 1
    assert last["next"] is None


def test_a_page_past_the_end_is_404(world, api):
    body = assert_error(api.get("/api/v1/units/", {"page": 99}), 404, "not_found")
    assert "Trang không hợp lệ" in body["detail"]


# --- Positions ------------------------------------------------------------------------------


def test_positions_carry_unit_title_and_seats(world, api):
    body = get_ok(api, "/api/v1/positions/", unit=world.tuly.id)
    assert body["results"] == [
        {
            "id": world.tuly_secretary.id,
            "name": "Bí thư Đảng ủy xã Tú Lý",
            "unit": world.tuly.id,
            "unit_name": "Xã Tú Lý",
            "title": world.secretary.id,
            "title_name": "Bí thư Đảng ủy",
            "is_standing": True,
            "seats": 1,
        },
        {
            "id": world.tuly_vice.id,
            "name": "Phó Chủ tịch UBND xã Tú Lý",
            "unit": world.tuly.id,
            "unit_name": "Xã Tú Lý",
            "title": world.vice_chairman.id,
            "title_name": "Phó Chủ tịch UBND",
            "is_standing": False,
            "seats": 2,
        },
    ]


def test_positions_without_filters_list_every_position(world, api):
    assert get_ok(api, "/api/v1/positions/")["count"] == Position.objects.count() == 7


def test_vacant_positions_are_those_with_a_free_seat_today(world, api):
    assert result_ids(get_ok(api, "/api/v1/positions/", vacant="true")) == {
        world.tuly_vice.id,  # two seats, one holder
        world.dongruong_secretary.id,  # its holder left at the end of 2023
        world.dongruong_vice.id,
        world.town_vice.id,  # never held
    }
    assert result_ids(get_ok(api, "/api/v1/positions/", vacant="false")) == {
        world.tuly_secretary.id,
        world.town_secretary.id,
        world.district_deputy.id,
    }


def test_the_vacancy_check_uses_today(world, api):
    # A second Tú Lý vice-chairman who left yesterday, a Đồng Ruộng secretary who starts tomorrow.
    Assignment.objects.create(
        official=make_official("Xa Văn Cũ"),
        position=world.tuly_vice,
        start=dt.date(2020, 1, 1),
        end=YESTERDAY,
    )
    Assignment.objects.create(
        official=make_official("Xa Văn Mới"), position=world.dongruong_secretary, start=TOMORROW
    )
    vacant_today = result_ids(get_ok(api, "/api/v1/positions/", vacant="true"))
    assert {world.tuly_vice.id, world.dongruong_secretary.id} <= vacant_today
    vacant_yesterday = result_ids(
        get_ok(api, "/api/v1/positions/", vacant="true", on=YESTERDAY.isoformat())
    )
    assert world.tuly_vice.id not in vacant_yesterday
    vacant_tomorrow = result_ids(
        get_ok(api, "/api/v1/positions/", vacant="true", on=TOMORROW.isoformat())
    )
    assert world.dongruong_secretary.id not in vacant_tomorrow


def test_vacancy_and_unit_filters_combine(world, api):
    body = get_ok(api, "/api/v1/positions/", unit=world.dongruong.id, vacant="false")
    assert body["results"] == []
    body = get_ok(api, "/api/v1/positions/", unit=world.tuly.id, vacant="false")
    assert result_ids(body) == {world.tuly_secretary.id}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"unit": "abc"}, "unit"),
        ({"unit": "1.5"}, "unit"),
        ({"vacant": "maybe"}, "vacant"),
        ({"vacant": "true", "on": "2024-13-01"}, "on"),
    ],
)
def test_positions_reject_bad_query_parameters(world, api, params, field):
    body = assert_error(api.get("/api/v1/positions/", params), 400, "invalid")
    assert body["detail"].startswith(f"{field}: ")
    assert field in body["fields"]


@pytest.mark.parametrize("url", ["/api/v1/positions/", "/api/v1/officials/"])
def test_a_unit_id_beyond_64_bits_is_400_not_a_crash(world, api, url):
    body = assert_error(api.get(url, {"unit": 2**70}), 400, "invalid")
    assert "quá lớn" in body["detail"]


# --- Officials ------------------------------------------------------------------------------


def names(body):
    return sorted(row["full_name"] for row in body["results"])


def test_officials_are_found_without_diacritics(world, api):
    assert names(get_ok(api, "/api/v1/officials/", search="nguyen van")) == ["Nguyễn Văn An"]
    assert names(get_ok(api, "/api/v1/officials/", search="Nguyễn")) == [
        "Nguyễn Thị Lan",
        "Nguyễn Văn An",
    ]
    assert names(get_ok(api, "/api/v1/officials/", search="dinh")) == [
        "Dinh Van Dung",
        "Đinh Thị Hồng",
    ]
    assert names(get_ok(api, "/api/v1/officials/", search="đinh")) == [
        "Dinh Van Dung",
        "Đinh Thị Hồng",
    ]


def test_officials_are_filtered_by_the_units_below_a_unit(world, api):
    assert names(get_ok(api, "/api/v1/officials/", unit=world.tuly.id)) == [
        "Nguyễn Văn An",
        "Đinh Thị Hồng",
    ]
    assert get_ok(api, "/api/v1/officials/", unit=world.district.id)["count"] == 4
    assert get_ok(api, "/api/v1/officials/", unit=world.maichau.id)["count"] == 0


def test_search_and_unit_combine(world, api):
    body = get_ok(api, "/api/v1/officials/", unit=world.district.id, search="nguyen")
    assert names(body) == ["Nguyễn Thị Lan", "Nguyễn Văn An"]
    body = get_ok(api, "/api/v1/officials/", unit=world.tuly.id, search="nguyen")
    assert names(body) == ["Nguyễn Văn An"]


def test_official_list_shows_the_posts_held_today(world, api):
    body = get_ok(api, "/api/v1/officials/", search="lo van binh")
    (binh,) = body["results"]
    assert [a["position"] for a in binh["current_assignments"]] == [world.town_secretary.id]


def test_officials_reject_a_unit_that_is_not_a_number(world, api):
    body = assert_error(api.get("/api/v1/officials/", {"unit": "abc"}), 400, "invalid")
    assert "không phải là số" in body["detail"]
    assert "unit" in body["fields"]


def test_official_detail_has_the_fields_of_the_contract(world, api):
    body = get_ok(api, f"/api/v1/officials/{world.lan.id}/")
    assert {"id", "full_name", "birth_date", "gender", "hometown", "current_assignments"} <= set(
        body
    )
    assert body["id"] == world.lan.id
    assert body["full_name"] == "Nguyễn Thị Lan"
    assert body["birth_date"] == "1980-05-01"
    assert body["gender"] == "female"
    assert body["hometown"] == "Huyện Đà Bắc"
    main, concurrent = body["current_assignments"]
    assert {"position", "unit", "title", "start"} <= set(main)
    assert main["position"] == world.district_deputy.id
    assert main["unit"] == "Huyện Đà Bắc"
    assert main["title"] == "Phó Bí thư Thường trực Đảng ủy"
    assert main["start"] == "2020-06-01"
    assert main["is_concurrent"] is False
    assert concurrent["position"] == world.dongruong_vice.id
    assert concurrent["is_concurrent"] is True


def test_official_detail_leaves_out_past_posts(world, api):
    body = get_ok(api, f"/api/v1/officials/{world.binh.id}/")
    assert [a["position"] for a in body["current_assignments"]] == [world.town_secretary.id]
    assert body["hometown"] == "Huyện Mai Châu"


def test_official_detail_without_hometown_or_post(world, api):
    body = get_ok(api, f"/api/v1/officials/{world.hong.id}/")
    assert body["hometown"] is None
    assert body["birthplace"] == "Xã Đồng Ruộng"
    body = get_ok(api, f"/api/v1/officials/{world.dung.id}/")
    assert body["current_assignments"] == []


@pytest.mark.parametrize("official_id", [10**9, 2**70])
def test_an_unknown_official_is_404(world, api, official_id):
    body = assert_error(api.get(f"/api/v1/officials/{official_id}/"), 404, "not_found")
    assert body["detail"] == "Không tìm thấy."


def test_official_detail_costs_two_queries(world, api, django_assert_num_queries):
    # The reader's roles (need to know), the official with hometown and birthplace, the posts.
    with django_assert_num_queries(3):
        api.get(f"/api/v1/officials/{world.lan.id}/")


# --- A page costs the same number of queries at any size ------------------------------------


@pytest.fixture
def crowd(world):
    """Sixty more communes, each with a vacant post and a post held by an official who also
    holds a concurrent post."""
    for i in range(60):
        commune = OrgUnit.objects.create(
            kind=OrgUnit.Kind.COMMUNE,
            code=f"HB-DB-X{i:02d}",
            name=f"Xã Số {i:02d}",
            parent=world.district,
        )
        position = Position.objects.create(
            unit=commune, title=world.vice_chairman, name=f"Phó Chủ tịch UBND xã Số {i:02d}"
        )
        Position.objects.create(
            unit=commune, title=world.secretary, name=f"Bí thư Đảng ủy xã Số {i:02d}"
        )
        official = make_official(f"Nguyễn Văn Số {i:02d}")
        Assignment.objects.create(official=official, position=position, start=dt.date(2024, 1, 1))
        Assignment.objects.create(
            official=official,
            position=world.dongruong_vice,
            start=dt.date(2024, 2, 1),
            is_concurrent=True,
        )
    return world


def queries_for(api, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url, params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/units/", {}),
        ("/api/v1/positions/", {}),
        ("/api/v1/positions/", {"vacant": "true"}),
        ("/api/v1/positions/", {"vacant": "false"}),
        ("/api/v1/officials/", {}),
        ("/api/v1/officials/", {"search": "nguyen van"}),
        ("/api/v1/officials/", {"unit": "DISTRICT"}),
    ],
)
def test_a_page_of_5_costs_the_same_queries_as_a_page_of_50(crowd, api, url, params):
    params = {
        key: crowd.district.id if value == "DISTRICT" else value for key, value in params.items()
    }
    small, small_body = queries_for(api, url, page_size=5, **params)
    large, large_body = queries_for(api, url, page_size=50, **params)
    assert len(small_body["results"]) == 5
    assert len(large_body["results"]) == 50
    assert small == large

"""GET /api/v1/reports/locality/?committee=&as_of= (SPEC §9)."""

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from reports.selectors import locality_report
from tests.world import AS_OF

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/locality/"


@pytest.fixture
def api_for():
    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


def test_it_answers_the_report_as_json(api_for, world):
    response = api_for(world.reviewer).get(
        URL, {"committee": world.committee.id, "as_of": "2024-04-30"}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["total_units"], body["units_meeting"], body["met"]) == (3, 2, False)
    assert body["ratio"] == pytest.approx(2 / 3)
    assert body["target"] == pytest.approx(0.8)
    assert body["as_of"] == "2024-04-30"
    tuly = next(unit for unit in body["units"] if unit["name"] == "Xã Tú Lý")
    assert tuly["id"] == world.tuly.id
    assert tuly["meets"] is True
    assert {(m["name"], m["local"]) for m in tuly["standing_members"]} == {
        ("Nguyễn Văn An", True),
        ("Lò Văn Bình", False),
    }
    assert set(tuly["standing_members"][0]) >= {"name", "title", "local", "why"}


def test_it_reports_as_of_today_by_default(api_for, world):
    response = api_for(world.chair).get(URL, {"committee": world.committee.id})

    assert response.status_code == 200
    assert response.json()["as_of"] == timezone.localdate().isoformat()
    today = locality_report(committee=world.committee)
    assert response.json()["units_meeting"] == today["units_meeting"]


def test_it_answers_to_a_token(world):
    _token, key = AuthToken.objects.create(user=world.clerk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get(URL, {"committee": world.committee.id, "as_of": AS_OF.isoformat()})

    assert response.status_code == 200
    assert response.json()["units_meeting"] == 2


@pytest.mark.parametrize("as_of", ["30/04/2024", "2024-02-30", "hôm nay"])
def test_it_refuses_a_bad_date_with_400(api_for, world, as_of):
    response = api_for(world.reviewer).get(URL, {"committee": world.committee.id, "as_of": as_of})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "Ngày không hợp lệ" in response.json()["detail"]


@pytest.mark.parametrize("committee", ["999999", "abc", ""])
def test_it_refuses_an_unknown_or_missing_committee_with_400(api_for, world, committee):
    response = api_for(world.reviewer).get(URL, {"committee": committee, "as_of": "2024-04-30"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "committee" in response.json()["fields"]


def test_it_forbids_a_committee_in_which_the_user_has_no_role(api_for, world):
    response = api_for(world.reviewer).get(URL, {"committee": world.other_committee.id})

    assert response.status_code == 403
    assert "không có vai trò" in response.json()["detail"]


def test_a_superuser_may_read_any_committee(api_for, world):
    response = api_for(world.admin).get(
        URL, {"committee": world.other_committee.id, "as_of": "2024-04-30"}
    )

    assert response.status_code == 200
    assert [unit["name"] for unit in response.json()["units"]] == ["Xã Chiềng Châu"]


def test_it_asks_anonymous_callers_to_log_in(world):
    response = APIClient().get(URL, {"committee": world.committee.id})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_it_is_in_the_openapi_schema(api_for, world):
    response = api_for(world.reviewer).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    operation = response.json()["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"committee", "as_of"}

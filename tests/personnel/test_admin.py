import datetime as dt

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from personnel import models as pm
from tests.factories import make_official, make_user

pytestmark = pytest.mark.django_db

REGISTERED = [model for model in admin.site._registry if model._meta.app_label == "personnel"]


def url(model, view, *args):
    return reverse(f"admin:personnel_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def clerk(world, client):
    client.force_login(world.admin)
    return client


def test_the_registry_catalogues_are_all_in_the_admin():
    assert set(REGISTERED) >= {
        pm.OrgUnit,
        pm.PositionTitle,
        pm.Position,
        pm.Official,
        pm.Assignment,
        pm.Committee,
        pm.Board,
        pm.Term,
        pm.PlanningEntry,
    }


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m.__name__)
def test_every_changelist_add_and_change_page_opens(clerk, model):
    assert clerk.get(url(model, "changelist")).status_code == 200
    assert clerk.get(url(model, "add")).status_code == 200
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"the world has no {model.__name__}"
    response = clerk.get(url(model, "change", obj.pk))
    assert response.status_code == 200
    assert str(obj) in response.content.decode()


def test_the_admin_is_closed_to_a_user_who_is_not_staff(world, client):
    client.force_login(world.board_head)
    response = client.get(url(pm.Official, "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- Searching for officials ----------------------------------------------------------------


def changelist_names(client, model, **params):
    response = client.get(url(model, "changelist"), params)
    assert response.status_code == 200
    return sorted(str(obj) for obj in response.context["cl"].result_list)


@pytest.mark.parametrize("term", ["nguyen van", "Nguyễn Văn", "NGUYEN VĂN", "nguyễn van"])
def test_official_search_finds_names_with_or_without_diacritics(clerk, term):
    assert changelist_names(clerk, pm.Official, q=term) == ["Nguyễn Văn An"]


def test_official_search_treats_d_and_dj_alike(clerk):
    expected = ["Dinh Van Dung", "Đinh Thị Hồng"]
    assert changelist_names(clerk, pm.Official, q="đinh") == expected
    assert changelist_names(clerk, pm.Official, q="dinh") == expected


def test_official_search_finds_the_id_in_the_source_register(clerk, world):
    world.hong.external_id = "CB-0042"
    world.hong.save()
    assert changelist_names(clerk, pm.Official, q="cb-0042") == ["Đinh Thị Hồng"]
    assert changelist_names(clerk, pm.Official, q="CB-004") == []


def test_official_filters_by_gender_and_ethnicity(clerk):
    assert changelist_names(clerk, pm.Official, gender__exact="female") == [
        "Nguyễn Thị Lan",
        "Đinh Thị Hồng",
    ]
    assert changelist_names(clerk, pm.Official, ethnicity="Thái") == ["Lò Văn Bình"]


def test_assignment_search_finds_the_official_without_diacritics(clerk, world):
    found = changelist_names(clerk, pm.Assignment, q="lo van binh")
    assert found == sorted([str(world.binh_old), str(world.binh_town)])


def test_position_search_and_filters(clerk, world):
    assert changelist_names(clerk, pm.Position, q="Tú Lý") == [
        "Bí thư Đảng ủy xã Tú Lý",
        "Phó Chủ tịch UBND xã Tú Lý",
    ]
    assert changelist_names(clerk, pm.Position, unit__kind="district") == [
        "Phó Bí thư Thường trực Huyện ủy Đà Bắc"
    ]
    assert changelist_names(clerk, pm.Position, title__id__exact=world.secretary.id) == [
        "Bí thư Đảng ủy thị trấn Đà Bắc",
        "Bí thư Đảng ủy xã Tú Lý",
        "Bí thư Đảng ủy xã Đồng Ruộng",
    ]


def test_unit_search_by_name_or_code_and_filter_by_kind(clerk):
    assert changelist_names(clerk, pm.OrgUnit, q="HB-MC") == ["Huyện Mai Châu", "Xã Chiềng Châu"]
    assert changelist_names(clerk, pm.OrgUnit, q="Đồng Ruộng") == ["Xã Đồng Ruộng"]
    assert changelist_names(clerk, pm.OrgUnit, kind__exact="district") == [
        "Huyện Mai Châu",
        "Huyện Đà Bắc",
    ]


def test_autocomplete_finds_officials_without_diacritics(clerk):
    response = clerk.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "personnel",
            "model_name": "assignment",
            "field_name": "official",
            "term": "nguyen van",
        },
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Nguyễn Văn An"]


# --- The pages a clerk edits ----------------------------------------------------------------


def test_committee_page_groups_the_policy_and_holds_its_members(clerk, world):
    html = clerk.get(url(pm.Committee, "change", world.committee.pk)).content.decode()
    for field in ("min_rotation_months", "locality_rule", "quorum_numerator", "issuing_body_name"):
        assert f'name="{field}"' in html
    for prefix in ("members", "office_staff", "proposer_scopes", "terms"):
        assert f'name="{prefix}-TOTAL_FORMS"' in html
    assert 'name="members-INITIAL_FORMS" value="3"' in html
    # The groups are labelled in Vietnamese first.
    assert "Thông tin văn bản" in html
    assert "Quy định áp dụng" in html


def test_official_page_holds_assignments_and_planning(clerk, world):
    html = clerk.get(url(pm.Official, "change", world.lan.pk)).content.decode()
    assert 'name="assignments-INITIAL_FORMS" value="2"' in html
    assert 'name="planning-TOTAL_FORMS"' in html


def test_board_page_holds_its_members(clerk, world):
    html = clerk.get(url(pm.Board, "change", world.board.pk)).content.decode()
    assert 'name="members-INITIAL_FORMS" value="2"' in html


def test_titles_are_edited_in_the_list(clerk, world):
    titles = list(pm.PositionTitle.objects.order_by("order", "name"))
    data = {
        "form-TOTAL_FORMS": str(len(titles)),
        "form-INITIAL_FORMS": str(len(titles)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Lưu",
    }
    for i, title in enumerate(titles):
        data[f"form-{i}-id"] = str(title.pk)
        data[f"form-{i}-level"] = str(title.level)
        data[f"form-{i}-order"] = str(title.order)
        for flag in ("is_standing", "requires_non_local", "is_head"):
            if getattr(title, flag):
                data[f"form-{i}-{flag}"] = "on"
    # Make the Chủ tịch UBND title non-local and move it to the top.
    i = titles.index(world.chairman)
    data[f"form-{i}-requires_non_local"] = "on"
    data[f"form-{i}-order"] = "0"
    response = clerk.post(url(pm.PositionTitle, "changelist"), data)
    assert response.status_code == 302, response.context and response.context["cl"].formset.errors
    world.chairman.refresh_from_db()
    assert world.chairman.requires_non_local
    assert world.chairman.order == 0
    assert pm.PositionTitle.objects.order_by("order", "name").first() == world.chairman


def test_an_official_added_in_the_admin_gets_a_search_name(clerk, world):
    response = clerk.post(
        url(pm.Official, "add"),
        {
            "full_name": "Trần Đức Thắng",
            "gender": "male",
            "birth_date": "1979-08-19",
            "ethnicity": "Kinh",
            "hometown_unit": str(world.tuly.pk),
            "birthplace_unit": "",
            "party_join_date": "",
            "user": "",
            "assignments-TOTAL_FORMS": "1",
            "assignments-INITIAL_FORMS": "0",
            "assignments-0-position": str(world.dongruong_secretary.pk),
            "assignments-0-start": "2024-07-01",
            "assignments-0-end": "",
            "assignments-0-decision_ref": "Số 130-QĐ/HU",
            "planning-TOTAL_FORMS": "0",
            "planning-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    official = pm.Official.objects.get(full_name="Trần Đức Thắng")
    assert official.search_name == "tran duc thang"
    assert official.assignments.get().position == world.dongruong_secretary


# --- A change list costs the same queries at any size ---------------------------------------


def add_rows(world, *, start, n):
    """n more rows of every registered model, numbered from `start`."""
    for i in range(start, start + n):
        unit = pm.OrgUnit.objects.create(
            kind=pm.OrgUnit.Kind.COMMUNE, code=f"X{i}", name=f"Xã {i}", parent=world.district
        )
        title = pm.PositionTitle.objects.create(code=f"T{i}", name=f"Chức danh {i}", order=10 + i)
        position = pm.Position.objects.create(unit=unit, title=title, name=f"Chức danh {i} xã {i}")
        official = make_official(
            f"Cán Bộ {i}", hometown_unit=unit, birthplace_unit=world.tuly, ethnicity=f"Dân tộc {i}"
        )
        official.user = make_user(f"canbo{i}")
        official.save()
        pm.Assignment.objects.create(
            official=official, position=position, start=dt.date(2010 + i, 1, 1)
        )
        committee = pm.Committee.objects.create(
            name=f"Ban Thường vụ {i}",
            unit=unit,
            collective_name="BAN THƯỜNG VỤ ĐẢNG ỦY",
            issuing_body_name=f"ĐẢNG ỦY XÃ {i}",
            superior_body_name="ĐẢNG BỘ HUYỆN ĐÀ BẮC",
            symbol="ĐU",
            place_name=f"Xã {i}",
        )
        board = pm.Board.objects.create(committee=committee, name=f"Ban Tổ chức {i}")
        user = make_user(f"thanhvien{i}")
        pm.CommitteeMember.objects.create(committee=committee, user=user, start=dt.date(2020, 1, 1))
        pm.CommitteeOfficeMember.objects.create(
            committee=committee, user=user, start=dt.date(2020, 1, 1)
        )
        pm.BoardMember.objects.create(board=board, user=user, start=dt.date(2020, 1, 1))
        pm.ProposerScope.objects.create(
            committee=committee, user=user, unit=unit, start=dt.date(2020, 1, 1)
        )
        term = pm.Term.objects.create(
            name=f"{2000 + 5 * i}–{2005 + 5 * i}",
            kind=pm.Term.Kind.PARTY,
            committee=committee,
            start=dt.date(2000 + 5 * i, 1, 1),
            end=dt.date(2005 + 5 * i, 1, 1),
        )
        pm.PlanningEntry.objects.create(official=official, title=title, term=term)


def changelist_queries(client, model):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.context["cl"].result_count


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m.__name__)
def test_a_changelist_costs_the_same_queries_for_few_or_many_rows(clerk, world, model):
    add_rows(world, start=0, n=2)
    few, few_rows = changelist_queries(clerk, model)
    add_rows(world, start=2, n=10)
    many, many_rows = changelist_queries(clerk, model)
    assert many_rows >= few_rows + 10
    assert many == few

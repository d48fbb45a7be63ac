"""The registry pages: who may open them, what they show, and in which language and date format."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from personnel import selectors
from personnel.models import Official, PlanningEntry
from personnel.templatetags.ui import service_duration
from tests.factories import make_official
from tests.helpers import TODAY

pytestmark = pytest.mark.django_db

HOME = "/"
UNITS = "/personnel/units/"
OFFICIALS = "/personnel/officials/"


def unit_url(unit):
    return f"/personnel/units/{unit.pk}/"


def official_url(official):
    return f"/personnel/officials/{official.pk}/"


def text_of(response):
    """The page's visible text, tags removed and spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- Who may open the pages ---------------------------------------------------------------------


@pytest.mark.parametrize("path", [HOME, UNITS, OFFICIALS])
def test_it_sends_anonymous_visitors_to_the_login_page(client, world, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_it_sends_anonymous_visitors_of_a_record_to_the_login_page(client, world):
    for path in (unit_url(world.tuly), official_url(world.an)):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("persona", ["reviewer", "official_user", "impostor", "admin"])
def test_it_shows_every_page_to_a_logged_in_user(client_for, world, persona):
    client = client_for(getattr(world, persona))
    for path in (HOME, UNITS, unit_url(world.tuly), OFFICIALS):
        assert client.get(path).status_code == 200, path
    # A record is read by staff and by the official it is about (SPEC §11, need to know).
    record = client.get(official_url(world.an)).status_code
    assert record == (404 if persona == "impostor" else 200)


def test_it_returns_404_for_an_unknown_official(client_for, world):
    response = client_for(world.reviewer).get(f"/personnel/officials/{10**9}/")
    assert response.status_code == 404


def test_it_returns_404_for_an_unknown_unit(client_for, world):
    response = client_for(world.reviewer).get(f"/personnel/units/{10**9}/")
    assert response.status_code == 404


def test_it_rejects_a_post_to_a_page(client_for, world):
    response = client_for(world.reviewer).post(OFFICIALS)
    assert response.status_code == 405


def test_the_personnel_root_leads_to_the_official_list(client_for, world):
    response = client_for(world.reviewer).get("/personnel/")
    assert response.status_code == 302
    assert response["Location"] == reverse("personnel:official_list")


# --- The layout ---------------------------------------------------------------------------------


def test_the_header_names_the_user_and_their_roles(client_for, world):
    world.board_head.first_name, world.board_head.last_name = "Hà", "Trần Thu"
    world.board_head.save()
    page = text_of(client_for(world.board_head).get(HOME))
    assert "Luân chuyển cán bộ" in page
    assert "Trần Thu Hà" in page or "Hà Trần Thu" in page
    assert "Trưởng Ban Tổ chức" in page
    assert "Ủy viên Ban Thường vụ" in page
    # The head is a board member too; the senior role is shown once.
    assert "Thành viên Ban Tổ chức" not in page


def test_a_user_without_a_role_sees_no_role(client_for, world):
    response = client_for(world.impostor).get(HOME)
    assert b'class="user-roles"' not in response.content


def test_the_administration_link_is_for_staff_only(client_for, world):
    assert b'data-nav="admin"' in client_for(world.admin).get(HOME).content
    assert b'data-nav="admin"' not in client_for(world.reviewer).get(HOME).content


def test_the_navigation_marks_the_current_section(client_for, world):
    content = client_for(world.reviewer).get(unit_url(world.tuly)).content.decode()
    assert re.search(r'data-nav="personnel" aria-current="page"', content)
    assert not re.search(r'data-nav="home" aria-current="page"', content)


def test_logging_out_takes_a_post_form(client_for, world):
    content = client_for(world.reviewer).get(HOME).content.decode()
    assert re.search(
        r'<form class="logout-form" action="/accounts/logout/" method="post">', content
    )


def test_the_language_switch_posts_to_set_language_and_comes_back(client_for, world):
    client = client_for(world.reviewer)
    content = client.get(UNITS).content.decode()
    assert 'action="/i18n/setlang/" method="post"' in content
    assert f'name="next" value="{UNITS}"' in content

    response = client.post("/i18n/setlang/", {"language": "en", "next": UNITS})
    assert response.status_code == 302
    assert response["Location"] == UNITS
    page = text_of(client.get(UNITS))
    assert "Organisation units" in page
    assert "Đơn vị tổ chức" not in page


# --- The unit tree ------------------------------------------------------------------------------


def test_the_unit_tree_nests_units_under_their_parents(client_for, world):
    content = client_for(world.reviewer).get(UNITS).content.decode()
    positions = {
        unit: content.index(f'href="{unit_url(getattr(world, unit))}"')
        for unit in ("province", "district", "tuly", "maichau", "chiengchau")
    }
    # Depth-first: the province, then Đà Bắc with its communes, then Mai Châu with Chiềng Châu.
    assert positions["province"] < positions["district"] < positions["tuly"]
    assert positions["tuly"] < positions["maichau"] < positions["chiengchau"]
    between_district_and_tuly = content[positions["district"] : positions["tuly"]]
    assert "<ul>" in between_district_and_tuly


def test_the_unit_tree_counts_posts_and_vacant_seats(client_for, world):
    content = client_for(world.reviewer).get(UNITS).content.decode()

    def row_of(unit):
        start = content.index(f'href="{unit_url(unit)}"')
        return " ".join(content[start : content.index("</div>", start)].split())

    # Tú Lý: the secretary's seat is held, one of two vice-chairman seats is free.
    assert "Xã" in row_of(world.tuly)
    assert "2 chức vụ" in row_of(world.tuly)
    assert "1 chỗ trống" in row_of(world.tuly)
    # Đồng Ruộng: the secretary left in 2023; Lan holds one vice-chairman seat concurrently.
    assert "2 chỗ trống" in row_of(world.dongruong)
    # The district's single post is held: no vacancy is shown.
    assert "1 chức vụ" in row_of(world.district)
    assert "trống" not in row_of(world.district)


# --- A unit -------------------------------------------------------------------------------------


def test_a_unit_page_shows_holders_vacancies_and_who_is_local(client_for, world):
    response = client_for(world.reviewer).get(unit_url(world.tuly))
    page = text_of(response)
    assert "Nguyễn Văn An" in page
    assert "Đinh Thị Hồng" in page
    content = response.content.decode()
    an_row = content[content.index(official_url(world.an)) :][:600]
    hong_row = content[content.index(official_url(world.hong)) :][:600]
    assert "badge-local" in an_row.split("</li>")[0]  # hometown Tú Lý
    assert "badge-nonlocal" in hong_row.split("</li>")[0]  # born in Đồng Ruộng
    assert "từ 01/01/2021" in " ".join(an_row.split())
    assert "1 chỗ trống" in page
    # Breadcrumbs run from the tree through the province and the district.
    assert "Tỉnh Hòa Bình" in page and "Huyện Đà Bắc" in page


def test_a_unit_page_lists_the_units_below_it(client_for, world):
    content = client_for(world.reviewer).get(unit_url(world.district)).content.decode()
    for child in (world.tuly, world.dongruong, world.town):
        assert f'href="{unit_url(child)}"' in content
    assert f'href="{unit_url(world.chiengchau)}"' not in content


# --- The list of officials ----------------------------------------------------------------------


def test_the_official_list_finds_names_without_diacritics(client_for, world):
    page = text_of(client_for(world.reviewer).get(OFFICIALS, {"q": "nguyen van an"}))
    assert "Nguyễn Văn An" in page
    assert "Nguyễn Thị Lan" not in page
    assert "1 cán bộ" in page


def test_the_official_list_finds_a_name_typed_without_diacritics_in_the_register(client_for, world):
    page = text_of(client_for(world.reviewer).get(OFFICIALS, {"q": "Đinh"}))
    assert "Dinh Van Dung" in page
    assert "Đinh Thị Hồng" in page


def test_the_official_list_filters_by_unit_subtree(client_for, world):
    page = text_of(client_for(world.reviewer).get(OFFICIALS, {"unit": world.tuly.pk}))
    assert "Nguyễn Văn An" in page and "Đinh Thị Hồng" in page
    assert "Lò Văn Bình" not in page


def test_the_official_list_refuses_a_malformed_unit(client_for, world):
    # Issue 10, item 9: '²'.isdigit() is true and int('²') fails; it was a 500.
    for value in ("abc", "²"):
        response = client_for(world.reviewer).get(OFFICIALS, {"unit": value})
        assert response.status_code == 400


def test_the_official_list_ignores_an_unknown_unit(client_for, world):
    response = client_for(world.reviewer).get(OFFICIALS, {"unit": 10**9})
    assert response.status_code == 200
    assert f"{Official.objects.count()} cán bộ" in text_of(response)


def test_the_official_list_shows_current_posts_and_dates(client_for, world):
    page = text_of(client_for(world.reviewer).get(OFFICIALS))
    assert "Bí thư Đảng ủy xã Tú Lý" in page
    assert "01/05/1980" in page  # birth dates dd/mm/yyyy
    assert "Bí thư Đảng ủy xã Đồng Ruộng" not in page  # Bình left that post in 2023


def test_the_official_list_pages_by_25(client_for, world):
    for i in range(30):
        make_official(f"Hà Văn Thử {i:02d}")
    client = client_for(world.reviewer)
    first = client.get(OFFICIALS, {"q": "thu"})
    second = client.get(OFFICIALS, {"q": "thu", "page": 2})
    assert first.content.decode().count("Hà Văn Thử") == 25
    assert second.content.decode().count("Hà Văn Thử") == 5
    assert "Trang 2/2" in text_of(second)
    # The next link keeps the search.
    assert 'href="?q=thu&amp;page=2"' in first.content.decode()


def test_the_official_list_costs_the_same_queries_for_more_officials(
    client_for, world, django_assert_max_num_queries
):
    client = client_for(world.reviewer)
    client.get(OFFICIALS)  # warm up the session and content types
    with django_assert_max_num_queries(20) as few:
        client.get(OFFICIALS)
    for i in range(20):
        make_official(f"Hà Văn Thử {i:02d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(OFFICIALS)


# --- An official --------------------------------------------------------------------------------


def test_an_official_page_shows_the_record(client_for, world):
    page = text_of(client_for(world.reviewer).get(official_url(world.an)))
    assert "Nguyễn Văn An" in page
    assert "Mường" in page
    assert "Xã Tú Lý" in page  # hometown
    assert "Xã Chiềng Châu" in page  # birthplace
    # A man born on 1 May 1980 reaches the age of 62 (the final age from 2028) on 1 May 2042.
    assert "01/05/2042" in page
    months = selectors.official_remaining_service_months(world.an, TODAY)
    assert f"{months // 12} năm {months % 12} tháng" in page


def test_an_official_page_shows_the_assignment_history(client_for, world):
    page = text_of(client_for(world.reviewer).get(official_url(world.binh)))
    assert "01/01/2019" in page and "31/12/2023" in page  # the Đồng Ruộng post, ended
    assert "01/01/2024" in page and "đến nay" in page  # the town post, current
    assert page.index("01/01/2024") < page.index("01/01/2019")  # latest first


def test_an_official_page_shows_planning(client_for, world):
    page = text_of(client_for(world.reviewer).get(official_url(world.hong)))
    assert "Bí thư Đảng ủy" in page
    assert "Số 45-QĐ/HU" in page
    assert "2020–2025" in page


def test_an_official_without_planning_says_so(client_for, world):
    assert not PlanningEntry.objects.filter(official=world.binh).exists()
    page = text_of(client_for(world.reviewer).get(official_url(world.binh)))
    assert "Không có trong quy hoạch." in page


def test_an_official_past_retirement_age_has_no_service_left(client_for, world):
    old = make_official("Hoàng Văn Già", born=dt.date(1950, 1, 1))
    page = text_of(client_for(world.reviewer).get(official_url(old)))
    assert "Đã đến tuổi nghỉ hưu" in page
    assert "01/01/2010" in page


def test_an_official_page_in_english_keeps_dd_mm_yyyy_dates(client_for, world):
    page = text_of(client_for(world.reviewer, language="en").get(official_url(world.an)))
    assert "Assignment history" in page
    assert "Statutory retirement date" in page
    assert "01/05/2042" in page
    assert "Quá trình công tác" not in page


@pytest.mark.parametrize(
    ("months", "vietnamese", "english"),
    [
        (264, "22 năm", "22 years"),
        (15, "1 năm 3 tháng", "1 year 3 months"),
        (1, "1 tháng", "1 month"),
        (0, "0 tháng", "0 months"),
    ],
)
def test_service_left_reads_in_years_and_months(months, vietnamese, english):
    with translation.override("vi"):
        assert service_duration(months) == vietnamese
    with translation.override("en"):
        assert service_duration(months) == english

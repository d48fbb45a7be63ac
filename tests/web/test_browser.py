"""The pages in a real browser, at 1366×768 and at phone width (375×812), with the demo data.
Screenshots land in artifacts/screenshots/."""

import re

from django.contrib.auth import get_user_model
from django.urls import reverse

from lib.text import fold
from personnel.models import Official, OrgUnit
from personnel.roles import Actor
from tests.helpers import IN_BROWSER, VIEWPORTS, login, screenshot, viewport_name
from workflow.models import ProposalState
from workflow.selectors import inbox_querysets

pytestmark = IN_BROWSER

DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


def assert_fits_the_width(page):
    """Nothing makes the page scroll sideways (tables scroll inside their own box)."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the window"


def assert_styled(page):
    """The stylesheet loaded: the header has its red background."""
    colour = page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(155, 27, 31)"


@VIEWPORTS
def test_a_user_logs_in_and_sees_the_home_page(page, page_problems):
    size = viewport_name(page)
    page.goto("/")
    assert "/accounts/login/?next=/" in page.url
    assert page.locator("h1").inner_text() == "Đăng nhập"
    assert page.locator("label", has_text="Tên đăng nhập").count() == 1
    assert_styled(page)
    screenshot(page, f"login-{size}")

    login(page, "board.head")
    assert page.url.endswith("/")
    assert page.locator("h1").inner_text() == "Việc cần xử lý"
    header = page.locator(".site-header").inner_text()
    user = get_user_model().objects.get(username="board.head")
    assert user.get_full_name() in header
    assert "Trưởng Ban Tổ chức" in header
    nav = page.locator(".site-nav").inner_text()
    for label in ("Việc cần xử lý", "Báo cáo", "Nhân sự"):
        assert label in nav
    assert "Quản trị" not in nav  # not staff
    assert_fits_the_width(page)
    screenshot(page, f"home-{size}")

    page.click(".logout-form button")
    page.wait_for_url("**/accounts/login/")
    assert page.locator("h1").inner_text() == "Đăng nhập"
    assert page_problems == []


@VIEWPORTS
def test_the_home_page_lists_what_waits_for_the_user(page, page_problems):
    board_a = get_user_model().objects.get(username="board.a")
    to_review = inbox_querysets(actor=Actor.for_user(board_a))["to_review"]
    # A proposal the demo leaves submitted, waiting for the appraisal board.
    proposal = to_review.filter(state=ProposalState.SUBMITTED).select_related("official").first()
    assert proposal is not None, "the demo has no submitted proposal for board.a to review"
    name = proposal.official.full_name

    login(page, "board.a")
    section = page.locator("#inbox-to_review")
    heading = section.locator("h2")
    assert "Đề xuất cần thẩm định" in heading.inner_text()
    assert heading.locator(".badge").inner_text().strip() == str(to_review.count())
    rows = section.locator("tbody tr")
    assert 1 <= rows.count() <= to_review.count()
    row = section.locator("tbody tr", has_text=name)
    assert row.count() == 1
    link = row.get_by_role("link", name=name)
    assert link.get_attribute("href") == reverse("workflow:proposal_detail", args=[proposal.pk])
    assert "Đã trình" in row.inner_text()
    assert proposal.effective_date.strftime("%d/%m/%Y") in row.inner_text()
    assert_fits_the_width(page)
    screenshot(page, f"home-inbox-{viewport_name(page)}")
    assert page_problems == []


@VIEWPORTS
def test_a_wrong_password_is_explained(page, page_problems):
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', "board.head")
    page.fill('input[name="password"]', "sai-mat-khau")
    page.click('form[action="/accounts/login/"] button[type="submit"]')
    alert = page.get_by_role("alert")
    assert "Sai tên đăng nhập hoặc mật khẩu" in alert.inner_text()
    screenshot(page, f"login-error-{viewport_name(page)}")
    # The failed login answers 200 with the form again; nothing else failed.
    assert page_problems == []


def test_switching_to_english_and_back(page, page_problems):
    login(page, "proposer.district")
    page.goto("/personnel/units/")
    assert page.locator("h1").inner_text() == "Đơn vị tổ chức"
    vietnamese = page.locator("body").inner_text()

    with page.expect_navigation():
        page.click('.lang-switch button[value="en"]')
    assert page.url.endswith("/personnel/units/")  # back on the same page
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Organisation units"
    assert page.locator('.lang-switch button[value="en"]').get_attribute("aria-pressed") == "true"
    screenshot(page, "units-english-1366")
    # The strings we control, as English shows them: navigation, headings, buttons, labels.
    english = {
        text.strip()
        for selector in (".site-nav a", "h1", "h2", "button", ".tree-counts", ".badge-kind")
        for text in page.locator(selector).all_inner_texts()
        if text.strip()
    } - {"Tiếng Việt", "English"}  # each language is named in itself
    assert {"My tasks", "Personnel", "Log out", "Organisation units"} <= english

    with page.expect_navigation():
        page.click('.lang-switch button[value="vi"]')
    assert page.locator("html").get_attribute("lang") == "vi"
    back = page.locator("body").inner_text()
    assert back == vietnamese
    left_in_english = sorted(text for text in english if text in back)
    assert left_in_english == []
    assert page_problems == []


@VIEWPORTS
def test_the_unit_tree_and_a_unit(page, page_problems):
    size = viewport_name(page)
    login(page, "board.a")
    page.click('.site-nav a[data-nav="personnel"]')
    page.click(".page-head a.button")  # "Đơn vị tổ chức"
    page.wait_for_url("**/personnel/units/")
    tree = page.locator(".tree")
    communes = OrgUnit.objects.filter(kind__in=OrgUnit.COMMUNE_LEVEL, parent__code="dabac")
    for unit in communes:
        assert tree.get_by_role("link", name=unit.name, exact=True).count() == 1
    assert_fits_the_width(page)
    screenshot(page, f"unit-tree-{size}")

    page.get_by_role("link", name="Xã Đồng Ruộng", exact=True).click()
    page.wait_for_url("**/personnel/units/*/")
    assert page.locator("h1").inner_text().startswith("Xã Đồng Ruộng")
    vacant_row = page.locator("tr", has_text="Phó Bí thư Thường trực")
    assert "chỗ trống" in vacant_row.inner_text()
    assert_fits_the_width(page)
    screenshot(page, f"unit-dong-ruong-{size}")
    assert page_problems == []


@VIEWPORTS
def test_finding_an_official_and_opening_the_record(page, page_problems):
    size = viewport_name(page)
    official = Official.objects.get(user__username="canbo.dongruong")
    login(page, "office")
    page.goto("/personnel/officials/")
    # Typed without diacritics, as on a phone keyboard.
    page.get_by_label("Họ tên").fill(fold(official.full_name))
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm kiếm").click()
    assert "1 cán bộ" in page.locator(".result-count").inner_text()
    assert_fits_the_width(page)
    screenshot(page, f"official-search-{size}")

    page.get_by_role("link", name=official.full_name).click()
    page.wait_for_url(f"**/personnel/officials/{official.pk}/")
    assert page.locator("h1").inner_text() == official.full_name
    body = page.locator("main").inner_text()
    for heading in ("Quá trình công tác", "Quy hoạch", "Ngày đủ tuổi nghỉ hưu", "Quê quán"):
        assert heading in body
    dates = DATE.findall(body)
    assert official.birth_date.strftime("%d/%m/%Y") in dates
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", body)  # no ISO dates left
    assert_fits_the_width(page)
    screenshot(page, f"official-{size}")
    assert page_problems == []


def test_the_keyboard_reaches_the_content_and_shows_focus(page, page_problems):
    login(page, "btv01")
    page.goto("/personnel/officials/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.focus("#id_q")
    page.keyboard.press("Tab")  # to the unit select
    ring = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert ring not in ("", "none")
    screenshot(page, "focus-ring-1366")
    assert page_problems == []

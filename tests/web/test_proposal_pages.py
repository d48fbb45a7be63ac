"""The workflow's pages in a real browser with the demo data: they fit 1366×768 and a 375 px
phone, work by keyboard, and speak Vietnamese with no English left (and English when asked).
Screenshots land in artifacts/screenshots/."""

import re

import pytest

from personnel.models import Position
from tests.helpers import IN_BROWSER, VIEWPORTS, login, screenshot, viewport_name
from tests.web.test_browser import assert_fits_the_width, assert_styled
from workflow.models import RotationProposal

pytestmark = IN_BROWSER

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


def demo_proposal(state) -> RotationProposal:
    proposal = RotationProposal.objects.filter(state=state).order_by("id").first()
    assert proposal is not None, f"the demo has no proposal in {state}"
    return proposal


@VIEWPORTS
def test_the_proposal_list_filters_and_fits(page, page_problems):
    size = viewport_name(page)
    login(page, "btv01")
    page.goto("/proposals/")
    assert page.locator("h1").inner_text() == "Đề xuất"
    assert_styled(page)
    total = RotationProposal.objects.count()
    assert f"{total} đề xuất" in page.locator(".result-count").inner_text()
    assert_fits_the_width(page)
    screenshot(page, f"proposal-list-{size}")

    page.select_option("#id_state", "voting")
    with page.expect_navigation():
        page.get_by_role("button", name="Lọc").click()
    voting = RotationProposal.objects.filter(state="voting").count()
    assert f"{voting} đề xuất" in page.locator(".result-count").inner_text()
    rows = page.locator("tbody tr")
    assert rows.count() == voting
    for i in range(voting):
        assert "Đang biểu quyết" in rows.nth(i).inner_text()
    assert not ISO_DATE.search(page.locator("main").inner_text())
    assert page_problems == []


@VIEWPORTS
def test_the_proposal_page_of_an_appraisal(page, page_problems):
    size = viewport_name(page)
    proposal = demo_proposal("in_review")
    login(page, "board.head")
    page.goto(f"/proposals/{proposal.pk}/")
    assert proposal.official.full_name in page.locator("h1").inner_text()
    for heading in (
        "Việc đồng chí có thể làm",
        "Tóm tắt",
        "Kiểm tra điều kiện",
        "Tác động đến chỉ tiêu không là người địa phương",
        "Ý kiến thẩm định",
        "Tiến trình của đề xuất",
        "Lịch sử xử lý",
    ):
        assert page.get_by_role("heading", name=heading).count() == 1, heading
    actions = page.locator(".actions a").all_inner_texts()
    assert "Thẩm định, trình Ban Thường vụ" in actions
    assert "Trình đề xuất" not in actions  # the author's, not the board head's
    diagram = page.locator("svg.state-diagram")
    assert diagram.get_attribute("role") == "img"
    assert page.locator('svg.state-diagram .sd-current[data-state="in_review"]').count() == 1
    # The text alternative of the diagram opens by keyboard.
    page.locator("#diagram summary").focus()
    page.keyboard.press("Enter")
    assert "Đang thẩm định (trạng thái hiện tại)" in page.locator(".state-steps").inner_text()
    body = page.locator("main").inner_text()
    assert proposal.effective_date.strftime("%d/%m/%Y") in DATE.findall(body)
    assert not ISO_DATE.search(body)
    assert_fits_the_width(page)
    screenshot(page, f"proposal-in-review-{size}")
    assert page_problems == []


def test_an_action_is_confirmed_by_keyboard_and_a_missing_reason_is_explained(page, page_problems):
    proposal = demo_proposal("in_review")
    login(page, "board.a")
    page.goto(f"/proposals/{proposal.pk}/")
    page.locator('.actions a[data-action="return_for_revision"]').focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Trả lại bổ sung"
    reason = page.get_by_label("Lý do")
    assert reason.get_attribute("required") is not None
    page.locator('button[data-confirm="return_for_revision"]').focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Not sent back: the reason is asked for, next to its field, and the field says so.
    assert reason.get_attribute("aria-invalid") == "true"
    error_id = reason.get_attribute("aria-describedby").split()[-1]
    assert "bắt buộc" in page.locator(f"#{error_id}").inner_text()
    assert RotationProposal.objects.get(pk=proposal.pk).state == "in_review"
    screenshot(page, "action-reason-required-1366")

    reason.fill("Bổ sung bản tự kiểm điểm ba năm gần nhất.")
    page.locator('button[data-confirm="return_for_revision"]').focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Đã trả đề xuất cho người lập để bổ sung." in page.locator(".messages").inner_text()
    assert RotationProposal.objects.get(pk=proposal.pk).state == "returned"
    assert page_problems == []


def test_the_new_proposal_form_explains_refusals_next_to_the_fields(page, page_problems):
    login(page, "proposer.district")
    page.goto("/proposals/new/?q=tran+minh")  # works without typing: the plain search
    page.get_by_role("link", name=re.compile("Lập đề xuất cho Trần Minh Tuấn")).click()
    page.wait_for_url("**/proposals/new/?official=*")
    page.get_by_label("Biệt phái").check()
    page.fill("#id_duration_months", "")
    page.fill("#id_effective_date", "15/01/2020")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu dự thảo").click()
    assert "Vui lòng sửa các mục" in page.get_by_role("alert").first.inner_text()
    assert "phải có thời hạn" in page.locator("#id_duration_months_error").inner_text()
    assert "Trường này là bắt buộc" in page.locator("#id_target_position_error").inner_text()
    assert "Trường này là bắt buộc" in page.locator("#id_rationale_error").inner_text()
    screenshot(page, "proposal-form-errors-1366")

    # A refusal by the service lands next to its field too.
    target = Position.objects.get(name="Phó Bí thư Thường trực Đảng ủy xã Đồng Ruộng")
    page.select_option("#id_target_position", str(target.pk))
    page.fill("#id_duration_months", "12")
    page.fill("#id_rationale", "Tăng cường cán bộ.")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu dự thảo").click()
    error = page.locator("#id_effective_date_error").inner_text()
    assert "không giữ chức vụ nào vào ngày hiệu lực 15/01/2020" in error
    assert "(the official" not in error
    assert not RotationProposal.objects.filter(official__full_name="Trần Minh Tuấn").exists()
    assert page_problems == []


@pytest.mark.parametrize("page", [{"width": 375, "height": 812}], indirect=True, ids=["375"])
def test_the_office_and_my_decisions_fit_a_phone(page, page_problems):
    login(page, "office")
    page.goto("/proposals/office/")
    assert page.locator("h1").inner_text() == "Văn phòng cấp ủy"
    assert page.get_by_role("heading", name="Quyết định cần ban hành").count() == 1
    assert_fits_the_width(page)
    screenshot(page, "office-375")

    issued = RotationProposal.objects.filter(state="issued", official__user__isnull=False).first()
    login(page, issued.official.user.username)
    page.goto("/decisions/mine/")
    assert page.locator("h1").inner_text() == "Quyết định của tôi"
    assert issued.decision.number_label in page.locator("main").inner_text()
    assert_fits_the_width(page)
    screenshot(page, "my-decisions-375")
    assert page_problems == []


def test_the_proposal_page_in_english_and_back_leaves_no_english(page, page_problems):
    proposal = demo_proposal("voting")
    login(page, "btv02")
    page.goto(f"/proposals/{proposal.pk}/")
    vietnamese = page.locator("body").inner_text()
    with page.expect_navigation():
        page.click('.lang-switch button[value="en"]')
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Vote of the Standing Committee" in page.locator("#vote").inner_text()
    assert page.locator("svg.state-diagram title").first.text_content() == (
        "State diagram of the proposal"
    )
    screenshot(page, "proposal-voting-english-1366")
    english = {
        " ".join(text.split())
        for selector in ("h1", "h2", "h3", "dt", "th", "legend", "label", ".button", "summary")
        for text in page.locator(f"main {selector}").all_inner_texts()
        if text.strip()
    }
    english -= {
        proposal.official.full_name,
        f"Proposal #{proposal.pk}: {proposal.official.full_name}",
    }
    with page.expect_navigation():
        page.click('.lang-switch button[value="vi"]')
    back = page.locator("body").inner_text()
    assert back == vietnamese
    # Whole words only: "To" is not left over because a name contains "Toàn".
    left_in_english = sorted(
        text for text in english if re.search(rf"(?<!\w){re.escape(text)}(?!\w)", back)
    )
    assert left_in_english == []
    assert page_problems == []

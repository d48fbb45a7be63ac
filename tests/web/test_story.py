"""The demo story (SPEC §1, §10) in a real browser, each step by the user whose job it is:

proposer.district proposes canbo.dongruong (Trần Minh Tuấn) for the vacant post of Phó Bí thư
Thường trực Đảng ủy xã Đồng Ruộng, a 36-month rotation, and submits it; board.a takes it for
appraisal and records an "endorse" opinion; board.head endorses it to the Standing Committee;
btv01 (the chair) opens the vote; eight members cast secret ballots (seven approve, one
abstains); btv01 closes the vote; the office issues the decision and its PDF is made; the
official downloads it and acknowledges receipt; the office puts it into effect.

The effective date is today: the office may put a decision into effect only on or after its
effective date (the `post` check in workflow/transitions.py), and a decision can be issued for a date that has
come. Tasks run in-process (no REDIS_URL): the PDF is made when the office issues, inside the
live server. A screenshot of each main page goes to artifacts/screenshots/story-*.png.
"""

import re

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from documents.models import Decision, Delivery
from personnel.models import Assignment, Official, Position
from tests.helpers import IN_BROWSER, login, screenshot
from workflow.models import RotationProposal

pytestmark = IN_BROWSER

TARGET = "Phó Bí thư Thường trực Đảng ủy xã Đồng Ruộng"
VOTERS = ["btv01", "btv02", "btv03", "btv04", "btv05", "btv06", "btv07", "btv08"]


def open_as(page, username, proposal):
    """Log in as `username` and open the proposal's page."""
    login(page, username)
    page.goto(f"/proposals/{proposal.pk}/")


@pytest.fixture
def eager_tasks():
    """Celery runs tasks in the calling process, whatever the environment says."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def state_badge(page) -> str:
    return " ".join(page.locator("#proposal-state").text_content().split())


def act(page, action: str, comment: str = "", *, then: str | None = None):
    """Click an action on the proposal page, fill the confirmation and confirm; with `then`,
    the page must show that state afterwards."""
    page.click(f'.actions a[data-action="{action}"]')
    page.wait_for_selector(f'button[data-confirm="{action}"]')
    if comment:
        page.get_by_label(re.compile("Ý kiến|Lý do")).fill(comment)
    with page.expect_navigation():
        page.click(f'button[data-confirm="{action}"]')
    if then is not None:
        assert state_badge(page) == f"Trạng thái: {then}"


def test_the_demo_story_from_proposal_to_posting(page, page_problems, eager_tasks, media):
    official = Official.objects.get(user__username="canbo.dongruong")
    target = Position.objects.get(name=TARGET)
    today = timezone.localdate()

    # The proposer finds the official by typing the name without diacritics (htmx search).
    login(page, "proposer.district")
    page.click('.site-nav a[data-nav="proposals"]')
    page.wait_for_url("**/proposals/")
    screenshot(page, "story-01-proposal-list")
    page.get_by_role("link", name="Lập đề xuất").click()
    page.wait_for_url("**/proposals/new/")
    page.get_by_label("Họ tên cán bộ").press_sequentially("tran minh", delay=20)
    results = page.locator("#official-results .results li")
    results.first.wait_for()
    assert official.full_name in results.first.inner_text()
    screenshot(page, "story-02-find-official")
    with page.expect_navigation():
        page.get_by_role("link", name=f"Lập đề xuất cho {official.full_name}").click()

    # The form shows the current post and offers the vacant post first, marked.
    assert "Phó Trưởng Ban Tuyên giáo Huyện ủy" in page.locator(".official-card").inner_text()
    option = page.locator(f'#id_target_position option[value="{target.pk}"]')
    assert option.inner_text() == f"{TARGET} — còn trống"
    assert page.locator("#id_target_position optgroup").first.get_attribute("label") == (
        "Chức vụ còn trống"
    )
    page.get_by_label("Luân chuyển").check()
    page.select_option("#id_target_position", str(target.pk))
    page.fill("#id_effective_date", today.strftime("%d/%m/%Y"))
    page.fill("#id_duration_months", "36")
    page.fill("#id_rationale", "Luân chuyển để đào tạo, thử thách cán bộ trong quy hoạch.")
    screenshot(page, "story-03-proposal-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu dự thảo").click()
    assert re.search(r"/proposals/\d+/$", page.url)
    proposal = RotationProposal.objects.get(official=official, state="draft")
    assert state_badge(page) == "Trạng thái: Dự thảo"
    checklist = page.locator("#checklist")
    assert checklist.locator(".check").count() == 8
    assert checklist.locator(".check-ok").count() == 8  # every rule is met
    assert page.locator('svg.state-diagram .sd-current[data-state="draft"]').count() == 1
    screenshot(page, "story-04-proposal-draft")
    act(page, "submit", then="Đã trình")

    # A board member takes it for appraisal and records an "endorse" opinion.
    open_as(page, "board.a", proposal)
    act(page, "start_review", then="Đang thẩm định")
    page.locator("#opinions").get_by_label("Nhất trí", exact=True).check()
    page.locator("#opinions textarea").fill(
        "Cán bộ đủ tiêu chuẩn, điều kiện; đề nghị trình Ban Thường vụ."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi ý kiến").click()
    assert "Đã ghi ý kiến" in page.locator(".messages").inner_text()
    assert "Nhất trí" in page.locator("#opinions .opinions").inner_text()

    # The board head endorses it to the Standing Committee.
    open_as(page, "board.head", proposal)
    screenshot(page, "story-05-proposal-in-review")
    act(page, "endorse", then="Đã thẩm định, trình BTV")

    # The chair opens the vote; eight members cast secret ballots.
    open_as(page, "btv01", proposal)
    act(page, "open_vote", then="Đang biểu quyết")
    for number, username in enumerate(VOTERS):
        choice = "Không có ý kiến" if number == len(VOTERS) - 1 else "Đồng ý"
        open_as(page, username, proposal)
        page.click('.actions a[data-action="ballot"]')
        page.get_by_label(choice, exact=True).check()
        with page.expect_navigation():
            page.get_by_role("button", name="Tiếp tục").click()
        if number == 0:
            screenshot(page, "story-06-ballot-confirm")
        with page.expect_navigation():
            page.click('button[data-confirm="ballot"]')
        vote = page.locator("#vote")
        assert "Đã bỏ phiếu" in vote.inner_text()
        assert f"{number + 1}/11" in vote.inner_text()
        # Secret: the page says that the member voted, never how.
        page.goto(f"/proposals/{proposal.pk}/ballot/")
        assert "Đã bỏ phiếu" in page.locator("main").inner_text()
        assert "Đồng ý" not in page.locator("main").inner_text()
        assert page.locator('input[name="choice"]').count() == 0
    screenshot(page, "story-07-proposal-voting")

    # The chair closes the vote: 7 approvals of 11 members pass it.
    open_as(page, "btv01", proposal)
    act(page, "close_vote", then="BTV đã thông qua")
    result = page.locator("#vote").inner_text()
    assert "7\nđồng ý" in result and "1\nkhông có ý kiến" in result
    assert "Được thông qua." in result

    # The office issues the decision, signed by the Secretary; the PDF is made.
    login(page, "office")
    page.goto("/proposals/office/")
    screenshot(page, "story-08-office")
    page.click(f'a[href="/proposals/{proposal.pk}/do/issue_decision/"]')
    assert page.get_by_label(re.compile("Nguyễn Quang Minh — Bí thư")).is_checked()
    with page.expect_navigation():
        page.click('button[data-confirm="issue_decision"]')
    assert state_badge(page) == "Trạng thái: Đã ban hành quyết định"
    status = page.locator("#decision-status")
    page.wait_for_selector('#decision-status[data-status="ready"]', timeout=60_000)
    assert "Tệp PDF đã sẵn sàng" in status.inner_text()
    decision = Decision.objects.get(proposal=proposal)
    assert decision.number_label in page.locator("#documents").inner_text()
    screenshot(page, "story-09-proposal-issued")

    # The official downloads the decision and acknowledges receipt.
    login(page, "canbo.dongruong")
    page.goto("/decisions/mine/")
    mine = page.locator(f'.my-decision[data-decision="{decision.pk}"]')
    assert decision.number_display in mine.inner_text()
    with page.expect_download() as download:
        mine.get_by_role("link", name="Tải về (PDF)").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    screenshot(page, "story-10-my-decisions")
    with page.expect_navigation():
        mine.get_by_role("button", name="Xác nhận đã nhận").click()
    assert "Đã xác nhận nhận quyết định" in page.locator(".messages").inner_text()
    assert "Đã xác nhận nhận lúc" in page.locator(".my-decision").first.inner_text()
    assert Delivery.objects.get(decision=decision, recipient=official.user).acknowledged_at

    # The office puts the decision into effect: the official now holds the Đồng Ruộng post.
    login(page, "office")
    page.goto("/proposals/office/")
    page.click(f'a[href="/proposals/{proposal.pk}/do/post/"]')
    with page.expect_navigation():
        page.click('button[data-confirm="post"]')
    assert state_badge(page) == "Trạng thái: Đang có hiệu lực"
    assert page.locator('svg.state-diagram .sd-current[data-state="in_effect"]').count() == 1
    history = page.locator("#history").inner_text()
    for label in ("Lập dự thảo đề xuất", "Trình đề xuất", "Bỏ phiếu", "Ban hành quyết định"):
        assert label in history
    screenshot(page, "story-11-proposal-in-effect")
    assert Assignment.objects.filter(
        official=official, position=target, start=today, end__isnull=True
    ).exists()
    assert (
        not Assignment.objects.filter(official=official, position=target)
        .exclude(start=today)
        .exists()
    )
    assert page_problems == []

"""The home page: what waits for the user, from the workflow's inbox."""

import datetime as dt
import re

import pytest

from personnel.roles import Actor
from tests.helpers import TODAY
from tests.world import act
from workflow import services
from workflow.models import ProposalKind

pytestmark = pytest.mark.django_db


def transfer(world, official, target, *, days):
    """A draft transfer to Đồng Ruộng by the proposer, effective in `days` days."""
    return services.proposal_create(
        actor=Actor.for_user(world.proposer),
        official=official,
        kind=ProposalKind.TRANSFER,
        target_position=target,
        effective_date=TODAY + dt.timedelta(days=days),
        rationale="Tăng cường cán bộ cho xã Đồng Ruộng.",
    )


@pytest.fixture
def draft(world):
    """Hồng, Phó Chủ tịch UBND of Tú Lý, proposed for the free vice-chairman seat of Đồng Ruộng."""
    return transfer(world, world.hong, world.dongruong_vice, days=30)


def home_text(client, user):
    client.force_login(user)
    html = client.get("/").content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_it_sends_anonymous_visitors_to_the_login_page(client, world):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_it_shows_the_author_their_draft_to_submit(client, world, draft):
    page = home_text(client, world.proposer)
    assert "Việc cần xử lý" in page
    assert "1 việc đang chờ bạn." in page
    assert "Dự thảo cần trình" in page
    assert "Đinh Thị Hồng" in page
    assert "Điều động" in page
    assert draft.effective_date.strftime("%d/%m/%Y") in page
    assert "Dự thảo" in page  # the state label


def test_a_submitted_proposal_moves_to_the_reviewers_inbox(client, world, draft):
    act("submit", draft, world.proposer)

    reviewer_page = home_text(client, world.reviewer)
    assert "Đề xuất cần thẩm định" in reviewer_page
    assert "Đinh Thị Hồng" in reviewer_page
    assert "Đã trình" in reviewer_page

    author_page = home_text(client, world.proposer)
    assert "Dự thảo cần trình" not in author_page
    assert "Không có việc nào đang chờ bạn." in author_page


def test_a_user_with_no_role_is_told_nothing_waits(client, world, draft):
    page = home_text(client, world.impostor)
    assert "Không có việc nào đang chờ bạn." in page
    assert "Đinh Thị Hồng" not in page


def test_the_home_page_leads_to_the_registry_and_the_users_own_record(client, world):
    client.force_login(world.official_user)
    html = client.get("/").content.decode()
    assert 'href="/personnel/units/"' in html
    assert f'href="/personnel/officials/{world.an.pk}/"' in html  # "Hồ sơ của tôi"


def test_a_user_who_is_not_an_official_has_no_record_link(client, world):
    client.force_login(world.reviewer)
    html = client.get("/").content.decode()
    assert "Hồ sơ của tôi" not in html


def test_a_long_section_shows_its_first_rows_its_size_and_a_link_to_the_rest(
    client, world, draft, monkeypatch
):
    transfer(world, world.an, world.dongruong_secretary, days=60)
    monkeypatch.setattr("config.views.HOME_ROWS", 1)
    page = home_text(client, world.proposer)
    assert "2 việc đang chờ bạn." in page
    assert "Đinh Thị Hồng" in page  # effective first: the most urgent
    assert "Nguyễn Văn An" not in page
    assert "Hiển thị 1/2 việc, việc gấp nhất trước." in page
    html = client.get("/").content.decode()
    assert 'href="/proposals/?state=draft,returned"' in html

"""The workflow's web pages, per page and persona: who gets 200, 302, 403, 404 or 409; that each
page calls its service; that a refusal is explained next to its field, never as a 500."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import Decision
from personnel.models import CommitteeMember
from personnel.roles import Actor
from reports.selectors import locality_impact
from tests.helpers import TODAY
from tests.helpers import page_client as client
from tests.world import S, act, advance, eligible_voters, new_proposal, new_transfer
from workflow import services
from workflow.models import (
    BallotReceipt,
    EligibilityException,
    Opinion,
    RotationProposal,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page as a reader sees it: tags dropped, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def form_data(w, **overrides):
    data = {
        "official": w.an.pk,
        "kind": "rotation",
        "target_position": w.target.pk,
        "effective_date": (TODAY + dt.timedelta(days=30)).strftime("%d/%m/%Y"),
        "duration_months": "36",
        "rationale": "Luân chuyển để đào tạo, thử thách cán bộ trong quy hoạch.",
        "higher_post_justification": "",
    }
    data.update(overrides)
    return data


def field_errors(response, name) -> str:
    """The text of the error list tied to one field (id_<name>_error)."""
    match = re.search(
        rf'<ul class="errorlist" id="id_{name}_error">(.*?)</ul>', response.content.decode(), re.S
    )
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()) if match else ""


# --- The list -------------------------------------------------------------------------------


def test_the_list_sends_anonymous_visitors_to_log_in(world):
    response = client().get("/proposals/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/proposals/"


def test_the_list_shows_a_committee_member_the_proposals(world, proposal):
    response = client(world.members[5]).get("/proposals/")
    assert response.status_code == 200
    page = text(response)
    assert "1 đề xuất" in page
    assert "Nguyễn Văn An" in page
    assert "Dự thảo" in page
    assert proposal.effective_date.strftime("%d/%m/%Y") in page


def test_the_list_hides_proposals_from_an_outsider(world, proposal):
    page = text(client(world.outsider).get("/proposals/"))
    assert "0 đề xuất" in page
    assert "Nguyễn Văn An" not in page


def test_the_list_finds_an_official_typed_without_diacritics(world, proposal):
    new_proposal(world, official=world.hoa, target=world.pos["HB-DB-TT", "PBT-TT"])
    as_chair = client(world.chair)
    assert "Nguyễn Văn An" in text(as_chair.get("/proposals/", {"q": "nguyen van"}))
    assert "Bùi Thị Hoa" not in text(as_chair.get("/proposals/", {"q": "nguyen van"}))
    # Each word must begin a word of the name: "an" is An, not "Lan" or "Toan".
    assert "Nguyễn Văn An" in text(as_chair.get("/proposals/", {"q": "an"}))
    assert "0 đề xuất" in text(as_chair.get("/proposals/", {"q": "guyen"}))


def test_the_list_filters_by_state_kind_unit_and_term(world, proposal):
    other = new_transfer(world, world.hoa, world.pos["HB-DB-TT", "PBT-TT"])
    act("submit", other, world.proposer)
    as_chair = client(world.chair)

    def names(**params):
        page = text(as_chair.get("/proposals/", params))
        return {name for name in ("Nguyễn Văn An", "Bùi Thị Hoa") if name in page}

    assert names(state="submitted") == {"Bùi Thị Hoa"}
    assert names(kind="rotation") == {"Nguyễn Văn An"}
    assert names(unit=world.town.pk) == {"Bùi Thị Hoa"}  # the move enters the town
    assert names(unit=world.tuly.pk) == {"Nguyễn Văn An"}  # the move leaves Tú Lý
    assert names(unit=world.district.pk) == {"Nguyễn Văn An", "Bùi Thị Hoa"}
    assert names(term=world.term.pk) == {"Nguyễn Văn An", "Bùi Thị Hoa"}
    assert names(term=world.next_term.pk) == set()


def test_the_list_reports_an_unknown_filter_value_instead_of_failing(world, proposal):
    response = client(world.chair).get("/proposals/", {"state": "lost", "kind": "rotation"})
    assert response.status_code == 200
    assert "lost" in field_errors(response, "state")
    assert "Nguyễn Văn An" in text(response)  # the valid filter still applies


def test_the_list_costs_the_same_queries_for_a_few_rows_or_a_full_page(world):
    as_chair = client(world.chair)
    new_proposal(world)
    with CaptureQueriesContext(connection) as one:
        assert as_chair.get("/proposals/").status_code == 200
    for official, target in (
        (world.hoa, ("HB-DB-TT", "BT")),
        (world.dung, ("HB-DB-DR", "PCT")),
        (world.binh, ("HB-DB-TL", "BT")),
    ):
        new_transfer(world, official, world.pos[target])
    with CaptureQueriesContext(connection) as four:
        response = as_chair.get("/proposals/")
    assert "4 đề xuất" in text(response)
    assert len(four.captured_queries) == len(one.captured_queries)


def test_the_list_offers_a_new_proposal_to_proposers_only(world):
    assert 'href="/proposals/new/"' in client(world.proposer).get("/proposals/").content.decode()
    assert 'href="/proposals/new/"' not in client(world.chair).get("/proposals/").content.decode()


# --- Drafting -------------------------------------------------------------------------------


def test_a_user_without_proposer_scope_may_not_draft(world):
    response = client(world.chair).get("/proposals/new/")
    assert response.status_code == 403
    assert "phạm vi đề xuất" in text(response)


def test_the_search_finds_officials_in_the_proposers_scope_only(world):
    as_tuly = client(world.proposer_tuly)
    page = text(as_tuly.get("/proposals/new/", {"q": "nguyen van an"}))
    assert "Nguyễn Văn An" in page
    assert "Phó Bí thư Thường trực Đảng ủy xã Tú Lý" in page  # the current post
    # Cường's post is in the town, outside Tú Lý.
    assert "Đinh Công Cường" not in text(as_tuly.get("/proposals/new/", {"q": "cuong"}))
    assert "Đinh Công Cường" in text(client(world.proposer).get("/proposals/new/", {"q": "cuong"}))


def test_the_search_answers_htmx_with_a_fragment_and_others_with_the_page(world):
    as_proposer = client(world.proposer)
    fragment = as_proposer.get("/proposals/new/officials/", {"q": "an"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert f'href="/proposals/new/?official={world.an.pk}"' in fragment.content.decode()
    plain = as_proposer.get("/proposals/new/officials/", {"q": "an"})
    assert plain.status_code == 302
    assert plain["Location"] == "/proposals/new/?q=an"


def test_the_search_says_when_an_official_already_has_an_open_proposal(world, proposal):
    page = text(client(world.proposer).get("/proposals/new/", {"q": "nguyen van an"}))
    assert f"Đang có đề xuất số {proposal.pk}" in page


def test_the_form_offers_vacant_posts_first_and_leaves_out_the_current_post(world):
    response = client(world.proposer).get("/proposals/new/", {"official": world.an.pk})
    assert response.status_code == 200
    html = response.content.decode()
    select = re.search(r'<select name="target_position".*?</select>', html, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]+)">', select)
    assert groups == ["Chức vụ còn trống", "Chức vụ đang có người giữ"]
    vacant = select.split("</optgroup>")[0]
    assert (
        f'value="{world.target.pk}">Phó Bí thư Thường trực Đảng ủy xã Đồng Ruộng — còn trống'
        in (vacant)
    )
    assert f'value="{world.an_post.position_id}"' not in select  # An's own post
    assert f'value="{world.pos["HB-DB-TT", "PBT-TT"].pk}"' in select.split("</optgroup>")[1]
    page = text(response)
    assert "Phó Bí thư Thường trực Đảng ủy xã Tú Lý" in page  # the current post is shown


def test_a_valid_form_drafts_the_proposal_and_opens_it(world):
    response = client(world.proposer).post("/proposals/new/", form_data(world))
    proposal = RotationProposal.objects.get(official=world.an)
    assert response.status_code == 302
    assert response["Location"] == f"/proposals/{proposal.pk}/"
    assert proposal.state == S.DRAFT
    assert proposal.author == world.proposer
    assert proposal.duration_months == 36
    assert proposal.target_position == world.target


def test_a_rotation_without_a_duration_is_explained_next_to_the_field(world):
    response = client(world.proposer).post("/proposals/new/", form_data(world, duration_months=""))
    assert response.status_code == 200
    assert "phải có thời hạn" in field_errors(response, "duration_months")
    assert not RotationProposal.objects.exists()


def test_a_transfer_may_be_open_ended(world):
    response = client(world.proposer).post(
        "/proposals/new/", form_data(world, kind="transfer", duration_months="")
    )
    assert response.status_code == 302
    assert RotationProposal.objects.get().duration_months is None


def test_a_date_is_written_day_first_and_also_understood_as_iso(world):
    html = client(world.proposer).get("/proposals/new/", {"official": world.an.pk}).content
    assert 'placeholder="dd/mm/yyyy"' in html.decode()
    day = TODAY + dt.timedelta(days=40)
    client(world.proposer).post("/proposals/new/", form_data(world, effective_date=day.isoformat()))
    assert RotationProposal.objects.get().effective_date == day


def test_a_service_refusal_is_shown_next_to_the_field_it_is_about(world):
    # An holds his post from 01/01/2021: on an earlier date there is nothing to move him from.
    response = client(world.proposer).post(
        "/proposals/new/", form_data(world, effective_date="2020-06-01")
    )
    assert response.status_code == 200
    error = field_errors(response, "effective_date")
    assert "không giữ chức vụ nào vào ngày hiệu lực 01/06/2020" in error
    assert "effective date" not in error  # Vietnamese only
    assert 'aria-invalid="true"' in response.content.decode()


def test_a_second_open_proposal_is_refused_with_the_reason(world, proposal):
    response = client(world.proposer).post("/proposals/new/", form_data(world))
    assert response.status_code == 200
    assert "đang có một đề xuất khác chưa kết thúc" in text(response)
    assert RotationProposal.objects.count() == 1


def test_the_english_page_shows_a_refusal_in_english(world):
    c = client(world.proposer)
    c.cookies["django_language"] = "en"
    response = c.post("/proposals/new/", form_data(world, effective_date="2020-06-01"))
    error = field_errors(response, "effective_date")
    assert error == "Nguyễn Văn An holds no post on the effective date 01/06/2020."


def test_proposing_an_official_outside_the_scope_is_forbidden(world):
    response = client(world.proposer_tuly).get("/proposals/new/", {"official": world.cuong.pk})
    assert response.status_code == 403
    assert "phạm vi đề xuất" in text(response)


def test_proposing_an_unknown_official_is_not_found(world):
    assert client(world.proposer).get("/proposals/new/", {"official": 999999}).status_code == 404
    assert client(world.proposer).get("/proposals/new/", {"official": "x"}).status_code == 400


# --- Editing --------------------------------------------------------------------------------


def test_the_author_edits_a_draft(world, proposal):
    response = client(world.proposer).post(
        f"/proposals/{proposal.pk}/edit/", form_data(world, duration_months="48")
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.duration_months == 48


def test_the_edit_form_starts_from_the_proposal(world, proposal):
    html = client(world.proposer).get(f"/proposals/{proposal.pk}/edit/").content.decode()
    assert f'<option value="{world.target.pk}" selected>' in html
    assert f'value="{proposal.effective_date:%d/%m/%Y}"' in html


def test_only_the_author_may_edit(world, proposal):
    assert client(world.reviewer).get(f"/proposals/{proposal.pk}/edit/").status_code == 403
    assert client(world.outsider).get(f"/proposals/{proposal.pk}/edit/").status_code == 404


def test_a_submitted_proposal_cannot_be_edited(world, proposal):
    act("submit", proposal, world.proposer)
    response = client(world.proposer).get(f"/proposals/{proposal.pk}/edit/")
    assert response.status_code == 409
    assert "Đã trình" in text(response)


# --- The proposal page ----------------------------------------------------------------------


def actions(response) -> list[str]:
    section = re.search(r'<ul class="actions">(.*?)</ul>', response.content.decode(), re.S)
    return re.findall(r'data-action="([a-z_]+)"', section.group(1)) if section else []


def test_the_proposal_page_is_not_found_for_an_outsider(world, proposal):
    assert client(world.outsider).get(f"/proposals/{proposal.pk}/").status_code == 404
    assert client(world.chair).get("/proposals/999999/").status_code == 404


def test_the_official_concerned_sees_the_proposal_but_has_nothing_to_do(world, proposal):
    response = client(world.subject_user).get(f"/proposals/{proposal.pk}/")
    assert response.status_code == 200
    assert "Không có việc nào đồng chí cần làm với đề xuất này." in text(response)
    assert actions(response) == []


def test_each_user_sees_only_the_actions_they_may_take(world, proposal):
    pid = proposal.pk
    assert actions(client(world.proposer).get(f"/proposals/{pid}/")) == [
        "submit",
        "withdraw",
        "edit",
    ]
    assert actions(client(world.reviewer).get(f"/proposals/{pid}/")) == []
    services.proposal_transition("submit", proposal_id=pid, actor=Actor.for_user(world.proposer))
    assert actions(client(world.reviewer).get(f"/proposals/{pid}/")) == [
        "start_review",
        "return_for_revision",
    ]
    assert actions(client(world.board_head).get(f"/proposals/{pid}/")) == [
        "start_review",
        "return_for_revision",
        "reject",
    ]
    assert actions(client(world.chair).get(f"/proposals/{pid}/")) == []


def test_the_proposal_page_shows_summary_checklist_impact_diagram_and_history(world, proposal):
    act("submit", proposal, world.proposer)
    response = client(world.chair).get(f"/proposals/{proposal.pk}/")
    page = text(response)
    html = response.content.decode()
    for expected in (
        "Phó Bí thư Thường trực Đảng ủy xã Tú Lý",  # from
        "Phó Bí thư Thường trực Đảng ủy xã Đồng Ruộng",  # to
        "36 tháng",
        proposal.planned_end.strftime("%d/%m/%Y"),
        "Kiểm tra điều kiện",
        "Trong quy hoạch",
        "Có trong quy hoạch chức danh Bí thư Đảng ủy",
        "Tác động đến chỉ tiêu không là người địa phương",
        "Lập dự thảo đề xuất",
        "Trình đề xuất",
        "Dự thảo → Đã trình",
    ):
        assert expected in page, expected
    assert html.count('class="check check-ok"') == 8
    assert '<svg class="state-diagram"' in html
    assert 'class="sd-state sd-current" data-state="submitted"' in html
    assert 'class="sd-state sd-visited" data-state="draft"' in html
    assert not re.search(r"\(in the planning|\(the ", page)  # no English halves


def test_the_page_shows_the_effect_on_the_non_local_target(world, proposal):
    page = text(client(world.chair).get(f"/proposals/{proposal.pk}/"))
    impact = locality_impact(proposal)
    before, after, total = (
        impact["before"]["units_meeting"],
        impact["after"]["units_meeting"],
        impact["total_units"],
    )
    assert f"Số đơn vị đạt tiêu chí {before}/{total} {after}/{total}" in page
    for unit in impact["changed_units"]:
        assert unit["name"] in page


def grant_in_planning(proposal, user, justification):
    """Post an exception to the planning rule on the proposal's page, as `user`."""
    data = {"code": "in_planning", "in_planning-code": "in_planning"}
    data["in_planning-justification"] = justification
    return client(user).post(f"/proposals/{proposal.pk}/exceptions/", data)


def test_the_board_head_may_grant_an_exception_for_a_failed_check(world):
    # Dũng is not in any planning: a rotation fails "in_planning".
    proposal = new_proposal(world, official=world.dung)
    act("submit", proposal, world.proposer)
    url = f"/proposals/{proposal.pk}/"
    html = client(world.board_head).get(url).content.decode()
    assert 'class="check check-error" data-check="in_planning"' in html
    assert 'name="in_planning-justification"' in html
    assert (
        'name="in_planning-justification"' not in client(world.reviewer).get(url).content.decode()
    )

    response = grant_in_planning(proposal, world.board_head, "Trường hợp đặc biệt.")
    assert response.status_code == 302
    assert response["Location"] == f"/proposals/{proposal.pk}/#checklist"
    assert EligibilityException.objects.get(proposal=proposal).code == "in_planning"
    page = client(world.chair).get(url).content.decode()
    assert 'class="check check-excepted" data-check="in_planning"' in page
    assert "Trường hợp đặc biệt." in page


def test_an_exception_without_a_justification_is_explained(world):
    proposal = new_proposal(world, official=world.dung)
    act("submit", proposal, world.proposer)
    response = grant_in_planning(proposal, world.board_head, "")
    assert response.status_code == 200
    assert "Trường này là bắt buộc" in text(response)
    assert not EligibilityException.objects.exists()


def test_only_the_board_head_may_grant_an_exception(world):
    proposal = new_proposal(world, official=world.dung)
    act("submit", proposal, world.proposer)
    response = grant_in_planning(proposal, world.reviewer, "x")
    assert response.status_code == 403


def test_after_endorsement_the_page_shows_the_checklist_the_committee_saw(world, proposal):
    advance(world, proposal, S.ENDORSED)
    # The official's planning is withdrawn afterwards; the committee saw it met.
    world.an.planning.all().delete()
    page = text(client(world.chair).get(f"/proposals/{proposal.pk}/"))
    assert "Kết quả kiểm tra lúc trình Ban Thường vụ" in page
    assert "Có trong quy hoạch chức danh Bí thư Đảng ủy" in page


# --- Actions --------------------------------------------------------------------------------


def test_a_confirmation_asks_for_a_reason_where_one_is_required(world, proposal):
    html = client(world.proposer).get(f"/proposals/{proposal.pk}/do/withdraw/").content.decode()
    assert re.search(r'<textarea name="comment"[^>]* required', html)
    html = client(world.proposer).get(f"/proposals/{proposal.pk}/do/submit/").content.decode()
    assert not re.search(r'<textarea name="comment"[^>]* required', html)


def test_submit_is_confirmed_then_done_with_a_message(world, proposal):
    c = client(world.proposer)
    response = c.post(f"/proposals/{proposal.pk}/do/submit/", {"comment": ""})
    assert response.status_code == 302
    assert response["Location"] == f"/proposals/{proposal.pk}/"
    proposal.refresh_from_db()
    assert proposal.state == S.SUBMITTED
    assert "Đã trình đề xuất lên Ban Tổ chức." in text(c.get(response["Location"]))


def test_withdrawing_without_a_reason_is_explained_next_to_the_comment(world, proposal):
    response = client(world.proposer).post(
        f"/proposals/{proposal.pk}/do/withdraw/", {"comment": " "}
    )
    assert response.status_code == 200
    assert field_errors(response, "comment")
    proposal.refresh_from_db()
    assert proposal.state == S.DRAFT


def test_an_action_the_role_forbids_is_403_with_the_reason(world, proposal):
    response = client(world.reviewer).get(f"/proposals/{proposal.pk}/do/submit/")
    assert response.status_code == 403
    assert "Chỉ người lập đề xuất mới được thực hiện việc này (Trình đề xuất)." in text(response)
    response = client(world.reviewer).post(f"/proposals/{proposal.pk}/do/submit/")
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.state == S.DRAFT


def test_an_action_in_the_wrong_state_is_409_with_the_reason(world, proposal):
    act("submit", proposal, world.proposer)
    response = client(world.proposer).post(f"/proposals/{proposal.pk}/do/submit/")
    assert response.status_code == 409
    assert "Đề xuất đang ở trạng thái «Đã trình», không thể thực hiện lúc này (Trình đề xuất)." in (
        text(response)
    )


def test_an_unknown_action_or_an_invisible_proposal_is_not_found(world, proposal):
    assert client(world.proposer).get(f"/proposals/{proposal.pk}/do/fly/").status_code == 404
    assert client(world.outsider).get(f"/proposals/{proposal.pk}/do/submit/").status_code == 404


def test_endorsing_without_an_endorse_opinion_is_explained_not_a_500(world, proposal):
    advance(world, proposal, S.IN_REVIEW)
    response = client(world.board_head).post(f"/proposals/{proposal.pk}/do/endorse/")
    assert response.status_code == 409
    assert "Cần ít nhất một ý kiến thẩm định tán thành" in text(response)


def tie(w, proposal):
    """Ten incumbent members (one leaves), five approvals and two disapprovals: a tie."""
    CommitteeMember.objects.filter(user=w.members[-1]).update(end=TODAY - dt.timedelta(days=1))
    advance(w, proposal, S.VOTING)
    voters = eligible_voters(proposal)
    for user, choice in zip(voters, ["approve"] * 5 + ["disapprove"] * 2, strict=False):
        services.ballot_cast(proposal_id=proposal.pk, actor=Actor.for_user(user), choice=choice)


def test_closing_a_tied_vote_asks_the_chair_for_the_casting_decision(world, proposal):
    tie(world, proposal)
    c = client(world.chair)
    url = f"/proposals/{proposal.pk}/do/close_vote/"
    assert 'name="casting"' not in c.get(url).content.decode()
    response = c.post(url, {"comment": ""})
    assert response.status_code == 200
    assert 'name="casting"' in response.content.decode()
    assert "bằng đúng một nửa" in field_errors(response, "casting")
    proposal.refresh_from_db()
    assert proposal.state == S.VOTING

    response = c.post(url, {"comment": "", "casting": "approve"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == S.APPROVED
    assert proposal.vote_rounds.get().casting_choice == "approve"


def test_issuing_lets_the_office_choose_the_signer(world, proposal):
    advance(world, proposal, S.APPROVED)
    c = client(world.clerk)
    html = c.get(f"/proposals/{proposal.pk}/do/issue_decision/").content.decode()
    assert re.search(rf'value="{world.chair.pk}"[^>]*checked', html)
    assert f'value="{world.deputy.pk}"' in html
    assert f'value="{world.members[5].pk}"' not in html  # a plain member does not sign
    response = c.post(
        f"/proposals/{proposal.pk}/do/issue_decision/", {"comment": "", "signer": world.deputy.pk}
    )
    assert response.status_code == 302
    decision = Decision.objects.get(proposal=proposal)
    assert decision.signer == world.deputy
    assert decision.signer_role == "deputy"


def test_putting_into_effect_waits_for_the_effective_date(world, proposal):
    advance(world, proposal, S.ISSUED)  # effective in 30 days
    response = client(world.clerk).get(f"/proposals/{proposal.pk}/do/post/")
    assert response.status_code == 409
    assert "Chưa đến ngày hiệu lực" in text(response)


def test_ending_a_rotation_asks_the_outcome(world):
    proposal = new_proposal(world, effective_date=TODAY)
    advance(world, proposal, S.IN_EFFECT)
    c = client(world.board_head)
    response = c.post(f"/proposals/{proposal.pk}/do/end_rotation/", {"comment": ""})
    assert response.status_code == 200
    assert field_errors(response, "outcome")
    response = c.post(f"/proposals/{proposal.pk}/do/end_rotation/", {"outcome": "kept"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.state, proposal.outcome) == (S.COMPLETED, "kept")


# --- Opinions -------------------------------------------------------------------------------


def post_opinion(proposal, user, opinion, comment):
    data = {"opinion": opinion, "comment": comment}
    return client(user).post(f"/proposals/{proposal.pk}/opinions/", data)


def test_a_board_member_records_an_opinion(world, proposal):
    advance(world, proposal, S.IN_REVIEW)
    response = post_opinion(proposal, world.reviewer_b, "revise", "Bổ sung hồ sơ.")
    assert response.status_code == 302
    assert response["Location"] == f"/proposals/{proposal.pk}/#opinions"
    opinion = Opinion.objects.get(proposal=proposal)
    assert (opinion.author, opinion.opinion) == (world.reviewer_b, "revise")


def test_an_opinion_without_a_comment_is_explained(world, proposal):
    advance(world, proposal, S.IN_REVIEW)
    response = post_opinion(proposal, world.reviewer, "endorse", "")
    assert response.status_code == 200
    assert field_errors(response, "comment")
    assert not Opinion.objects.exists()


def test_the_author_may_not_record_an_opinion(world, proposal):
    advance(world, proposal, S.IN_REVIEW)
    response = post_opinion(proposal, world.proposer, "endorse", "Tốt.")
    assert response.status_code == 403


def test_opinions_only_take_posts(world, proposal):
    assert client(world.reviewer).get(f"/proposals/{proposal.pk}/opinions/").status_code == 405


# --- The ballot -----------------------------------------------------------------------------


def test_a_member_casts_a_ballot_only_after_confirming(world, proposal):
    advance(world, proposal, S.VOTING)
    member = world.members[6]
    c = client(member)
    url = f"/proposals/{proposal.pk}/ballot/"
    assert c.get(url).status_code == 200
    response = c.post(url, {"choice": "disapprove"})
    assert response.status_code == 200
    assert "Phiếu của đồng chí: Không đồng ý" in text(response)
    assert not BallotReceipt.objects.filter(user=member).exists()

    response = c.post(url, {"choice": "disapprove", "confirm": "1"})
    assert response.status_code == 302
    assert BallotReceipt.objects.filter(user=member).exists()


def test_after_casting_the_page_says_voted_without_the_choice(world, proposal):
    advance(world, proposal, S.VOTING)
    member = world.members[6]
    services.ballot_cast(proposal_id=proposal.pk, actor=Actor.for_user(member), choice="disapprove")
    for url in (f"/proposals/{proposal.pk}/ballot/", f"/proposals/{proposal.pk}/"):
        page = text(client(member).get(url))
        assert "Đã bỏ phiếu" in page
        assert "Không đồng ý" not in page
    # A second ballot is not possible: the page shows the same answer, nothing is cast.
    response = client(member).post(
        f"/proposals/{proposal.pk}/ballot/", {"choice": "approve", "confirm": "1"}
    )
    assert response.status_code == 200
    assert BallotReceipt.objects.filter(user=member).count() == 1


def test_a_user_who_may_not_vote_gets_the_reason(world, proposal):
    advance(world, proposal, S.VOTING)
    response = client(world.reviewer).get(f"/proposals/{proposal.pk}/ballot/")
    assert response.status_code == 403
    assert "danh sách biểu quyết" in text(response)
    assert client(world.outsider).get(f"/proposals/{proposal.pk}/ballot/").status_code == 404


def test_the_ballot_of_a_proposal_that_is_not_voting_is_409(world, proposal):
    response = client(world.chair).get(f"/proposals/{proposal.pk}/ballot/")
    assert response.status_code == 409


def test_the_tally_shows_only_once_the_vote_is_closed(world, proposal):
    advance(world, proposal, S.VOTING)
    for user in eligible_voters(proposal)[:8]:
        services.ballot_cast(proposal_id=proposal.pk, actor=Actor.for_user(user), choice="approve")
    page = text(client(world.chair).get(f"/proposals/{proposal.pk}/"))
    assert "8/11 phiếu đã bỏ" in page
    assert "Kết quả được giữ kín" in page
    assert "Được thông qua." not in page
    act("close_vote", proposal, world.chair)
    page = text(client(world.chair).get(f"/proposals/{proposal.pk}/"))
    assert "8 đồng ý 0 không đồng ý 0 không có ý kiến" in page
    assert "Được thông qua." in page
    # The history names the count too, and the opinion recorded during the appraisal.
    assert "Kết thúc biểu quyết: 8 đồng ý, 0 không đồng ý, 0 không có ý kiến" in page
    assert "Ghi ý kiến thẩm định: Nhất trí" in page


# --- The office -----------------------------------------------------------------------------


def test_the_office_page_is_for_the_office(world):
    assert client(world.chair).get("/proposals/office/").status_code == 403
    assert client(world.clerk).get("/proposals/office/").status_code == 200
    assert client().get("/proposals/office/").status_code == 302


def test_the_office_page_lists_decisions_to_issue_postings_due_and_issued(world, proposal):
    advance(world, proposal, S.APPROVED)
    due = new_transfer(world, world.hoa, world.pos["HB-DB-TT", "BT"], effective_date=TODAY)
    advance(world, due, S.ISSUED)
    response = client(world.clerk).get("/proposals/office/")
    html = response.content.decode()
    assert f'href="/proposals/{proposal.pk}/do/issue_decision/"' in html
    assert f'href="/proposals/{due.pk}/do/post/"' in html
    decision = Decision.objects.get(proposal=due)
    assert decision.number_label in text(response)
    assert decision.get_status_display() in text(response)


# --- The header -----------------------------------------------------------------------------


def test_the_roles_in_the_header_are_the_registrys(world):
    """The pages hand the header the roles they read already; they must be the same roles."""
    from personnel.selectors import user_roles as registry_roles

    for user in (
        world.admin,
        world.proposer,
        world.board_head,
        world.reviewer,
        world.reviewer_b,
        world.chair,
        world.deputy,
        world.member_cuong,
        world.clerk,
        world.subject_user,
        world.outsider,
    ):
        assert Actor.for_user(user).role_names() == registry_roles(user), user.username
    html = client(world.board_head).get("/proposals/").content.decode()
    assert "Trưởng Ban Tổ chức" in html


# --- Queries --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state, who",
    [(S.IN_REVIEW, "board_head"), (S.VOTING, "member_cuong"), (S.IN_EFFECT, "clerk")],
)
def test_the_proposal_page_takes_at_most_15_queries(
    world, state, who, django_assert_max_num_queries
):
    # The session, the user, their roles (one query), the proposal with what it shows (one
    # query), then the checklist, history, vote, documents, opinions and locality impact.
    proposal = advance(world, new_proposal(world, effective_date=TODAY), state)
    browser = client(getattr(world, who))
    browser.get(f"/proposals/{proposal.pk}/")
    with django_assert_max_num_queries(15):
        assert browser.get(f"/proposals/{proposal.pk}/").status_code == 200


def test_an_actors_roles_are_read_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        actor = Actor.for_user(world.board_head)
    assert actor.role_names() == ["board_head", "board_member", "committee_member"]

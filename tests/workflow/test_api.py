"""The proposal API (SPEC §9): shapes, status codes, {detail, code} errors, visibility, filters
and a fixed number of queries per page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from personnel.models import Assignment, Official, PlanningEntry
from personnel.roles import Actor
from tests.helpers import TODAY, client_for
from tests.world import (
    S,
    act,
    advance,
    cast_all,
    eligible_voters,
    new_proposal,
    new_transfer,
    proposal_body,
)
from workflow import services
from workflow.eligibility import planned_end_for
from workflow.models import RotationProposal

pytestmark = pytest.mark.django_db

SPEC_FIELDS = {
    "id",
    "state",
    "kind",
    "official",
    "from_position",
    "target_position",
    "effective_date",
    "duration_months",
    "planned_end",
    "rationale",
    "eligibility",
    "transitions",
    "decision",
}


def url(pid=None, tail=""):
    if pid is None:
        return "/api/v1/proposals/"
    return f"/api/v1/proposals/{pid}/{tail}"


body = proposal_body


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    data = response.json()
    assert set(data) >= {"detail", "code"}
    assert data["detail"]
    if code:
        assert data["code"] == code
    return data


# --- Create ---------------------------------------------------------------------------------


def test_a_proposer_creates_a_draft(world):
    response = client_for(world.proposer).post(url(), body(world), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) >= SPEC_FIELDS
    assert data["state"] == "draft"
    assert data["from_position"] == world.an_post.position_id
    effective = TODAY + dt.timedelta(days=30)
    assert data["planned_end"] == planned_end_for(effective, 36).isoformat()
    assert data["transitions"] == ["submit", "withdraw"]
    assert data["decision"] is None
    assert {c["code"] for c in data["eligibility"]} >= {"in_planning", "current_assignment"}
    for check in data["eligibility"]:
        assert set(check) >= {"code", "severity", "ok", "message"}
    proposal = RotationProposal.objects.get(pk=data["id"])
    assert proposal.author == world.proposer and proposal.committee == world.committee


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"official": 999999}, "official"),
        ({"target_position": 999999}, "target_position"),
        ({"official": "abc"}, "official"),
        ({"effective_date": "2024-02-30"}, "effective_date"),
        ({"effective_date": "30/06/2024"}, "effective_date"),
        ({"effective_date": "1900-01-01"}, "effective_date"),
        ({"kind": "promotion"}, "kind"),
        ({"rationale": ""}, "rationale"),
        ({"duration_months": 0}, "duration_months"),
        ({"duration_months": "ba năm"}, "duration_months"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(world, overrides, field):
    client = client_for(world.proposer)
    response = client.post(url(), body(world, **overrides), format="json")
    data = assert_error(response, 400)
    assert field in data["fields"]
    english = client.post(
        url(), body(world, **overrides), format="json", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert english["detail"] != data["detail"]  # each in the request's language
    assert not RotationProposal.objects.exists()
    assert not AuditEvent.objects.exists()


def test_missing_fields_are_named(world):
    response = client_for(world.proposer).post(url(), {}, format="json")
    data = assert_error(response, 400, "invalid")
    assert {"official", "kind", "target_position", "effective_date", "rationale"} <= set(
        data["fields"]
    )


def test_a_proposer_outside_their_scope_is_forbidden(world):
    # proposer_tuly may propose only for officials posted in Tú Lý; Cường is in the town.
    response = client_for(world.proposer_tuly).post(
        url(), body(world, official=world.cuong.pk), format="json"
    )
    assert_error(response, 403, "not_allowed")
    assert "phạm vi" in response.json()["detail"]


def test_a_commune_proposer_may_propose_for_their_commune(world):
    response = client_for(world.proposer_tuly).post(url(), body(world), format="json")
    assert response.status_code == 201


def test_a_user_without_a_proposer_scope_cannot_propose(world):
    assert_error(client_for(world.chair).post(url(), body(world), format="json"), 403)


def test_a_target_outside_the_committee_is_invalid(world):
    outside = world.pos["HB-MC-CC", "PBT-TT"]
    response = client_for(world.proposer).post(
        url(), body(world, target_position=outside.pk), format="json"
    )
    assert_error(response, 400, "target_outside_committee")


def test_a_second_open_proposal_is_refused_with_400(world, proposal):
    response = client_for(world.proposer).post(url(), body(world), format="json")
    assert_error(response, 400, "single_open_proposal")


def test_not_logged_in_is_401(world, api):
    assert_error(api.get(url()), 401)
    assert_error(api.post(url(), body(world), format="json"), 401)


# --- Read -----------------------------------------------------------------------------------


def test_the_detail_has_the_spec_fields(world, proposal):
    data = client_for(world.reviewer).get(url(proposal.pk)).json()
    assert set(data) >= SPEC_FIELDS
    assert data["official"] == world.an.pk
    assert data["transitions"] == []  # a draft is the author's business


@pytest.mark.parametrize("who", ["proposer", "subject_user", "chair", "reviewer", "clerk", "admin"])
def test_the_author_the_subject_the_bodies_and_a_superuser_see_a_proposal(world, proposal, who):
    assert client_for(getattr(world, who)).get(url(proposal.pk)).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "proposer_tuly", "former"])
def test_others_get_not_found(world, proposal, who):
    response = client_for(getattr(world, who)).get(url(proposal.pk))
    assert_error(response, 404, "not_found")
    # Whether it exists or not looks the same.
    missing = client_for(getattr(world, who)).get(url(10**9))
    assert missing.json() == response.json()


def test_the_decision_shows_its_number_and_status(world, proposal):
    proposal = advance(world, proposal, S.ISSUED)
    data = client_for(world.clerk).get(url(proposal.pk)).json()
    assert data["decision"] == {
        "id": proposal.decision.pk,
        "number": proposal.decision.number_label,
        "status": proposal.decision.status,
    }


def test_transitions_list_what_the_user_may_do_now(world, proposal):
    advance(world, proposal, S.SUBMITTED)
    assert client_for(world.reviewer).get(url(proposal.pk)).json()["transitions"] == [
        "start_review",
        "return_for_revision",
    ]
    assert client_for(world.board_head).get(url(proposal.pk)).json()["transitions"] == [
        "start_review",
        "return_for_revision",
        "reject",
    ]
    assert client_for(world.proposer).get(url(proposal.pk)).json()["transitions"] == ["withdraw"]
    assert client_for(world.subject_user).get(url(proposal.pk)).json()["transitions"] == []


# --- Patch ----------------------------------------------------------------------------------


def test_the_author_patches_a_draft_and_the_planned_end_follows(world, proposal):
    new_date = TODAY + dt.timedelta(days=60)
    response = client_for(world.proposer).patch(
        url(proposal.pk),
        {"effective_date": new_date.isoformat(), "duration_months": 48, "rationale": "Mới."},
        format="json",
    )
    assert response.status_code == 200, response.content
    proposal.refresh_from_db()
    assert (proposal.effective_date, proposal.duration_months, proposal.rationale) == (
        new_date,
        48,
        "Mới.",
    )
    assert response.json()["planned_end"] == proposal.planned_end.isoformat()
    assert proposal.events.filter(action="update").exists()


def test_patch_is_for_the_author_only(world, proposal):
    response = client_for(world.reviewer).patch(url(proposal.pk), {"rationale": "x"}, format="json")
    assert_error(response, 403)


def test_patch_is_refused_once_submitted(world, proposal):
    advance(world, proposal, S.SUBMITTED)
    response = client_for(world.proposer).patch(url(proposal.pk), {"rationale": "x"}, format="json")
    assert_error(response, 409, "wrong_state")


def test_patch_is_allowed_again_when_returned(world, proposal):
    advance(world, proposal, S.IN_REVIEW)
    client_for(world.reviewer).post(
        url(proposal.pk, "transitions/return_for_revision/"), {"comment": "Bổ sung."}, format="json"
    )
    response = client_for(world.proposer).patch(
        url(proposal.pk), {"rationale": "Đã bổ sung."}, format="json"
    )
    assert response.status_code == 200


def test_patch_cannot_change_the_official_or_take_bad_values(world, proposal):
    client = client_for(world.proposer)
    assert_error(client.patch(url(proposal.pk), {"official": world.cuong.pk}, format="json"), 400)
    assert_error(
        client.patch(url(proposal.pk), {"effective_date": "2024-13-01"}, format="json"), 400
    )
    assert_error(client.patch(url(proposal.pk), {"kind": "x"}, format="json"), 400)
    proposal.refresh_from_db()
    assert proposal.kind == "rotation"


def test_patch_to_a_date_without_a_current_post_is_refused(world, proposal):
    Assignment.objects.filter(pk=world.an_post.pk).update(end=TODAY + dt.timedelta(days=40))
    response = client_for(world.proposer).patch(
        url(proposal.pk),
        {"effective_date": (TODAY + dt.timedelta(days=50)).isoformat()},
        format="json",
    )
    assert_error(response, 400, "current_assignment")
    proposal.refresh_from_db()
    assert proposal.effective_date == TODAY + dt.timedelta(days=30)


# --- Transitions ----------------------------------------------------------------------------


def test_a_transition_answers_with_the_new_state(world, proposal):
    response = client_for(world.proposer).post(
        url(proposal.pk, "transitions/submit/"), {}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"


def test_transition_errors_have_spec_status_codes(world, proposal):
    reviewer = client_for(world.reviewer)
    # 409: wrong state.
    data = assert_error(reviewer.post(url(proposal.pk, "transitions/start_review/")), 409)
    assert data["code"] == "wrong_state"
    # 403: wrong role.
    client_for(world.proposer).post(url(proposal.pk, "transitions/submit/"))
    chair = client_for(world.chair)
    data = assert_error(chair.post(url(proposal.pk, "transitions/start_review/")), 403)
    assert "Ban Tổ chức" in data["detail"]
    # 400: a missing comment.
    data = assert_error(
        reviewer.post(url(proposal.pk, "transitions/return_for_revision/"), {}, format="json"), 400
    )
    assert data["code"] == "comment_required"
    # 400: an unknown transition.
    assert_error(reviewer.post(url(proposal.pk, "transitions/approve/")), 400, "unknown_transition")
    # 404: not visible.
    assert_error(client_for(world.outsider).post(url(proposal.pk, "transitions/submit/")), 404)


def test_close_vote_takes_the_casting_decision_from_the_body(world, proposal):
    from personnel.models import CommitteeMember

    CommitteeMember.objects.filter(user__username="uy.vien.07").update(
        end=TODAY - dt.timedelta(days=1)
    )
    advance(world, proposal, S.VOTING)
    cast_all(world, proposal, ["approve"] * 5 + ["disapprove"] * 2)
    chair = client_for(world.chair)
    assert_error(chair.post(url(proposal.pk, "transitions/close_vote/")), 400, "casting_required")
    assert_error(
        chair.post(
            url(proposal.pk, "transitions/close_vote/"), {"casting": "maybe"}, format="json"
        ),
        400,
    )
    response = chair.post(
        url(proposal.pk, "transitions/close_vote/"), {"casting": "approve"}, format="json"
    )
    assert response.json()["state"] == "approved"


def test_end_rotation_takes_the_outcome_and_issue_decision_a_signer(world):
    proposal = advance(world, new_proposal(world, effective_date=TODAY), S.APPROVED)
    response = client_for(world.clerk).post(
        url(proposal.pk, "transitions/issue_decision/"), {"signer": world.deputy.pk}, format="json"
    )
    assert response.json()["state"] == "issued"
    assert RotationProposal.objects.get(pk=proposal.pk).decision.signer == world.deputy
    client_for(world.clerk).post(url(proposal.pk, "transitions/post/"))
    head = client_for(world.board_head)
    assert_error(head.post(url(proposal.pk, "transitions/end_rotation/"), {}, format="json"), 400)
    response = head.post(
        url(proposal.pk, "transitions/end_rotation/"), {"outcome": "kept"}, format="json"
    )
    assert response.json()["state"] == "completed"


def test_an_unknown_signer_is_invalid(world):
    proposal = advance(world, new_proposal(world), S.APPROVED)
    response = client_for(world.clerk).post(
        url(proposal.pk, "transitions/issue_decision/"), {"signer": 10**9}, format="json"
    )
    assert_error(response, 400, "invalid_signer")


# --- Opinions, exceptions, ballots, vote, history -------------------------------------------


def test_opinions_are_posted_and_listed(world, proposal):
    advance(world, proposal, S.IN_REVIEW)
    client = client_for(world.reviewer_b)
    response = client.post(
        url(proposal.pk, "opinions/"), {"opinion": "oppose", "comment": "Chưa đủ."}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["author"] == world.reviewer_b.username
    assert_error(
        client.post(url(proposal.pk, "opinions/"), {"opinion": "oppose"}, format="json"), 400
    )
    listed = client_for(world.chair).get(url(proposal.pk, "opinions/")).json()
    assert [(o["opinion"], o["comment"]) for o in listed] == [("oppose", "Chưa đủ.")]


def test_exceptions_are_posted_by_the_board_head_and_listed(world, proposal):
    advance(world, proposal, S.IN_REVIEW)
    payload = {"code": "in_planning", "justification": "Đặc biệt."}
    assert_error(
        client_for(world.reviewer).post(url(proposal.pk, "exceptions/"), payload, format="json"),
        403,
    )
    response = client_for(world.board_head).post(
        url(proposal.pk, "exceptions/"), payload, format="json"
    )
    assert response.status_code == 201
    assert_error(
        client_for(world.board_head).post(
            url(proposal.pk, "exceptions/"), {"code": "target_vacancy", "justification": "x"}
        ),
        400,
    )
    listed = client_for(world.reviewer).get(url(proposal.pk, "exceptions/")).json()
    assert [e["code"] for e in listed] == ["in_planning"]
    checks = {
        c["code"]: c for c in client_for(world.reviewer).get(url(proposal.pk)).json()["eligibility"]
    }
    assert checks["in_planning"]["excepted"] is True


def test_ballots_vote_and_history(world, proposal):
    advance(world, proposal, S.VOTING)
    member = client_for(world.members[4])
    vote = member.get(url(proposal.pk, "vote/")).json()
    assert (vote["eligible"], vote["cast"], vote["quorum"], vote["quorum_met"], vote["tally"]) == (
        11,
        0,
        8,
        False,
        None,
    )
    assert vote["i_may_vote"] is True

    response = member.post(url(proposal.pk, "ballots/"), {"choice": "approve"}, format="json")
    assert response.status_code == 201
    assert response.json()["cast"] == 1 and response.json()["tally"] is None
    assert_error(
        member.post(url(proposal.pk, "ballots/"), {"choice": "approve"}, format="json"),
        409,
        "already_voted",
    )
    assert_error(member.post(url(proposal.pk, "ballots/"), {"choice": "no"}, format="json"), 400)
    assert_error(
        client_for(world.subject_user).post(
            url(proposal.pk, "ballots/"), {"choice": "approve"}, format="json"
        ),
        403,
    )
    for user in [world.chair, *world.members[5:]]:
        client_for(user).post(url(proposal.pk, "ballots/"), {"choice": "approve"}, format="json")
    client_for(world.chair).post(url(proposal.pk, "transitions/close_vote/"))
    vote = member.get(url(proposal.pk, "vote/")).json()
    assert vote["tally"] == {
        "approve": 8,
        "disapprove": 0,
        "abstain": 0,
        "casting": None,
        "passed": True,
    }

    history = client_for(world.subject_user).get(url(proposal.pk, "history/")).json()
    assert [h["action"] for h in history][:3] == ["create", "submit", "start_review"]
    assert history[0] == {
        "at": history[0]["at"],
        "actor": world.proposer.username,
        "action": "create",
        "from_state": "",
        "to_state": "draft",
        "comment": "",
    }
    assert sum(h["action"] == "ballot_receipt" for h in history) == 8


# --- The list -------------------------------------------------------------------------------


def many_proposals(w, count):
    """`count` proposals about as many officials, written in bulk."""
    officials = Official.objects.bulk_create(
        [
            Official(full_name=f"Cán bộ {i}", gender="male", birth_date=dt.date(1985, 1, 1))
            for i in range(count)
        ]
    )
    posts = Assignment.objects.bulk_create(
        [
            Assignment(official=o, position=w.pos["HB-DB-TL", "PCT"], start=dt.date(2021, 1, 1))
            for o in officials
        ]
    )
    states = [S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.VOTING, S.APPROVED]
    RotationProposal.objects.bulk_create(
        [
            RotationProposal(
                committee=w.committee,
                kind="rotation" if i % 2 else "transfer",
                official=o,
                from_assignment=a,
                target_position=w.target,
                effective_date=TODAY + dt.timedelta(days=30),
                duration_months=36,
                rationale="x",
                author=w.proposer,
                state=states[i % len(states)],
            )
            for i, (o, a) in enumerate(zip(officials, posts, strict=True))
        ]
    )


def test_the_list_is_paginated_and_filtered(world):
    many_proposals(world, 25)
    client = client_for(world.reviewer)
    data = client.get(url(), {"page_size": 10}).json()
    assert data["count"] == 25 and len(data["results"]) == 10
    assert set(data["results"][0]) >= {"id", "state", "kind", "official", "transitions", "decision"}
    submitted = client.get(url(), {"state": "submitted"}).json()
    assert submitted["count"] == 5
    assert {r["state"] for r in submitted["results"]} == {"submitted"}
    assert client.get(url(), {"state": "draft,voting"}).json()["count"] == 10
    assert client.get(url(), {"kind": "transfer"}).json()["count"] == 13
    one = RotationProposal.objects.first()
    assert client.get(url(), {"official": one.official_id}).json()["count"] == 1
    assert_error(client.get(url(), {"state": "bogus"}), 400, "invalid_filter")
    assert_error(client.get(url(), {"official": "x"}), 400)


def test_the_list_shows_only_visible_proposals(world, proposal):
    assert client_for(world.outsider).get(url()).json()["count"] == 0
    assert client_for(world.proposer_tuly).get(url()).json()["count"] == 0
    assert client_for(world.subject_user).get(url()).json()["count"] == 1
    assert client_for(world.member_cuong).get(url()).json()["count"] == 1


def _queries_for_page(client, size):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(), {"page_size": size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == size
    return len(ctx.captured_queries)


def test_a_list_page_costs_the_same_queries_for_10_or_100_rows(world):
    many_proposals(world, 120)
    advance(world, new_proposal(world), S.ISSUED)  # one row with a decision
    client = client_for(world.reviewer)
    small, large = _queries_for_page(client, 10), _queries_for_page(client, 100)
    assert small == large
    assert large <= 10


# --- Inbox ----------------------------------------------------------------------------------


def inbox(user):
    return {
        name: [item["id"] for item in items]
        for name, items in client_for(user).get("/api/v1/inbox/").json().items()
    }


def test_the_inbox_shows_each_user_what_waits_for_them(world):
    draft = new_proposal(world)
    submitted = advance(
        world,
        new_transfer(world, world.cuong, world.pos["HB-DB-DR", "PCT"]),
        S.SUBMITTED,
    )
    endorsed_proposal = advance(
        world,
        new_transfer(world, world.dung, world.pos["HB-DB-TL", "BT"]),
        S.ENDORSED,
    )

    assert inbox(world.proposer)["to_submit"] == [draft.pk]
    assert inbox(world.reviewer)["to_review"] == [submitted.pk]
    assert inbox(world.chair)["to_open_vote"] == [endorsed_proposal.pk]
    assert inbox(world.deputy)["to_open_vote"] == [endorsed_proposal.pk]
    assert inbox(world.members[4])["to_vote"] == []

    client_for(world.chair).post(url(endorsed_proposal.pk, "transitions/open_vote/"))
    assert inbox(world.members[4])["to_vote"] == [endorsed_proposal.pk]
    assert inbox(world.chair)["to_close_vote"] == [endorsed_proposal.pk]
    client_for(world.members[4]).post(
        url(endorsed_proposal.pk, "ballots/"), {"choice": "approve"}, format="json"
    )
    assert inbox(world.members[4])["to_vote"] == []
    others = [u for u in eligible_voters(endorsed_proposal) if u != world.members[4]]
    for user in others[:7]:
        services.ballot_cast(
            proposal_id=endorsed_proposal.pk, actor=Actor.for_user(user), choice="approve"
        )
    client_for(world.chair).post(url(endorsed_proposal.pk, "transitions/close_vote/"))
    assert inbox(world.clerk)["to_issue"] == [endorsed_proposal.pk]
    assert all(not items for items in inbox(world.outsider).values())


def test_the_inbox_keeps_separation_of_duties(world):
    # A proposal about Bình (reviewer_b) is not in reviewer_b's review list.
    about_binh = advance(
        world,
        new_transfer(world, world.binh, world.pos["HB-DB-DR", "PCT"]),
        S.SUBMITTED,
    )
    assert about_binh.pk not in inbox(world.reviewer_b)["to_review"]
    assert about_binh.pk in inbox(world.reviewer)["to_review"]


# --- Labels, the schema, roles read per request ---------------------------------------------


def test_states_and_kinds_carry_vietnamese_labels(world, proposal):
    data = client_for(world.proposer).get(url(proposal.pk)).json()
    assert (data["state_label"], data["kind_label"]) == ("Dự thảo", "Luân chuyển")


def test_the_schema_describes_the_proposal_api(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/proposals/",
        "/api/v1/proposals/{id}/",
        "/api/v1/proposals/{id}/transitions/{name}/",
        "/api/v1/proposals/{id}/opinions/",
        "/api/v1/proposals/{id}/exceptions/",
        "/api/v1/proposals/{id}/ballots/",
        "/api/v1/proposals/{id}/vote/",
        "/api/v1/proposals/{id}/history/",
        "/api/v1/inbox/",
    ):
        assert path in paths, path
    detail = schema["components"]["schemas"]["ProposalDetail"]["properties"]
    assert set(detail) >= SPEC_FIELDS
    names = next(
        p
        for p in paths["/api/v1/proposals/{id}/transitions/{name}/"]["post"]["parameters"]
        if p["name"] == "name"
    )
    assert "close_vote" in names["schema"]["enum"]


def test_roles_are_read_again_for_each_request(world, proposal):
    from personnel.models import CommitteeMember

    advance(world, proposal, S.ENDORSED)
    chair = client_for(world.chair)
    assert "open_vote" in chair.get(url(proposal.pk)).json()["transitions"]
    CommitteeMember.objects.filter(user=world.chair).update(end=TODAY - dt.timedelta(days=1))
    # Neither the next request nor a service call reuses the roles read before.
    assert_error(chair.post(url(proposal.pk, "transitions/open_vote/")), 404)
    from workflow.errors import NotFound

    with pytest.raises(NotFound):
        act("open_vote", proposal, world.chair)


def test_nobody_signs_a_decision_about_themselves(world):
    # The deputy is the official the proposal is about: the office may not name them as signer.
    Official.objects.filter(pk=world.dung.pk).update(user=world.deputy)
    PlanningEntry.objects.create(official=world.dung, title=world.secretary, term=world.term)
    proposal = advance(world, new_proposal(world, official=world.dung), S.APPROVED)
    clerk = client_for(world.clerk)

    response = clerk.post(
        url(proposal.pk, "transitions/issue_decision/"), {"signer": world.deputy.pk}, format="json"
    )

    assert_error(response, 403, "signer_is_subject")
    assert "Xa Văn Dũng" in response.json()["detail"]
    assert RotationProposal.objects.get(pk=proposal.pk).state == S.APPROVED
    response = clerk.post(
        url(proposal.pk, "transitions/issue_decision/"), {"signer": world.chair.pk}, format="json"
    )
    assert response.json()["state"] == "issued"

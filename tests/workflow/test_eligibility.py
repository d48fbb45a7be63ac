"""The eligibility checklist (SPEC §3): each check at its edges, exceptions, the snapshot."""

import datetime as dt

import pytest
from django.utils import translation

from personnel.models import Assignment, Committee, PlanningEntry, Term
from personnel.roles import Actor
from tests.helpers import TODAY
from tests.world import S, act, advance, new_proposal, new_transfer, opine
from workflow import eligibility, services
from workflow.errors import Conflict, Invalid, NotAllowed
from workflow.models import RotationProposal

pytestmark = pytest.mark.django_db

D = dt.date


def results_of(proposal):
    return {r.code: r for r in eligibility.evaluate(proposal)}


def draft(w, **fields):
    """An unsaved proposal, as the checks see it at creation."""
    values = {
        "committee": w.committee,
        "kind": "rotation",
        "official": w.an,
        "from_assignment": w.an_post,
        "target_position": w.target,
        "effective_date": TODAY + dt.timedelta(days=30),
        "duration_months": 36,
        "rationale": "x",
        "author": w.proposer,
    }
    values.update(fields)
    return RotationProposal(**values)


def test_the_usual_proposal_passes_every_check_in_the_spec_order(world, proposal):
    results = eligibility.evaluate(proposal)
    assert [r.code for r in results] == [
        "in_planning",
        "remaining_service",
        "min_duration",
        "non_local",
        "equivalent_post",
        "single_open_proposal",
        "target_vacancy",
        "current_assignment",
    ]
    assert all(r.ok for r in results), [r.message for r in results if not r.ok]
    assert {r.code: r.severity for r in results}["equivalent_post"] == "warning"
    assert {r.code: r.severity for r in results}["target_vacancy"] == "warning"
    assert all(r.message for r in results)


# --- in_planning ----------------------------------------------------------------------------


def test_a_rotated_official_outside_the_planning_fails(world):
    PlanningEntry.objects.filter(official=world.an).delete()
    result = results_of(draft(world))["in_planning"]
    assert (result.ok, result.severity) == (False, "error")
    assert "quy hoạch" in result.message


def test_planning_for_a_higher_title_counts(world):
    # An is planned for Bí thư (level 3); the target is level 2.
    assert results_of(draft(world))["in_planning"].ok


def test_planning_for_a_lower_title_does_not_count(world):
    PlanningEntry.objects.filter(official=world.an).update(title=world.vice_chairman)
    assert not results_of(draft(world))["in_planning"].ok


def plan_in_new_term(world, name, start, end, kind=Term.Kind.PARTY):
    """Move An's planning to a new term (a Party term is the committee's)."""
    committee = world.committee if kind == Term.Kind.PARTY else None
    term = Term.objects.create(name=name, kind=kind, committee=committee, start=start, end=end)
    PlanningEntry.objects.filter(official=world.an).update(term=term)


def test_planning_for_the_next_term_counts_but_not_the_one_after(world):
    PlanningEntry.objects.filter(official=world.an).update(term=world.next_term)
    assert results_of(draft(world))["in_planning"].ok
    end = world.next_term.end
    plan_in_new_term(world, "sau nữa", end + dt.timedelta(days=1), end + dt.timedelta(days=1826))
    assert not results_of(draft(world))["in_planning"].ok


def test_planning_for_a_past_term_does_not_count(world):
    plan_in_new_term(world, "trước", D(2010, 10, 1), D(2015, 9, 30))
    assert not results_of(draft(world))["in_planning"].ok


def test_a_council_term_planning_counts_too(world):
    start, end = TODAY - dt.timedelta(days=10), TODAY + dt.timedelta(days=900)
    plan_in_new_term(world, "HĐND", start, end, kind=Term.Kind.COUNCIL)
    assert results_of(draft(world))["in_planning"].ok


def test_planning_and_remaining_service_do_not_apply_to_a_transfer(world):
    PlanningEntry.objects.filter(official=world.an).delete()
    results = results_of(draft(world, kind="transfer", duration_months=None))
    assert results["in_planning"].ok and "Không áp dụng" in results["in_planning"].message
    assert results["remaining_service"].ok


# --- remaining_service ----------------------------------------------------------------------


def test_remaining_service_needs_ten_years_on_the_effective_date(world):
    # A man born 1 May 1970 retires at 62 on 1 May 2032 (Decree 135 roadmap).
    world.an.birth_date = D(1970, 5, 1)
    world.an.save()
    short = results_of(draft(world, effective_date=D(2022, 5, 2)))["remaining_service"]
    assert not short.ok
    enough = results_of(draft(world, effective_date=D(2021, 1, 1)))["remaining_service"]
    assert enough.ok, enough.message


def test_remaining_service_follows_the_committee_policy(world):
    world.an.birth_date = D(1970, 5, 1)
    world.an.save()
    world.committee.min_remaining_service_years = 5
    world.committee.save()
    assert results_of(draft(world, effective_date=D(2027, 5, 1)))["remaining_service"].ok
    assert not results_of(draft(world, effective_date=D(2027, 5, 2)))["remaining_service"].ok


# --- min_duration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "months", "ok"),
    [
        ("rotation", 35, False),
        ("rotation", 36, True),
        ("rotation", None, False),
        ("secondment", 36, True),
        ("secondment", 37, False),
        ("secondment", None, False),
        ("transfer", None, True),
        ("transfer", 12, True),
    ],
)
def test_min_duration(world, kind, months, ok):
    assert results_of(draft(world, kind=kind, duration_months=months))["min_duration"].ok is ok


def test_min_duration_follows_the_committee_policy(world):
    world.committee.min_rotation_months = 24
    world.committee.save()
    assert results_of(draft(world, duration_months=24))["min_duration"].ok


# --- non_local ------------------------------------------------------------------------------


def test_a_local_person_is_not_given_a_title_that_must_be_non_local(world):
    # An's hometown is Tú Lý; Bí thư must be non-local.
    result = results_of(draft(world, target_position=world.pos["HB-DB-TL", "BT"]))["non_local"]
    assert (result.ok, result.severity) == (False, "error")
    assert "người địa phương" in result.message


def test_the_locality_rule_comes_from_the_committee(world):
    world.committee.locality_rule = Committee.LocalityRule.BIRTHPLACE
    world.committee.save()
    # An has no recorded birthplace: under the birthplace rule he is not local to Tú Lý.
    assert results_of(draft(world, target_position=world.pos["HB-DB-TL", "BT"]))["non_local"].ok


def test_non_local_is_not_checked_for_other_titles(world):
    assert results_of(draft(world, target_position=world.pos["HB-DB-TL", "PCT"]))["non_local"].ok


# --- equivalent_post ------------------------------------------------------------------------


def test_a_higher_post_is_a_warning_without_a_justification(world):
    higher = world.pos["HB-DB-TT", "BT"]
    result = results_of(draft(world, target_position=higher))["equivalent_post"]
    assert (result.ok, result.severity) == (False, "warning")
    justified = results_of(
        draft(world, target_position=higher, higher_post_justification="Cán bộ trẻ, xuất sắc.")
    )["equivalent_post"]
    assert justified.ok and "Cán bộ trẻ, xuất sắc." in justified.message


def test_a_lower_post_is_a_warning(world):
    result = results_of(draft(world, target_position=world.pos["HB-DB-DR", "PCT"]))[
        "equivalent_post"
    ]
    assert (result.ok, result.severity) == (False, "warning")
    assert "thấp hơn" in result.message


# --- target_vacancy -------------------------------------------------------------------------


def test_an_occupied_target_is_a_warning(world):
    held = world.pos["HB-DB-DR", "BT"]  # Hoa holds it
    result = results_of(draft(world, target_position=held))["target_vacancy"]
    assert (result.ok, result.severity) == (False, "warning")


def test_a_target_being_vacated_by_an_approved_proposal_counts_as_free(world):
    held = world.pos["HB-DB-DR", "BT"]
    moving_out = new_transfer(world, world.hoa, world.pos["HB-DB-TT", "BT"])
    assert not results_of(draft(world, target_position=held))["target_vacancy"].ok
    advance(world, moving_out, S.APPROVED)
    result = results_of(draft(world, target_position=held))["target_vacancy"]
    assert result.ok and "đã được thông qua" in result.message


def test_a_post_whose_holder_leaves_before_the_date_is_vacant(world):
    world.hoa_post.end = TODAY
    world.hoa_post.save()
    assert results_of(draft(world, target_position=world.pos["HB-DB-DR", "BT"]))[
        "target_vacancy"
    ].ok


# --- Enforced checks: refused at once -------------------------------------------------------


def test_a_second_open_proposal_for_the_same_official_is_refused(world, proposal):
    with pytest.raises(Invalid) as caught:
        new_proposal(world, target=world.pos["HB-DB-TT", "PBT-TT"])
    assert caught.value.code == "single_open_proposal"
    act("withdraw", proposal, world.proposer, comment="Rút.")
    assert new_proposal(world).state == S.DRAFT


def test_an_official_without_a_post_on_the_effective_date_is_refused(world):
    world.an_post.end = TODAY + dt.timedelta(days=10)
    world.an_post.save()
    with pytest.raises(Invalid) as caught:
        new_proposal(world, effective_date=TODAY + dt.timedelta(days=30))
    assert caught.value.code == "current_assignment"
    assert not RotationProposal.objects.exists()


def test_submit_is_refused_when_the_current_post_ended_meanwhile(world, proposal):
    Assignment.objects.filter(pk=world.an_post.pk).update(end=TODAY)
    with pytest.raises(Invalid) as caught:
        act("submit", proposal, world.proposer)
    assert caught.value.code == "current_assignment"
    assert RotationProposal.objects.get(pk=proposal.pk).state == S.DRAFT
    results = results_of(RotationProposal.objects.get(pk=proposal.pk))
    assert results["current_assignment"].enforced and not results["current_assignment"].ok


# --- Planned end ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (D(2024, 6, 1), 36, D(2027, 5, 31)),
        (D(2024, 6, 15), 12, D(2025, 6, 14)),
        (D(2024, 2, 29), 12, D(2025, 2, 27)),
        (D(2024, 6, 1), None, None),
    ],
)
def test_planned_end_is_the_last_day_of_the_term(start, months, end):
    assert eligibility.planned_end_for(start, months) == end


def test_a_proposal_stores_its_planned_end(world, proposal):
    assert proposal.planned_end == eligibility.planned_end_for(proposal.effective_date, 36)


# --- Errors block endorsement; exceptions lift them; the snapshot ---------------------------


@pytest.fixture
def not_planned(world):
    PlanningEntry.objects.filter(official=world.an).delete()
    proposal = advance(world, new_proposal(world), S.IN_REVIEW)
    opine(proposal, world.reviewer)
    return proposal


def test_an_error_blocks_endorsement(world, not_planned):
    with pytest.raises(Conflict) as caught:
        act("endorse", not_planned, world.board_head)
    assert caught.value.code == "eligibility_errors"
    assert "in_planning" in caught.value.text()
    assert RotationProposal.objects.get(pk=not_planned.pk).state == S.IN_REVIEW


def test_the_snapshot_keeps_each_message_as_text_and_params_shown_in_either_language(
    world, not_planned
):
    services.exception_grant(
        proposal_id=not_planned.pk,
        actor=Actor.for_user(world.board_head),
        code="in_planning",
        justification="x",
    )
    with translation.override("en"):  # endorsed from an English page
        act("endorse", not_planned, world.board_head)
    snapshot = RotationProposal.objects.get(pk=not_planned.pk).eligibility_snapshot
    stored = {c["code"]: c for c in snapshot["checks"]}["in_planning"]
    assert stored["text"].startswith("Not in the planning for %(title)s")
    assert stored["params"] == {"title": world.target.title.name}
    assert "message" not in stored

    [shown] = [r for r in eligibility.results_from_snapshot(snapshot) if r.code == "in_planning"]
    assert shown.message.startswith(
        f"Cán bộ không có trong quy hoạch chức danh {world.target.title.name}"
    )
    with translation.override("en"):
        assert shown.message.startswith(f"Not in the planning for {world.target.title.name}")
    # A snapshot stored before messages had parameters is read as it was written.
    old = {
        "checks": [{"code": "in_planning", "severity": "error", "ok": True, "message": "Có (x)."}]
    }
    assert [r.message for r in eligibility.results_from_snapshot(old)] == ["Có (x)."]


def test_the_board_heads_exception_lifts_the_error_and_is_kept_in_the_snapshot(world, not_planned):
    services.exception_grant(
        proposal_id=not_planned.pk,
        actor=Actor.for_user(world.board_head),
        code="in_planning",
        justification="Trường hợp đặc biệt theo Điều 6.",
    )
    act("endorse", not_planned, world.board_head)
    proposal = RotationProposal.objects.get(pk=not_planned.pk)
    assert proposal.state == S.ENDORSED
    snapshot = proposal.eligibility_snapshot
    checks = {c["code"]: c for c in snapshot["checks"]}
    assert checks["in_planning"]["ok"] is False and checks["in_planning"]["excepted"] is True
    assert snapshot["exceptions"] == [
        {
            "code": "in_planning",
            "justification": "Trường hợp đặc biệt theo Điều 6.",
            "granted_by": world.board_head.username,
            "granted_at": snapshot["exceptions"][0]["granted_at"],
        }
    ]


def test_only_the_board_head_grants_exceptions(world, not_planned):
    with pytest.raises(NotAllowed):
        services.exception_grant(
            proposal_id=not_planned.pk,
            actor=Actor.for_user(world.reviewer),
            code="in_planning",
            justification="x",
        )


def test_exceptions_need_a_justification_and_an_error_code(world, not_planned):
    with pytest.raises(Invalid) as caught:
        services.exception_grant(
            proposal_id=not_planned.pk,
            actor=Actor.for_user(world.board_head),
            code="in_planning",
            justification=" ",
        )
    assert caught.value.code == "justification_required"
    for code in ("equivalent_post", "target_vacancy", "current_assignment", "nonsense"):
        with pytest.raises(Invalid) as caught:
            services.exception_grant(
                proposal_id=not_planned.pk,
                actor=Actor.for_user(world.board_head),
                code=code,
                justification="x",
            )
        assert caught.value.code == "invalid_exception_code"


def test_an_exception_is_granted_once_per_check(world, not_planned):
    kwargs = {
        "proposal_id": not_planned.pk,
        "actor": Actor.for_user(world.board_head),
        "code": "in_planning",
        "justification": "Đặc biệt.",
    }
    services.exception_grant(**kwargs)
    with pytest.raises(Conflict):
        services.exception_grant(**kwargs)


def test_warnings_do_not_block_endorsement(world):
    proposal = advance(world, new_proposal(world, target=world.pos["HB-DB-DR", "PCT"]), S.IN_REVIEW)
    assert not results_of(proposal)["equivalent_post"].ok
    opine(proposal, world.reviewer, "endorse", "Ổn.")
    act("endorse", proposal, world.board_head)
    assert RotationProposal.objects.get(pk=proposal.pk).state == S.ENDORSED


def test_endorsement_needs_an_endorse_opinion(world, proposal):
    advance(world, proposal, S.IN_REVIEW)
    opine(proposal, world.reviewer, "revise", "Cần bổ sung.")
    with pytest.raises(Conflict) as caught:
        act("endorse", proposal, world.board_head)
    assert caught.value.code == "endorse_opinion_required"


def test_opinions_need_a_comment_and_a_known_choice(world, proposal):
    advance(world, proposal, S.IN_REVIEW)
    with pytest.raises(Invalid):
        opine(proposal, world.reviewer, "endorse", "")
    with pytest.raises(Invalid):
        opine(proposal, world.reviewer, "maybe", "x")

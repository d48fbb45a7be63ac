"""Lenient input is refused with a clear message (issue 10, items 10 and 13; SPEC §11): ids and
numbers are JSON integers, free text is bounded and free of control and text-direction characters
(one limit per field, the same in model, form, serializer and service), a new effective date is
not in the past, and a member gives one opinion per review round — enforced by the database too,
so thirty identical posts at once keep one."""

import datetime as dt

import pytest
from django.db import IntegrityError

from audit.models import AuditEvent
from lib.text import TEXT_MAX, clean_text
from personnel.roles import Actor
from tests.helpers import TODAY, client_for
from tests.helpers import outcomes_at_once as at_once
from tests.world import S, advance, new_proposal, proposal_body
from tests.world import build_workflow_world as build_world
from workflow import api, forms, services
from workflow.errors import Conflict, Invalid
from workflow.models import EligibilityException, Opinion, RotationProposal

pytestmark = pytest.mark.django_db

URL = "/api/v1/proposals/"


body = proposal_body


def refused(response, field=None, code=None):
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["detail"]
    if field:
        assert field in data["fields"], data
    if code:
        assert data["code"] == code, data
    return data


# --- Numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("official", 1.5),
        ("official", True),
        ("official", "1"),
        ("target_position", 1.0),
        ("duration_months", 36.0),
        ("duration_months", "36"),
        ("duration_months", True),
    ],
)
def test_an_id_or_a_number_must_be_a_json_integer(world, name, value):
    if name == "official" and value is not True:
        value = type(value)(world.an.pk)  # the right id, in the wrong type
    response = client_for(world.proposer).post(URL, body(world, **{name: value}), format="json")
    data = refused(response, name)
    assert "số nguyên" in data["fields"][name]
    assert not RotationProposal.objects.exists()


def test_a_form_body_may_still_send_digits(world):
    response = client_for(world.proposer).post(URL, body(world))  # multipart: all text
    assert response.status_code == 201, response.content


def test_a_signer_must_be_an_integer(world):
    proposal = advance(world, new_proposal(world), S.APPROVED)
    response = client_for(world.clerk).post(
        f"{URL}{proposal.pk}/transitions/issue_decision/",
        {"signer": float(world.chair.pk)},
        format="json",
    )
    refused(response, "signer")
    assert RotationProposal.objects.get(pk=proposal.pk).state == S.APPROVED


# --- Characters -----------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200f", "\x1b", "\x7f"])
def test_a_rationale_with_a_control_or_direction_character_is_refused(world, char):
    response = client_for(world.proposer).post(
        URL, body(world, rationale=f"Luân chuyển {char}cán bộ"), format="json"
    )
    data = refused(response, code="invalid_characters")
    assert f"U+{ord(char):04X}" in data["detail"]
    assert not RotationProposal.objects.exists()


def test_line_breaks_and_tabs_are_text_other_controls_are_not():
    assert clean_text(" Dòng một\r\n\tDòng hai ", label="x") == "Dòng một\r\n\tDòng hai"
    for char in ("\x00", "\x08", "\x9b", "\u061c", "\u202a", "\u2069"):
        with pytest.raises(Invalid):
            clean_text(f"a{char}b", label="x")


def test_every_free_text_of_the_workflow_is_checked(world):
    proposal = advance(world, new_proposal(world), S.IN_REVIEW)
    draft = new_proposal(world, official=world.dung, target=world.pos["HB-DB-TL", "BT"])
    reviewer, head = Actor.for_user(world.reviewer), Actor.for_user(world.board_head)
    bad = "Tán thành\u202e.cba"
    attempts = [
        lambda: services.opinion_add(
            proposal_id=proposal.pk, actor=reviewer, opinion="endorse", comment=bad
        ),
        lambda: services.exception_grant(
            proposal_id=proposal.pk, actor=head, code="in_planning", justification=bad
        ),
        lambda: services.proposal_transition(
            "return_for_revision", proposal_id=proposal.pk, actor=reviewer, comment=bad
        ),
        lambda: services.proposal_update(
            proposal_id=draft.pk, actor=Actor.for_user(world.proposer), rationale=bad
        ),
        lambda: services.proposal_create(
            actor=Actor.for_user(world.proposer),
            official=world.hoa,
            kind="transfer",
            target_position=world.target,
            effective_date=TODAY,
            rationale="Điều động.",
            higher_post_justification=bad,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(Invalid) as caught:
            attempt()
        assert caught.value.code == "invalid_characters"
    assert not Opinion.objects.filter(proposal=proposal).exists()
    assert not EligibilityException.objects.exists()
    assert RotationProposal.objects.get(pk=proposal.pk).state == S.IN_REVIEW


# --- Lengths --------------------------------------------------------------------------------


def test_model_form_and_serializer_share_one_limit_per_text():
    fields = {
        RotationProposal._meta.get_field("rationale"),
        RotationProposal._meta.get_field("higher_post_justification"),
        Opinion._meta.get_field("comment"),
        EligibilityException._meta.get_field("justification"),
    }
    assert {f.max_length for f in fields} == {TEXT_MAX}
    form_fields = [
        forms.ProposalForm().fields["rationale"],
        forms.ProposalForm().fields["higher_post_justification"],
        forms.ActionForm(action="reject").fields["comment"],
        forms.OpinionForm().fields["comment"],
        forms.ExceptionForm().fields["justification"],
    ]
    assert {f.max_length for f in form_fields} == {TEXT_MAX}
    serializer_fields = [
        api.ProposalWriteSerializer().fields["rationale"],
        api.ProposalWriteSerializer().fields["higher_post_justification"],
        api.TransitionSerializer().fields["comment"],
        api.OpinionSerializer().fields["comment"],
        api.ExceptionSerializer().fields["justification"],
    ]
    assert {f.max_length for f in serializer_fields} == {TEXT_MAX}


def test_oversize_text_is_a_400_with_the_limit(world):
    client = client_for(world.proposer)
    data = refused(client.post(URL, body(world, rationale="x" * (TEXT_MAX + 1)), format="json"))
    assert data["fields"]["rationale"] == f"Quá dài: tối đa {TEXT_MAX} ký tự."
    assert client.post(URL, body(world, rationale="x" * TEXT_MAX), format="json").status_code == 201


def test_the_service_bounds_text_whoever_calls_it(world):
    proposal = advance(world, new_proposal(world), S.IN_REVIEW)
    with pytest.raises(Invalid) as caught:
        services.opinion_add(
            proposal_id=proposal.pk,
            actor=Actor.for_user(world.reviewer),
            opinion="endorse",
            comment="y" * (TEXT_MAX + 1),
        )
    assert caught.value.code == "text_too_long"
    assert "5001" in caught.value.text() and "5000" in caught.value.text()


def test_an_oversize_comment_on_a_page_is_a_form_error(world):
    from django.test import Client

    proposal = advance(world, new_proposal(world), S.SUBMITTED)
    browser = Client()
    browser.force_login(world.reviewer)
    response = browser.post(
        f"/proposals/{proposal.pk}/do/return_for_revision/", {"comment": "z" * (TEXT_MAX + 1)}
    )
    assert response.status_code in (200, 400)
    assert RotationProposal.objects.get(pk=proposal.pk).state == S.SUBMITTED


# --- Dates ----------------------------------------------------------------------------------


def test_an_effective_date_in_the_past_is_refused_with_the_reason(world):
    yesterday = TODAY - dt.timedelta(days=1)
    response = client_for(world.proposer).post(
        URL, body(world, effective_date=yesterday.isoformat()), format="json"
    )
    data = refused(response, "effective_date", "date_in_past")
    assert "đã qua" in data["detail"]
    assert not RotationProposal.objects.exists()
    # Today is fine.
    response = client_for(world.proposer).post(
        URL, body(world, effective_date=TODAY.isoformat()), format="json"
    )
    assert response.status_code == 201, response.content


def test_a_draft_cannot_be_moved_into_the_past(world):
    proposal = new_proposal(world)
    with pytest.raises(Invalid) as caught:
        services.proposal_update(
            proposal_id=proposal.pk,
            actor=Actor.for_user(world.proposer),
            effective_date=TODAY - dt.timedelta(days=3),
        )
    assert caught.value.code == "date_in_past"


def test_a_past_move_may_be_recorded_as_it_happened(world):
    proposal = new_proposal(world, effective_date=dt.date(2023, 7, 1), backdated=True)
    assert proposal.effective_date == dt.date(2023, 7, 1)


# --- One opinion per member and review round ------------------------------------------------


def opine(world, proposal, comment="Tán thành."):
    return services.opinion_add(
        proposal_id=proposal.pk,
        actor=Actor.for_user(world.reviewer),
        opinion="endorse",
        comment=comment,
    )


def test_a_second_opinion_in_the_same_round_is_a_409(world):
    proposal = advance(world, new_proposal(world), S.IN_REVIEW)
    opine(world, proposal)
    with pytest.raises(Conflict) as caught:
        opine(world, proposal, "Ý kiến khác.")
    assert caught.value.code == "opinion_exists"
    response = client_for(world.reviewer).post(
        f"{URL}{proposal.pk}/opinions/",
        {"opinion": "endorse", "comment": "Tán thành."},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "opinion_exists"
    assert Opinion.objects.filter(proposal=proposal).count() == 1
    assert AuditEvent.objects.filter(proposal_id=proposal.pk, action="opinion").count() == 1


def test_a_new_review_round_takes_a_new_opinion(world):
    proposal = advance(world, new_proposal(world), S.IN_REVIEW)
    reviewer = Actor.for_user(world.reviewer)
    opine(world, proposal)
    services.proposal_transition(
        "return_for_revision", proposal_id=proposal.pk, actor=reviewer, comment="Bổ sung."
    )
    services.proposal_transition(
        "submit", proposal_id=proposal.pk, actor=Actor.for_user(world.proposer)
    )
    advance(world, proposal, S.IN_REVIEW)
    opine(world, proposal, "Đã bổ sung, tán thành.")
    rounds = Opinion.objects.filter(proposal=proposal).values_list("review_round", flat=True)
    assert sorted(rounds) == [1, 2]


def test_the_database_refuses_a_second_opinion_in_a_round(world):
    proposal = advance(world, new_proposal(world), S.IN_REVIEW)
    first = opine(world, proposal)
    with pytest.raises(IntegrityError):
        Opinion.objects.create(
            proposal=proposal,
            author=world.reviewer,
            review_round=first.review_round,
            opinion="oppose",
            comment="Lách qua dịch vụ.",
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_identical_opinions_at_once_keep_one():
    w = build_world()
    proposal = advance(w, new_proposal(w), S.IN_REVIEW)

    results = at_once(30, lambda i: opine(w, proposal).pk)

    assert sum(r[0] == "ok" for r in results) == 1, results
    assert results.count((409, "opinion_exists")) == 29, results
    assert Opinion.objects.filter(proposal=proposal).count() == 1
    assert AuditEvent.objects.filter(proposal_id=proposal.pk, action="opinion").count() == 1

"""Need to know (SPEC §11, issue 10 item 11): an official who is not staff reads their own record
only, in the API and on the pages; the subject of a proposal reads the reviewers' named opinions
on it only once it is decided. Staff read as before."""

import pytest
from django.test import Client

from personnel.models import Official
from personnel.roles import Actor
from tests.helpers import client_for
from tests.world import S, advance, new_proposal
from workflow import services

pytestmark = pytest.mark.django_db

OPINION = "Cán bộ có năng lực, tán thành."


def page(user, path):
    client = Client()
    client.force_login(user)
    return client.get(path)


# --- The registry ---------------------------------------------------------------------------


def test_an_official_reads_only_their_own_record_in_the_api(world):
    api = client_for(world.subject_user)  # the official An, no staff role
    listed = api.get("/api/v1/officials/").json()["results"]
    assert [row["id"] for row in listed] == [world.an.pk]
    own = api.get(f"/api/v1/officials/{world.an.pk}/")
    assert own.status_code == 200 and own.json()["birth_date"]
    other = api.get(f"/api/v1/officials/{world.cuong.pk}/")
    assert other.status_code == 404
    assert "birth_date" not in other.json()
    assert api.get("/api/v1/officials/", {"search": "cuong"}).json()["results"] == []


def test_an_account_without_an_official_reads_no_record(world):
    api = client_for(world.outsider)
    assert api.get("/api/v1/officials/").json()["results"] == []
    assert api.get(f"/api/v1/officials/{world.an.pk}/").status_code == 404


def test_an_official_reads_only_their_own_record_on_the_pages(world):
    assert page(world.subject_user, f"/personnel/officials/{world.an.pk}/").status_code == 200
    assert page(world.subject_user, f"/personnel/officials/{world.cuong.pk}/").status_code == 404
    listing = page(world.subject_user, "/personnel/officials/").content.decode()
    assert world.an.full_name in listing
    assert world.cuong.full_name not in listing


@pytest.mark.parametrize("persona", ["reviewer", "proposer", "clerk", "chair", "member_cuong"])
def test_staff_read_every_record(world, persona):
    user = getattr(world, persona)
    api = client_for(user)
    assert api.get("/api/v1/officials/", {"page_size": 200}).json()["count"] == (
        Official.objects.count()
    )
    assert api.get(f"/api/v1/officials/{world.an.pk}/").status_code == 200
    assert page(user, f"/personnel/officials/{world.an.pk}/").status_code == 200


# --- Opinions on one's own case -------------------------------------------------------------


def reviewed(world):
    proposal = advance(world, new_proposal(world), S.IN_REVIEW)
    services.opinion_add(
        proposal_id=proposal.pk,
        actor=Actor.for_user(world.reviewer),
        opinion="endorse",
        comment=OPINION,
    )
    return proposal


def what_the_subject_reads(world, proposal):
    api = client_for(world.subject_user)
    opinions = api.get(f"/api/v1/proposals/{proposal.pk}/opinions/")
    history = api.get(f"/api/v1/proposals/{proposal.pk}/history/")
    detail = page(world.subject_user, f"/proposals/{proposal.pk}/")
    assert opinions.status_code == history.status_code == detail.status_code == 200
    return opinions.json(), history.json(), detail.content.decode()


def test_the_subject_does_not_read_the_opinions_before_the_decision(world):
    proposal = reviewed(world)
    for state in (S.IN_REVIEW, S.ENDORSED, S.VOTING):
        advance(world, proposal, state)
        opinions, history, html = what_the_subject_reads(world, proposal)
        assert opinions == []
        assert "opinion" not in {event["action"] for event in history}
        assert OPINION not in html


def test_the_subject_reads_the_opinions_once_the_proposal_is_decided(world):
    proposal = advance(world, reviewed(world), S.APPROVED)
    opinions, history, html = what_the_subject_reads(world, proposal)
    assert [o["comment"] for o in opinions] == [OPINION]
    assert "opinion" in {event["action"] for event in history}
    assert OPINION in html


def test_staff_read_the_opinions_at_once(world):
    proposal = reviewed(world)
    for user in (world.proposer, world.board_head, world.chair):
        opinions = client_for(user).get(f"/api/v1/proposals/{proposal.pk}/opinions/").json()
        assert [o["comment"] for o in opinions] == [OPINION]
        assert OPINION in page(user, f"/proposals/{proposal.pk}/").content.decode()

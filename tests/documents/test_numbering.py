"""Decision numbers: gap-free per issuing body, document type and committee term (Party, HD 36),
per year for State documents (NĐ 30), safe under concurrency."""

import threading

import pytest
from django.db import connection, transaction

from documents import services
from documents.models import Decision, DocumentProfile
from lib.errors import AppError
from tests.helpers import D
from tests.world import build_letters_world as build_world
from tests.world import issue, make_official_in_tuly, make_proposal

pytestmark = pytest.mark.django_db


def _proposal_for(w, name):
    official, assignment = make_official_in_tuly(w, name)
    return make_proposal(w, official=official, assignment=assignment)


def test_it_numbers_decisions_from_01_in_order(world):
    first = issue(world, make_proposal(world))
    second = issue(world, _proposal_for(world, "Lường Văn Bảo"))

    assert (first.number, second.number) == (1, 2)
    assert first.number_display == "Số 01-QĐ/HU"
    assert second.number_label == "02-QĐ/HU"


def test_it_restarts_at_01_in_a_new_committee_term(world):
    issue(world, make_proposal(world), day=D(2025, 9, 29))
    last_of_old_term = issue(world, _proposal_for(world, "Lường Văn Bảo"), day=D(2025, 9, 30))
    first_of_new_term = issue(world, _proposal_for(world, "Bùi Thị Cúc"), day=D(2025, 10, 1))

    assert last_of_old_term.number == 2
    assert first_of_new_term.number == 1
    assert first_of_new_term.number_display == "Số 01-QĐ/HU"
    assert last_of_old_term.series != first_of_new_term.series


def test_it_numbers_state_documents_per_year_with_a_colon(world):
    DocumentProfile.objects.create(committee=world.committee, form=Decision.Form.STATE)
    world.committee.symbol = "UBND"
    world.committee.save()

    a = issue(world, make_proposal(world), day=D(2024, 12, 30))
    b = issue(world, _proposal_for(world, "Lường Văn Bảo"), day=D(2024, 12, 31))
    c = issue(world, _proposal_for(world, "Bùi Thị Cúc"), day=D(2025, 1, 2))

    assert [a.number, b.number, c.number] == [1, 2, 1]
    assert a.form == Decision.Form.STATE
    assert b.number_display == "Số: 02/QĐ-UBND"
    assert c.number_display == "Số: 01/QĐ-UBND"


def test_state_numbers_reach_three_digits_without_padding(world):
    DocumentProfile.objects.create(committee=world.committee, form=Decision.Form.STATE)
    world.committee.symbol = "UBND"
    world.committee.save()
    decision = issue(world, make_proposal(world))
    decision.number = 125

    assert decision.number_display == "Số: 125/QĐ-UBND"


def test_a_rolled_back_issue_gives_its_number_back(world):
    proposal = make_proposal(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.decision_issue(
            proposal=proposal, signer=world.chair, issued_by=world.clerk, issued_on=D(2024, 6, 5)
        )
        raise RuntimeError("the transition failed after numbering")

    assert issue(world, proposal).number == 1


def test_it_refuses_a_date_no_committee_term_covers(world):
    with pytest.raises(AppError, match="nhiệm kỳ"):
        issue(world, make_proposal(world), day=D(2019, 5, 1), signer_role="chair")


@pytest.mark.django_db(transaction=True)
def test_it_must_run_inside_a_transaction():
    # Outside a transaction a failed issue could not give its number back.
    w = build_world()
    with pytest.raises(RuntimeError, match="inside a transaction"):
        services.decision_issue(proposal=make_proposal(w), signer=w.chair, issued_by=w.clerk)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_decisions_issued_at_once_get_fifty_consecutive_numbers(monkeypatch):
    # Given 50 approved proposals and a queue we only record,
    w = build_world()
    queued = []
    monkeypatch.setattr(services, "enqueue", lambda name, pk: queued.append((name, pk)) or True)
    proposals = [_proposal_for(w, f"Cán bộ Số {i:02d}") for i in range(50)]
    barrier = threading.Barrier(50)
    errors = []

    def issue_one(proposal):
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                services.decision_issue(
                    proposal=proposal, signer=w.chair, issued_by=w.clerk, issued_on=D(2024, 6, 5)
                )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    # when 50 clerks issue at the same moment,
    threads = [threading.Thread(target=issue_one, args=(p,)) for p in proposals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then every decision has its own number, 1..50 with no gap, each queued once after commit.
    assert errors == []
    numbers = sorted(Decision.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 51))
    assert sorted(pk for _, pk in queued) == sorted(Decision.objects.values_list("pk", flat=True))

"""The report pages: who may open them, what they show, and CSV exports equal to the tables."""

import csv
import io
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.helpers import D, at
from workflow.models import ProposalState as S
from workflow.models import RotationProposal

pytestmark = pytest.mark.django_db

PAGES = ["locality", "pipeline", "directions", "cadres-due"]


class TableParser(HTMLParser):
    """Rows of cell text of each <table data-table="key"> in a page."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self.current = self.tables.setdefault(attrs["data-table"], [])
        elif tag == "tr" and self.current is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def html_tables(response):
    parser = TableParser()
    parser.feed(response.content.decode())
    return parser.tables


def csv_rows(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.fixture
def decided(world):
    """Some proposals so that every table has rows."""
    world.proposal(state=S.IN_EFFECT, effective=D(2023, 5, 1))
    late = world.proposal(state=S.IN_REVIEW, created=at(D(2023, 1, 1)), effective=D(2023, 6, 1))
    world.transitions(late, (at(D(2023, 1, 5)), S.DRAFT, S.SUBMITTED))


# --- Who may open the pages ---------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_it_sends_anonymous_visitors_to_the_login_page(client, world, name):
    response = client.get(reverse(f"reports:{name}"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/reports/")


@pytest.mark.parametrize("persona", ["chair", "reviewer", "clerk", "proposer", "admin"])
def test_it_shows_every_report_to_each_role_in_the_committee(client_for, world, persona):
    client = client_for(getattr(world, persona))

    assert client.get(reverse("reports:index")).status_code == 200
    for name in PAGES:
        response = client.get(reverse(f"reports:{name}"))
        assert response.status_code == 200, name
        assert response.context["committee"] == world.committee


@pytest.mark.parametrize("persona", ["outsider", "former"])
def test_it_refuses_a_user_without_a_current_role_in_a_committee(client_for, world, persona):
    client = client_for(getattr(world, persona))

    for name in [*PAGES, "index"]:
        response = client.get(reverse(f"reports:{name}"))
        assert response.status_code == 403, name
        assert "role" in response.context["reason"] or "vai trò" in response.context["reason"]


def test_it_hides_a_committee_in_which_the_user_has_no_role(client_for, world):
    client = client_for(world.reviewer)

    for committee in (world.other_committee.id, 10**9):
        response = client.get(reverse("reports:locality"), {"committee": committee})
        assert response.status_code == 404
    # Not an id at all: a bad request (issue 10, item 9).
    assert client.get(reverse("reports:locality"), {"committee": "abc"}).status_code == 400


def test_a_superuser_may_pick_any_committee(client_for, world):
    client = client_for(world.admin)

    response = client.get(reverse("reports:locality"), {"committee": world.other_committee.id})

    assert response.status_code == 200
    assert response.context["report"]["total_units"] == 1  # Chiềng Châu
    assert 'name="committee"' in response.content.decode()  # the picker: two committees


# --- What the pages show ----------------------------------------------------------------------


def test_the_locality_page_answers_as_of_the_date_asked(client_for, world):
    client = client_for(world.reviewer)

    before = client.get(reverse("reports:locality"), {"as_of": "2023-12-31"})
    after = client.get(reverse("reports:locality"), {"as_of": "01/01/2024"})

    assert before.context["report"]["units_meeting"] == 1
    assert after.context["report"]["units_meeting"] == 2
    assert after.context["as_of"] == D(2024, 1, 1)
    page = after.content.decode()
    assert "2/3" in page
    assert "66,7%" in page
    assert "<svg" in page and "<title>" in page
    assert "<script" not in page.split("<main", 1)[1]  # charts are drawn on the server


def test_the_locality_page_refuses_a_bad_date(client_for, world):
    response = client_for(world.reviewer).get(reverse("reports:locality"), {"as_of": "31/02/2024"})

    assert response.status_code == 400
    assert response.context["error"]
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_csv_of_a_bad_date_is_refused(client_for, world):
    response = client_for(world.reviewer).get(reverse("reports:locality-csv"), {"as_of": "hôm qua"})

    assert response.status_code == 400


@pytest.mark.parametrize("name", PAGES)
def test_every_csv_equals_the_table_on_the_page(client_for, world, decided, name):
    client = client_for(world.chair)
    params = {"as_of": "2024-04-30"} if name in ("locality", "cadres-due") else {}

    page = client.get(reverse(f"reports:{name}"), params)
    tables = html_tables(page)
    # Every table has rows here; an empty one would show a sentence instead of a <table>.
    assert set(tables) == {table.key for table in page.context["tables"]}
    for table in page.context["tables"]:
        export = client.get(table.csv_url)
        assert export.status_code == 200
        assert export["Content-Type"] == "text/csv; charset=utf-8"
        assert export["Content-Disposition"].startswith(
            f'attachment; filename="{name}-{table.key}-'
        )
        rows = csv_rows(export)
        assert rows == tables[table.key]
        assert rows[0] == table.headers
        assert rows[1:] == table.rows


def test_the_csv_keeps_vietnamese_text_and_follows_the_format_parameter(client_for, world):
    client = client_for(world.chair)

    by_suffix = client.get(
        reverse("reports:locality-csv"), {"as_of": "2024-04-30", "table": "members"}
    )
    by_param = client.get(
        reverse("reports:locality"), {"as_of": "2024-04-30", "table": "members", "format": "csv"}
    )

    assert by_suffix.content == by_param.content
    rows = csv_rows(by_suffix)
    assert ["Xã Tú Lý", "Lò Văn Bình", "Phó Bí thư – Chủ tịch UBND"] in [r[:3] for r in rows]
    assert by_suffix.content.startswith(b"\xef\xbb\xbf")


def test_an_unknown_csv_table_is_not_found(client_for, world):
    response = client_for(world.chair).get(reverse("reports:pipeline-csv"), {"table": "nothing"})

    assert response.status_code == 404


def test_the_pages_show_dates_as_day_month_year(client_for, world, decided):
    client = client_for(world.chair)

    page = client.get(reverse("reports:cadres-due"), {"as_of": "30/04/2024"}).content.decode()
    assert "01/11/2015" in page
    overdue = client.get(reverse("reports:pipeline")).context["tables"][2]
    assert overdue.rows and overdue.rows[0][7] == "01/06/2023"


def test_the_pages_switch_to_english(client_for, world, decided):
    response = client_for(world.chair, language="en").get(reverse("reports:directions"))

    assert "Commune → commune" in response.content.decode()


def test_the_locality_page_shows_the_change_a_proposal_would_make(client_for, world):
    proposal = world.binh_move(S.ENDORSED)
    client = client_for(world.reviewer, language="en")

    response = client.get(reverse("reports:locality"), {"proposal": proposal.id})

    assert response.status_code == 200
    impact = response.context["impact"]
    assert {u["name"] for u in impact["changed_units"]} == {"Xã Tú Lý", "Xã Đồng Ruộng"}
    page = response.content.decode()
    assert f"Effect of proposal #{proposal.id}" in page
    assert "loses its last non-local standing member" in page


def test_a_proposal_of_another_committee_is_not_found_on_the_locality_page(client_for, world):
    proposal = world.proposal(state=S.DRAFT)
    proposal.committee = world.other_committee
    proposal.save()

    for value, status in ((proposal.id, 404), ("x", 400), ("²", 400)):
        response = client_for(world.reviewer).get(reverse("reports:locality"), {"proposal": value})
        assert response.status_code == status


# --- A proposer sees in the reports only the proposals the API shows them ----------------------


@pytest.fixture
def someone_elses(world):
    """An overdue proposal of the committee drafted by the chair: not the proposer's to see."""
    proposal = world.proposal(state=S.IN_REVIEW, created=at(D(2023, 1, 1)), effective=D(2023, 6, 1))
    RotationProposal.objects.filter(pk=proposal.pk).update(author=world.chair)
    world.transitions(proposal, (at(D(2023, 1, 5)), S.DRAFT, S.SUBMITTED))
    return proposal


def test_a_proposer_cannot_read_another_proposal_through_the_locality_page(
    client_for, world, someone_elses
):
    client = client_for(world.proposer)

    response = client.get(
        reverse("reports:locality"),
        {"committee": world.committee.id, "proposal": someone_elses.id},
    )

    assert response.status_code == 404
    assert client.get(f"/api/v1/proposals/{someone_elses.id}/").status_code == 404


def test_a_proposer_cannot_list_other_proposals_in_the_pipeline_and_its_csv(
    client_for, world, decided, someone_elses
):
    client = client_for(world.proposer)
    mine = world.proposal(state=S.SUBMITTED, created=at(D(2023, 1, 1)), effective=D(2023, 6, 1))

    export = client.get(
        reverse("reports:pipeline-csv"), {"committee": world.committee.id, "table": "overdue"}
    )
    page = client.get(reverse("reports:pipeline"), {"committee": world.committee.id})

    assert export.status_code == 200
    text = export.content.decode()
    assert someone_elses.official.full_name not in text
    assert mine.official.full_name in text
    assert page.context["report"]["total"] == 3  # the two of `decided` and `mine`
    assert someone_elses.id not in [row["id"] for row in page.context["report"]["overdue"]]
    chair_page = client_for(world.chair).get(reverse("reports:pipeline"))
    assert chair_page.context["report"]["total"] == 4


def test_a_proposer_counts_only_visible_moves_by_direction(client_for, world, someone_elses):
    RotationProposal.objects.filter(pk=someone_elses.pk).update(state=S.IN_EFFECT)

    mine = client_for(world.proposer).get(reverse("reports:directions"))
    chairs = client_for(world.chair).get(reverse("reports:directions"))

    assert (mine.context["report"]["total"], chairs.context["report"]["total"]) == (0, 1)

import datetime as dt

import pytest

from personnel import selectors
from personnel.models import Assignment, Committee, OrgUnit
from tests.factories import make_official, make_user
from tests.helpers import YESTERDAY

D = dt.date
EITHER = Committee.LocalityRule.HOMETOWN_OR_BIRTHPLACE
HOMETOWN = Committee.LocalityRule.HOMETOWN
BIRTHPLACE = Committee.LocalityRule.BIRTHPLACE

pytestmark = pytest.mark.django_db


# --- The unit tree --------------------------------------------------------------------------


def test_unit_subtree_contains_the_unit_and_everything_below_it(world):
    assert selectors.unit_subtree_ids(world.district.id) == {
        world.district.id,
        world.tuly.id,
        world.dongruong.id,
        world.town.id,
    }
    assert selectors.unit_subtree_ids(world.tuly.id) == {world.tuly.id}
    assert selectors.unit_subtree_ids(world.province.id) == set(
        OrgUnit.objects.values_list("id", flat=True)
    )


def test_unit_subtree_of_an_unknown_unit_is_empty(world):
    assert selectors.unit_subtree_ids(10**9) == set()


def test_unit_ancestors_run_from_the_unit_to_the_root(world):
    assert selectors.unit_ancestor_ids(world.tuly.id) == [
        world.tuly.id,
        world.district.id,
        world.province.id,
    ]
    assert selectors.unit_ancestor_ids(world.province.id) == [world.province.id]
    assert selectors.unit_ancestor_ids(None) == []


def test_unit_ancestors_stop_at_a_cycle_in_the_data():
    parents = {1: 2, 2: 3, 3: 1}
    assert selectors.unit_ancestor_ids(1, parents) == [1, 2, 3]


def test_unit_tree_is_read_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.unit_subtree_ids(world.province.id)


# --- Người địa phương -----------------------------------------------------------------------


def test_an_official_whose_hometown_is_the_unit_is_local(world):
    official = make_official("Hà Văn Quê", hometown_unit=world.tuly)
    assert selectors.is_local(official, world.tuly)


def test_an_official_born_in_the_unit_is_local(world):
    official = make_official("Hà Văn Sinh", birthplace_unit=world.tuly)
    assert selectors.is_local(official, world.tuly)


def test_an_official_from_a_commune_of_the_district_is_local_to_the_district(world):
    official = make_official("Hà Văn Xã", hometown_unit=world.dongruong)
    assert selectors.is_local(official, world.district)
    assert selectors.is_local(official, world.province)


def test_an_official_from_the_district_is_not_local_to_a_commune_in_it(world):
    official = make_official("Hà Văn Huyện", hometown_unit=world.district)
    assert not selectors.is_local(official, world.tuly)


def test_an_official_from_elsewhere_is_not_local(world):
    official = make_official(
        "Hà Văn Khác", hometown_unit=world.chiengchau, birthplace_unit=world.maichau
    )
    assert not selectors.is_local(official, world.tuly)
    assert not selectors.is_local(official, world.district)


def test_an_official_without_hometown_or_birthplace_is_not_local_anywhere(world):
    official = make_official("Hà Văn Trống")
    for unit in (world.tuly, world.district, world.province):
        for rule in (EITHER, HOMETOWN, BIRTHPLACE):
            assert not selectors.is_local(official, unit, rule=rule)


def test_a_missing_hometown_falls_back_to_the_birthplace_under_the_either_rule(world):
    official = make_official("Hà Văn Nửa", birthplace_unit=world.tuly)
    assert selectors.is_local(official, world.tuly, rule=EITHER)
    assert not selectors.is_local(official, world.tuly, rule=HOMETOWN)


@pytest.mark.parametrize(
    ("rule", "local_by_hometown", "local_by_birthplace"),
    [(EITHER, True, True), (HOMETOWN, True, False), (BIRTHPLACE, False, True)],
)
def test_the_locality_rule_decides_which_place_counts(
    world, rule, local_by_hometown, local_by_birthplace
):
    # Born in Tú Lý, hometown in Mai Châu: local to Tú Lý by birth, to Mai Châu by origin.
    official = make_official(
        "Hà Thị Hai", hometown_unit=world.chiengchau, birthplace_unit=world.tuly
    )
    assert selectors.is_local(official, world.maichau, rule=rule) is local_by_hometown
    assert selectors.is_local(official, world.tuly, rule=rule) is local_by_birthplace


def test_is_local_reuses_a_parent_map_without_querying(world, django_assert_num_queries):
    parents = selectors.unit_parent_map()
    with django_assert_num_queries(0):
        assert selectors.is_local(world.an, world.tuly, parents=parents)
        assert not selectors.is_local(world.an, world.dongruong, parents=parents)


# --- Who holds what on a day ----------------------------------------------------------------


@pytest.fixture
def short_posting(world):
    official = make_official("Bùi Văn Hạn")
    assignment = Assignment.objects.create(
        official=official, position=world.dongruong_vice, start=D(2022, 3, 1), end=D(2023, 2, 28)
    )
    return official, assignment


def test_an_assignment_counts_from_its_first_day(short_posting):
    official, assignment = short_posting
    assert list(selectors.official_assignments_on(official, D(2022, 3, 1))) == [assignment]
    assert list(selectors.official_assignments_on(official, D(2022, 2, 28))) == []


def test_an_assignment_counts_on_its_last_day_and_not_the_day_after(short_posting):
    official, assignment = short_posting
    assert list(selectors.official_assignments_on(official, D(2023, 2, 28))) == [assignment]
    assert list(selectors.official_assignments_on(official, D(2023, 3, 1))) == []


def test_an_open_ended_assignment_counts_forever_after_its_start(world):
    far = D(2099, 12, 31)
    assert list(selectors.official_assignments_on(world.an, far)) == [world.an_secretary]


def test_an_official_who_moved_holds_only_the_new_post(world):
    assert list(selectors.official_assignments_on(world.binh, D(2023, 12, 31))) == [world.binh_old]
    assert list(selectors.official_assignments_on(world.binh, D(2024, 1, 1))) == [world.binh_town]


def test_the_main_post_comes_before_a_concurrent_one(world):
    # The concurrent post starts later than the main one, so "newest first" alone would put it first.
    extra = Assignment.objects.create(
        official=world.lan,
        position=world.tuly_vice,
        start=D(2024, 5, 1),
        is_concurrent=True,
    )
    held = list(selectors.official_assignments_on(world.lan, D(2024, 6, 1)))
    assert held == [world.lan_district, extra, world.lan_concurrent]


# --- Vacancies ------------------------------------------------------------------------------


def test_a_two_seat_position_with_one_holder_is_vacant(world):
    assert selectors.position_is_vacant_on(world.tuly_vice, D(2024, 1, 1))
    Assignment.objects.create(
        official=make_official("Xa Văn Hai"), position=world.tuly_vice, start=D(2023, 6, 1)
    )
    assert not selectors.position_is_vacant_on(world.tuly_vice, D(2024, 1, 1))
    assert selectors.position_is_vacant_on(world.tuly_vice, D(2023, 5, 31))


def test_a_position_is_taken_on_the_day_its_holder_leaves_and_free_the_day_after(world):
    position = world.dongruong_secretary
    assert not selectors.position_is_vacant_on(position, D(2023, 12, 31))
    assert selectors.position_is_vacant_on(position, D(2024, 1, 1))


def test_a_position_never_held_is_vacant(world):
    assert selectors.position_is_vacant_on(world.dongruong_secretary, D(2018, 12, 31))


def test_position_list_filters_on_vacancy_on_a_day(world):
    day = D(2023, 12, 31)
    vacant = set(selectors.position_list(vacant=True, vacant_on=day))
    filled = set(selectors.position_list(vacant=False, vacant_on=day))
    assert world.dongruong_secretary in filled
    assert world.town_secretary in vacant
    assert world.tuly_vice in vacant  # two seats, one holder
    assert vacant.isdisjoint(filled)
    assert vacant | filled == set(selectors.position_list())
    assert world.dongruong_secretary in set(
        selectors.position_list(vacant=True, vacant_on=D(2024, 1, 1))
    )


def test_position_list_filters_on_the_unit(world):
    assert set(selectors.position_list(unit_id=world.tuly.id)) == {
        world.tuly_secretary,
        world.tuly_vice,
    }


# --- Finding officials ----------------------------------------------------------------------


def names(qs):
    return sorted(official.full_name for official in qs)


def test_official_search_ignores_diacritics(world):
    assert names(selectors.official_list(search="nguyen van")) == ["Nguyễn Văn An"]
    assert names(selectors.official_list(search="Nguyễn Văn")) == ["Nguyễn Văn An"]
    assert names(selectors.official_list(search="NGUYEN")) == ["Nguyễn Thị Lan", "Nguyễn Văn An"]


def test_official_search_treats_d_and_dj_alike(world):
    expected = ["Dinh Van Dung", "Đinh Thị Hồng"]
    assert names(selectors.official_list(search="đinh")) == expected
    assert names(selectors.official_list(search="dinh")) == expected
    assert names(selectors.official_list(search="ĐINH thị")) == ["Đinh Thị Hồng"]


def test_official_search_matches_every_word_in_any_order(world):
    assert names(selectors.official_list(search="an nguyen")) == ["Nguyễn Văn An"]
    assert names(selectors.official_list(search="nguyen hong")) == []


def test_official_search_matches_the_start_of_a_word(world):
    # "an" is the name An, not the tail of Lan.
    assert names(selectors.official_list(search="an")) == ["Nguyễn Văn An"]
    assert names(selectors.official_list(search="ngu th")) == ["Nguyễn Thị Lan"]
    assert names(selectors.official_list(search="guyen")) == []


def test_an_empty_search_lists_everyone(world):
    assert len(selectors.official_list(search="   ")) == 5


def test_official_list_by_unit_covers_the_units_below_it(world):
    assert names(selectors.official_list(unit_id=world.district.id)) == [
        "Lò Văn Bình",
        "Nguyễn Thị Lan",
        "Nguyễn Văn An",
        "Đinh Thị Hồng",
    ]
    assert names(selectors.official_list(unit_id=world.tuly.id)) == [
        "Nguyễn Văn An",
        "Đinh Thị Hồng",
    ]


def test_official_list_by_unit_counts_concurrent_posts_once(world):
    # Lan holds a district post and a concurrent Đồng Ruộng post: both are in the district.
    listed = list(selectors.official_list(unit_id=world.district.id))
    assert [o.full_name for o in listed].count("Nguyễn Thị Lan") == 1
    assert names(selectors.official_list(unit_id=world.dongruong.id)) == ["Nguyễn Thị Lan"]


def test_official_list_by_unit_uses_the_posts_held_on_the_day(world):
    assert names(selectors.official_list(unit_id=world.dongruong.id, on=D(2022, 6, 1))) == [
        "Lò Văn Bình"
    ]
    assert names(selectors.official_list(unit_id=world.town.id, on=D(2022, 6, 1))) == []


def test_official_list_prefetches_the_posts_held_on_the_day(world):
    listed = {o.full_name: o for o in selectors.official_list(on=D(2023, 6, 1))}
    assert listed["Lò Văn Bình"].current_assignments == [world.binh_old]
    assert listed["Nguyễn Thị Lan"].current_assignments == [
        world.lan_district,
        world.lan_concurrent,
    ]
    assert listed["Dinh Van Dung"].current_assignments == []


def test_official_list_costs_the_same_queries_for_few_or_many_officials(
    world, django_assert_num_queries
):
    with django_assert_num_queries(3):  # the unit tree, the officials, their posts
        list(selectors.official_list(unit_id=world.province.id))
    for i in range(10):
        official = make_official(f"Người Thứ {i}")
        Assignment.objects.create(
            official=official, position=world.tuly_vice, start=D(2024, 1, i + 1)
        )
    with django_assert_num_queries(3):
        # Four officials of the world hold a post today (Dinh Van Dung holds none), plus ten.
        assert len(list(selectors.official_list(unit_id=world.province.id))) == 14


# --- Roles ----------------------------------------------------------------------------------


def test_roles_come_from_memberships(world):
    assert selectors.user_roles(world.chair) == ["committee_chair", "committee_member"]
    assert selectors.user_roles(world.board_head) == [
        "board_head",
        "board_member",
        "committee_member",
    ]
    assert selectors.user_roles(world.reviewer) == ["board_member"]
    assert selectors.user_roles(world.clerk) == ["office"]
    assert selectors.user_roles(world.proposer) == ["proposer"]
    assert selectors.user_roles(world.official_user) == ["official"]
    assert selectors.user_roles(world.admin) == ["admin"]


def test_a_membership_that_ended_yesterday_gives_no_role(world):
    assert selectors.user_roles(world.former_member) == []
    assert selectors.user_roles(world.former_member, on=YESTERDAY) == ["committee_member"]


def test_a_membership_counts_from_its_start_day(world):
    assert selectors.user_roles(world.chair, on=D(2020, 9, 30)) == []
    assert "committee_chair" in selectors.user_roles(world.chair, on=D(2020, 10, 1))


def test_a_role_is_never_inferred_from_the_username(world):
    assert world.impostor.username == "btv01"
    assert selectors.user_roles(world.impostor) == []
    for username in ("admin", "office", "board.head", "proposer.tuly"):
        assert selectors.user_roles(make_user(username)) == []


def test_an_anonymous_user_has_no_role():
    from django.contrib.auth.models import AnonymousUser

    assert selectors.user_roles(AnonymousUser()) == []

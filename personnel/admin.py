"""Admin for the personnel registry: the catalogues a clerk of the organisation board keeps.

Labels come from the models' verbose names. Every foreign key is an autocomplete field and every
change list selects its related rows, so a page costs the same number of queries at any size.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lib.text import fold

from . import models


class FoldedSearchMixin:
    """Search both as typed and without diacritics, so "nguyen van" finds "Nguyễn Văn"; the
    folded term matches the officials' `search_name`, the typed one every other field."""

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term)
        if search_term and folded != search_term:
            more, more_duplicates = super().get_search_results(request, queryset, folded)
            found = found | more
            may_have_duplicates = may_have_duplicates or more_duplicates
        return found, may_have_duplicates


# --- Units, titles, positions -------------------------------------------------------------


class ChildUnitInline(admin.TabularInline):
    model = models.OrgUnit
    fk_name = "parent"
    fields = ["name", "code", "kind", "valid_from", "valid_to"]
    extra = 0
    show_change_link = True
    verbose_name = _("subordinate unit")
    verbose_name_plural = _("subordinate units")


@admin.register(models.OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [ChildUnitInline]


@admin.register(models.PositionTitle)
class PositionTitleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "level",
        "order",
        "is_standing",
        "requires_non_local",
        "is_head",
    ]
    list_display_links = ["name"]
    list_editable = ["level", "order", "is_standing", "requires_non_local", "is_head"]
    list_filter = ["is_standing", "requires_non_local", "is_head"]
    search_fields = ["name", "code"]


@admin.register(models.Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "title", "seats"]
    list_filter = ["unit__kind", "title"]
    search_fields = ["name", "unit__name", "unit__code", "title__name"]
    list_select_related = ["unit", "title"]
    autocomplete_fields = ["unit", "title"]


# --- Officials and their posts --------------------------------------------------------------


class AssignmentInline(admin.TabularInline):
    model = models.Assignment
    fields = ["position", "start", "end", "is_concurrent", "decision_ref"]
    autocomplete_fields = ["position"]
    extra = 0
    show_change_link = True


class PlanningEntryInline(admin.TabularInline):
    model = models.PlanningEntry
    fields = ["title", "term", "decision_ref"]
    autocomplete_fields = ["title", "term"]
    extra = 0


@admin.register(models.Official)
class OfficialAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = [
        "full_name",
        "birth_date",
        "gender",
        "ethnicity",
        "hometown_unit",
        "birthplace_unit",
        "user",
    ]
    list_filter = ["gender", "ethnicity"]
    search_fields = ["full_name", "search_name", "=external_id"]
    list_select_related = ["hometown_unit", "birthplace_unit", "user"]
    autocomplete_fields = ["hometown_unit", "birthplace_unit", "user"]
    fieldsets = [
        (None, {"fields": ["full_name", "gender", "birth_date", "ethnicity", "external_id"]}),
        (_("Origin"), {"fields": ["hometown_unit", "birthplace_unit"]}),
        (_("Party and login"), {"fields": ["party_join_date", "user"]}),
    ]
    inlines = [AssignmentInline, PlanningEntryInline]


@admin.register(models.Assignment)
class AssignmentAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = [
        "official",
        "position",
        "unit",
        "start",
        "end",
        "is_concurrent",
        "decision_ref",
    ]
    list_filter = ["is_concurrent", "position__unit__kind", "position__title"]
    search_fields = [
        "official__full_name",
        "official__search_name",
        "position__name",
        "decision_ref",
    ]
    date_hierarchy = "start"
    list_select_related = ["official", "position__unit", "position__title"]
    autocomplete_fields = ["official", "position"]
    # Set by the posting of a decision (workflow/postings.py), never by hand.
    readonly_fields = ["decision_id", "end_decision_id"]

    @admin.display(description=_("unit"), ordering="position__unit__name")
    def unit(self, assignment):
        return assignment.position.unit


@admin.register(models.PlanningEntry)
class PlanningEntryAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["official", "title", "term", "decision_ref"]
    list_filter = ["term", "title"]
    search_fields = ["official__full_name", "official__search_name", "title__name", "decision_ref"]
    list_select_related = ["official", "title", "term"]
    autocomplete_fields = ["official", "title", "term"]


# --- Deciding and advisory bodies -----------------------------------------------------------


class MembershipInline(admin.TabularInline):
    """A dated membership: who (picked by autocomplete), from when, until when."""

    autocomplete_fields = ["user"]
    extra = 0


class CommitteeMemberInline(MembershipInline):
    model = models.CommitteeMember
    fields = ["user", "role", "start", "end"]


class CommitteeOfficeMemberInline(MembershipInline):
    model = models.CommitteeOfficeMember
    fields = ["user", "start", "end"]


class ProposerScopeInline(MembershipInline):
    model = models.ProposerScope
    fields = ["user", "unit", "start", "end"]
    autocomplete_fields = ["user", "unit"]


class TermInline(admin.TabularInline):
    model = models.Term
    fields = ["name", "kind", "start", "end"]
    extra = 0


@admin.register(models.Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "symbol", "non_local_target_percent", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "issuing_body_name", "symbol"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    fieldsets = [
        (None, {"fields": ["name", "unit", "is_active"]}),
        (
            _("Document identity"),
            {
                "fields": [
                    "collective_name",
                    "issuing_body_name",
                    "superior_body_name",
                    "symbol",
                    "place_name",
                ]
            },
        ),
        (
            _("Policy"),
            {
                "description": _("Parameters of the eligibility checks and the vote (SPEC §3)."),
                "fields": [
                    ("min_rotation_months", "max_secondment_months"),
                    "min_remaining_service_years",
                    "locality_rule",
                    ("quorum_numerator", "quorum_denominator"),
                    "non_local_target_percent",
                ],
            },
        ),
    ]
    inlines = [
        CommitteeMemberInline,
        CommitteeOfficeMemberInline,
        ProposerScopeInline,
        TermInline,
    ]


class BoardMemberInline(MembershipInline):
    model = models.BoardMember
    fields = ["user", "role", "start", "end"]


@admin.register(models.Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["name", "committee"]
    search_fields = ["name", "committee__name"]
    list_select_related = ["committee"]
    autocomplete_fields = ["committee"]
    inlines = [BoardMemberInline]


@admin.register(models.Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "committee", "start", "end"]
    list_filter = ["kind", "committee"]
    search_fields = ["name", "committee__name"]
    list_select_related = ["committee"]
    autocomplete_fields = ["committee"]
    date_hierarchy = "start"

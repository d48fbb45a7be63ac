"""Admin for the workflow: read-only views of proposals and their records.

Proposals change only through the services (workflow/services.py), which check roles and write
the audit log; the admin therefore shows them without edit rights. Ballots are not registered:
nobody needs to browse them, and receipts show only who voted.
"""

from django.contrib import admin

from lib.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import EligibilityException, Opinion, RotationProposal, VoteRound


class OpinionInline(ReadOnlyInline):
    model = Opinion
    readonly_fields = ["author", "opinion", "comment", "created_at"]


class ExceptionInline(ReadOnlyInline):
    model = EligibilityException
    readonly_fields = ["code", "justification", "granted_by", "created_at"]


@admin.register(RotationProposal)
class RotationProposalAdmin(ReadOnlyAdmin):
    list_display = ["id", "official", "kind", "state", "target_position", "effective_date"]
    list_filter = ["state", "kind", "committee"]
    search_fields = ["official__full_name", "official__search_name"]
    list_select_related = ["official", "target_position"]
    inlines = [OpinionInline, ExceptionInline]


@admin.register(VoteRound)
class VoteRoundAdmin(ReadOnlyAdmin):
    list_display = ["id", "proposal", "status", "incumbent_count", "quorum", "passed"]
    list_filter = ["status"]

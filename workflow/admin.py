"""Admin for the workflow: read-only views of proposals and their records.

Proposals change only through the services (workflow/services.py), which check roles and write
the audit log; the admin therefore shows them without edit rights. Ballots are not registered:
nobody needs to browse them, and receipts show only who voted.
"""

from django.contrib import admin

from .models import AuditEvent, EligibilityException, Opinion, RotationProposal, VoteRound


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OpinionInline(admin.TabularInline):
    model = Opinion
    extra = 0
    can_delete = False
    readonly_fields = ["author", "opinion", "comment", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


class ExceptionInline(admin.TabularInline):
    model = EligibilityException
    extra = 0
    can_delete = False
    readonly_fields = ["code", "justification", "granted_by", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


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


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "actor", "action", "proposal", "from_state", "to_state"]
    list_filter = ["action"]
    list_select_related = ["actor", "proposal"]

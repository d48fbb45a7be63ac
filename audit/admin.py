from django.contrib import admin

from lib.admin import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "actor", "action", "proposal_id", "from_state", "to_state"]
    list_filter = ["action"]
    list_select_related = ["actor"]

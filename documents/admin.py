"""Admin for the catalogues (legal bases, letter settings) and a read-mostly view of decisions."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from lib.admin import ReadOnlyInline

from . import services
from .models import Decision, Delivery, DocumentProfile, LegalBasis, NumberSeries, ProposalDocument


@admin.register(LegalBasis)
class LegalBasisAdmin(admin.ModelAdmin):
    list_display = ["text", "committee", "form", "order", "valid_from", "valid_to"]
    list_filter = ["committee", "form", "for_rotation", "for_transfer", "for_secondment"]
    search_fields = ["text"]
    ordering = ["committee", "order", "id"]


@admin.register(DocumentProfile)
class DocumentProfileAdmin(admin.ModelAdmin):
    list_display = ["committee", "form", "margin_top_mm", "margin_bottom_mm", "margin_left_mm"]


@admin.register(NumberSeries)
class NumberSeriesAdmin(admin.ModelAdmin):
    list_display = ["committee", "doc_type", "period", "last_number"]
    # The counter is changed only by issuing: editing it by hand would break gap-free numbering.
    readonly_fields = ["committee", "doc_type", "period", "last_number"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    readonly_fields = [
        "recipient",
        "unit",
        "reason",
        "delivered_at",
        "emailed_at",
        "acknowledged_at",
    ]
    fields = readonly_fields


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["number_display", "committee", "issued_on", "signer_name", "status"]
    list_filter = ["status", "committee", "form"]
    search_fields = ["signer_name", "verify_code", "proposal__official__full_name"]
    list_select_related = ["committee"]
    inlines = [DeliveryInline]
    actions = ["retry_render"]

    def get_readonly_fields(self, request, obj=None):
        # An issued decision is a record: nothing in it is edited by hand.
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Render the PDF again (failed decisions)"))
    def retry_render(self, request, queryset):
        count = sum(
            services.decision_render_retry(decision=decision, actor=request.user)
            for decision in queryset.filter(status=Decision.Status.FAILED)
        )
        self.message_user(
            request,
            _("%(count)s decisions queued again for their PDF.") % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ProposalDocument)
class ProposalDocumentAdmin(admin.ModelAdmin):
    list_display = ["kind", "proposal", "status", "created_at"]
    list_filter = ["kind", "status"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

"""Decision API (SPEC §9). Thin: selectors decide who sees what, services do the writes."""

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from personnel.api import int_param

from . import selectors, services
from .models import Decision, ProposalDocument


class DecisionSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="number_display")
    number_label = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    verify_url = serializers.CharField()
    official = serializers.CharField(source="proposal.official.full_name")
    target_position = serializers.CharField(source="proposal.target_position.name")
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "number",
            "number_label",
            "issued_on",
            "status",
            "status_label",
            "sha256",
            "verify_url",
            "proposal",
            "official",
            "target_position",
            "signer_name",
            "pdf_url",
        ]

    def get_pdf_url(self, decision) -> str:
        return f"/api/v1/decisions/{decision.pk}/pdf/"


def pdf_response(obj, *, filename: str) -> FileResponse:
    """The stored PDF, or 409 while it is not rendered."""
    if obj.status != Decision.Status.READY or not obj.file:
        raise services.DocumentNotReady(obj.status)
    return FileResponse(
        obj.file.open("rb"), content_type="application/pdf", as_attachment=True, filename=filename
    )


class DecisionListView(generics.ListAPIView):
    serializer_class = DecisionSerializer

    def get_queryset(self):
        return selectors.decision_list_for_user(self.request.user).order_by("-issued_on", "-id")


class DecisionDetailView(generics.RetrieveAPIView):
    serializer_class = DecisionSerializer

    def get_object(self):
        return selectors.decision_get_for_user(self.request.user, self.kwargs["pk"])


class DecisionPdfView(APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        decision = selectors.decision_get_for_user(request.user, pk)
        return pdf_response(decision, filename=services.attachment_name(decision))


class DecisionAcknowledgeView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer(
            "Acknowledgement", {"acknowledged_at": serializers.DateTimeField()}
        ),
    )
    def post(self, request, pk):
        decision = selectors.decision_get_for_user(request.user, pk)
        at = services.decision_acknowledge(decision=decision, user=request.user)
        return Response({"acknowledged_at": at})


class ProposalDocumentSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = ProposalDocument
        fields = [
            "id",
            "kind",
            "kind_label",
            "proposal",
            "vote_round",
            "status",
            "status_label",
            "sha256",
            "created_at",
            "pdf_url",
        ]

    def get_pdf_url(self, document) -> str:
        return f"/api/v1/documents/{document.pk}/pdf/"


class ProposalDocumentListView(generics.ListAPIView):
    """The board's submissions and the vote minutes; ?proposal= narrows to one proposal."""

    serializer_class = ProposalDocumentSerializer

    def get_queryset(self):
        qs = selectors.proposal_documents_visible_to(self.request.user).order_by("-created_at")
        proposal = int_param(self.request, "proposal")
        return qs if proposal is None else qs.filter(proposal_id=proposal)


class ProposalDocumentPdfView(APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        document = selectors.proposal_documents_visible_to(request.user).filter(pk=pk).first()
        if document is None:
            raise exceptions.NotFound(_("Document not found."))
        kind = "To-trinh" if document.kind == ProposalDocument.Kind.SUBMISSION else "Bien-ban"
        return pdf_response(document, filename=f"{kind}-{document.proposal_id}.pdf")

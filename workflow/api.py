"""The proposal API (SPEC §9). Thin: serializers check the shape of input, services do the
writes, selectors the reads; workflow errors become {detail, code} with their HTTP status here."""

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from lib.api import Pagination
from lib.text import TEXT_MAX
from personnel.models import Official, Position
from personnel.roles import request_actor

from . import eligibility, selectors, services
from .errors import FIELD_FOR_CODE, AppError, Invalid
from .models import EligibilityException, Opinion, ProposalKind, ProposalState
from .permissions import allowed_transitions, can_read_opinions
from .transitions import NAMES


class WorkflowAPIView(APIView):
    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        field = FIELD_FOR_CODE.get(getattr(exc, "code", None))
        if isinstance(exc, AppError) and field:
            response.data["fields"] = {field: response.data["detail"]}
        return response

    @property
    def actor(self):
        # The user's roles, read once per request.
        return request_actor(self.request)

    def proposal(self, pk):
        """The proposal, or NotFound (404) when it does not exist or the user may not see it."""
        return selectors.proposal_get(actor=self.actor, proposal_id=pk)

    def detail_response(self, pk, status=status.HTTP_200_OK):
        """The proposal as it is now, as the reader sees it."""
        detail = ProposalDetailSerializer(self.proposal(pk), context={"actor": self.actor})
        return Response(detail.data, status=status)

    def created(self, serializer_class, service, pk):
        """Check the body, hand it to `service`, answer 201 with the record it made."""
        data = _validated(serializer_class, self.request.data)
        record = service(proposal_id=pk, actor=self.actor, **data)
        return Response(serializer_class(record).data, status=status.HTTP_201_CREATED)

    def vote_response(self, pk, status=status.HTTP_200_OK):
        vote = selectors.vote_status(proposal=self.proposal(pk), actor=self.actor)
        return Response(VoteSerializer(vote).data, status=status)


# --- Serializers ----------------------------------------------------------------------------


class StrictIntegers:
    """An id or a number is a JSON integer: 1.5, true or "1" are refused, not read as 1 (a form
    body, where every value is text, may still send digits)."""

    def to_internal_value(self, data):
        form = isinstance(getattr(self.root, "initial_data", None), QueryDict)
        if isinstance(data, bool) or not (
            isinstance(data, int) or (form and isinstance(data, str) and data.isascii())
        ):
            raise serializers.ValidationError(_("A whole number is required."), code="invalid")
        return super().to_internal_value(data)


class StrictPrimaryKeyField(StrictIntegers, serializers.PrimaryKeyRelatedField):
    pass


class StrictIntegerField(StrictIntegers, serializers.IntegerField):
    pass


def text_field(**kwargs):
    """Free text, bounded like the model and the form; the service checks its characters."""
    return serializers.CharField(
        max_length=TEXT_MAX,
        error_messages={"max_length": _("Too long: at most {max_length} characters.")},
        **kwargs,
    )


class ProposalWriteSerializer(serializers.Serializer):
    official = StrictPrimaryKeyField(queryset=Official.objects.all())
    kind = serializers.ChoiceField(choices=ProposalKind.choices)
    target_position = StrictPrimaryKeyField(
        queryset=Position.objects.select_related("unit", "title")
    )
    effective_date = serializers.DateField()
    # The range of dates and durations is checked once, by the service.
    duration_months = StrictIntegerField(allow_null=True, required=False)
    rationale = text_field()
    higher_post_justification = text_field(required=False, allow_blank=True)


class ProposalPatchSerializer(ProposalWriteSerializer):
    official = None  # The official of a proposal never changes: draft a new proposal instead.


class DecisionBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()


class CheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])
    ok = serializers.BooleanField()
    message = serializers.CharField()
    enforced = serializers.BooleanField()
    excepted = serializers.BooleanField()


class ProposalSerializer(serializers.Serializer):
    """A proposal as SPEC §9 shows it, plus display names. `context["actor"]` is the reader."""

    id = serializers.IntegerField()
    state = serializers.CharField()
    state_label = serializers.SerializerMethodField()
    kind = serializers.CharField()
    kind_label = serializers.SerializerMethodField()
    committee = serializers.IntegerField(source="committee_id")
    official = serializers.IntegerField(source="official_id")
    official_name = serializers.CharField(source="official.full_name")
    from_position = serializers.IntegerField(source="from_assignment.position_id")
    from_position_name = serializers.CharField(source="from_assignment.position.name")
    target_position = serializers.IntegerField(source="target_position_id")
    target_position_name = serializers.CharField(source="target_position.name")
    effective_date = serializers.DateField()
    duration_months = serializers.IntegerField(allow_null=True)
    planned_end = serializers.DateField(allow_null=True)
    rationale = serializers.CharField()
    higher_post_justification = serializers.CharField()
    author = serializers.CharField(source="author.username")
    created_at = serializers.DateTimeField()
    transitions = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()

    # Method fields rather than source="get_state_display": DRF inspects a callable source's
    # signature on every row, which costs more than the rest of the row.
    def get_state_label(self, proposal) -> str:
        return str(ProposalState(proposal.state).label)

    def get_kind_label(self, proposal) -> str:
        return str(ProposalKind(proposal.kind).label)

    def get_transitions(self, proposal) -> list[str]:
        return allowed_transitions(self.context["actor"], proposal)

    @extend_schema_field(DecisionBriefSerializer(allow_null=True))
    def get_decision(self, proposal) -> dict | None:
        # No decision yet raises RelatedObjectDoesNotExist, an AttributeError: getattr says None.
        decision = getattr(proposal, "decision", None)
        if decision is None:
            return None
        return {"id": decision.pk, "number": decision.number_label, "status": decision.status}


class ProposalDetailSerializer(ProposalSerializer):
    reviewer = serializers.CharField(source="reviewer.username", default=None)
    outcome = serializers.CharField()
    posted_at = serializers.DateTimeField(allow_null=True)
    eligibility = serializers.SerializerMethodField()
    eligibility_snapshot = serializers.JSONField(allow_null=True)

    @extend_schema_field(CheckSerializer(many=True))
    def get_eligibility(self, proposal) -> list[dict]:
        return [
            CheckSerializer(result).data
            for result in eligibility.evaluate(proposal, exceptions=None)
        ]


class OpinionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    opinion = serializers.ChoiceField(choices=Opinion.Choice.choices)
    comment = text_field()

    class Meta:
        model = Opinion
        fields = ["id", "author", "opinion", "comment", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class ExceptionSerializer(serializers.ModelSerializer):
    granted_by = serializers.CharField(source="granted_by.username", read_only=True)
    code = serializers.ChoiceField(choices=eligibility.EXCEPTABLE_CODES)
    justification = text_field()

    class Meta:
        model = EligibilityException
        fields = ["id", "code", "justification", "granted_by", "created_at"]
        read_only_fields = ["id", "granted_by", "created_at"]


class BallotSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=["approve", "disapprove", "abstain"])


class TransitionSerializer(serializers.Serializer):
    comment = text_field(required=False, allow_blank=True)
    casting = serializers.ChoiceField(choices=["approve", "disapprove"], required=False)
    outcome = serializers.ChoiceField(choices=["returned", "reassigned", "kept"], required=False)
    signer = StrictIntegerField(required=False)


class VoteSerializer(serializers.Serializer):
    round = serializers.IntegerField(source="round_id", allow_null=True)
    status = serializers.CharField(allow_null=True)
    incumbent = serializers.IntegerField()
    eligible = serializers.IntegerField()
    cast = serializers.IntegerField()
    quorum = serializers.IntegerField()
    quorum_met = serializers.BooleanField()
    majority = serializers.IntegerField()
    tally = inline_serializer(
        "Tally",
        {
            "approve": serializers.IntegerField(),
            "disapprove": serializers.IntegerField(),
            "abstain": serializers.IntegerField(),
            "casting": serializers.CharField(allow_null=True),
            "passed": serializers.BooleanField(),
        },
        allow_null=True,
    )
    i_may_vote = serializers.BooleanField()
    i_have_voted = serializers.BooleanField()


class HistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username", default=None)
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    comment = serializers.CharField()


def _validated(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Views ----------------------------------------------------------------------------------


def _query_choice(request, name, choices):
    value = request.query_params.get(name) or None
    if value is None:
        return None
    for item in value.split(","):
        if item not in choices:
            raise Invalid(
                _("%(name)s: “%(value)s” is not valid; use one of: %(choices)s."),
                code="invalid_filter",
                params={"name": name, "value": item, "choices": ", ".join(choices)},
            )
    return value


class ProposalListView(WorkflowAPIView):
    pagination_class = Pagination

    @extend_schema(
        operation_id="v1_proposals_list",
        parameters=[
            OpenApiParameter("state", str, description="State, or several separated by commas"),
            OpenApiParameter("kind", str, enum=ProposalKind.values),
            OpenApiParameter("official", int, description="Only proposals about this official"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=inline_serializer(
            "PaginatedProposalList",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": ProposalSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        official = request.query_params.get("official") or None
        if official is not None:
            try:
                official = int(official)
            except ValueError:
                raise Invalid(
                    _("%(name)s: a number is required."),
                    code="invalid_filter",
                    params={"name": "official"},
                )
        qs = selectors.proposal_list(
            actor=self.actor,
            state=_query_choice(request, "state", ProposalState.values),
            kind=_query_choice(request, "kind", ProposalKind.values),
            official_id=official,
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = ProposalSerializer(page, many=True, context={"actor": self.actor}).data
        return paginator.get_paginated_response(data)

    @extend_schema(request=ProposalWriteSerializer, responses={201: ProposalDetailSerializer})
    def post(self, request):
        data = _validated(ProposalWriteSerializer, request.data)
        proposal = services.proposal_create(actor=self.actor, **data)
        return self.detail_response(proposal.pk, status=status.HTTP_201_CREATED)


class ProposalDetailView(WorkflowAPIView):
    @extend_schema(responses=ProposalDetailSerializer)
    def get(self, request, pk):
        return self.detail_response(pk)

    @extend_schema(request=ProposalPatchSerializer, responses=ProposalDetailSerializer)
    def patch(self, request, pk):
        if "official" in request.data:
            raise Invalid(
                _("The official of a proposal cannot change; draft a new one."),
                code="official_fixed",
            )
        data = _validated(ProposalPatchSerializer, request.data, partial=True)
        services.proposal_update(proposal_id=pk, actor=self.actor, **data)
        return self.detail_response(pk)


class ProposalTransitionView(WorkflowAPIView):
    @extend_schema(
        request=TransitionSerializer,
        responses=ProposalDetailSerializer,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(NAMES))],
    )
    def post(self, request, pk, name):
        data = _validated(TransitionSerializer, request.data)
        services.proposal_transition(name, proposal_id=pk, actor=self.actor, **data)
        return self.detail_response(pk)


class ProposalOpinionsView(WorkflowAPIView):
    @extend_schema(responses=OpinionSerializer(many=True))
    def get(self, request, pk):
        proposal = self.proposal(pk)
        if not can_read_opinions(self.actor, proposal):
            return Response([])
        opinions = proposal.opinions.select_related("author").order_by("id")
        return Response(OpinionSerializer(opinions, many=True).data)

    @extend_schema(request=OpinionSerializer, responses={201: OpinionSerializer})
    def post(self, request, pk):
        return self.created(OpinionSerializer, services.opinion_add, pk)


class ProposalExceptionsView(WorkflowAPIView):
    @extend_schema(responses=ExceptionSerializer(many=True))
    def get(self, request, pk):
        proposal = self.proposal(pk)
        records = proposal.exceptions.select_related("granted_by").order_by("id")
        return Response(ExceptionSerializer(records, many=True).data)

    @extend_schema(request=ExceptionSerializer, responses={201: ExceptionSerializer})
    def post(self, request, pk):
        return self.created(ExceptionSerializer, services.exception_grant, pk)


class ProposalBallotsView(WorkflowAPIView):
    @extend_schema(request=BallotSerializer, responses={201: VoteSerializer})
    def post(self, request, pk):
        data = _validated(BallotSerializer, request.data)
        services.ballot_cast(proposal_id=pk, actor=self.actor, choice=data["choice"])
        return self.vote_response(pk, status=status.HTTP_201_CREATED)


class ProposalVoteView(WorkflowAPIView):
    @extend_schema(responses=VoteSerializer)
    def get(self, request, pk):
        return self.vote_response(pk)


class ProposalHistoryView(WorkflowAPIView):
    @extend_schema(responses=HistorySerializer(many=True))
    def get(self, request, pk):
        history = selectors.proposal_history(proposal=self.proposal(pk), actor=self.actor)
        return Response(HistorySerializer(history, many=True).data)


class InboxView(WorkflowAPIView):
    @extend_schema(
        responses=inline_serializer(
            "Inbox",
            {
                name: serializers.ListField(child=ProposalSerializer())
                for name, _label, _names in selectors.INBOX_SECTIONS
            },
        )
    )
    def get(self, request):
        sections = selectors.inbox_for_user(actor=self.actor)
        context = {"actor": self.actor}
        return Response(
            {
                name: ProposalSerializer(items, many=True, context=context).data
                for name, items in sections.items()
            }
        )

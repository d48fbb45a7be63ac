"""Report API (SPEC §9): GET /api/v1/reports/locality/?committee=&as_of=. Thin: the selector
returns the JSON."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from personnel.api import date_param, int_param
from personnel.models import Committee
from personnel.roles import request_actor

from . import selectors


def _committee_param(request) -> Committee:
    pk = int_param(request, "committee")
    committee = Committee.objects.filter(pk=pk).first() if pk is not None else None
    if committee is None:
        raise exceptions.ValidationError({"committee": _("Choose one of your committees.")})
    if not selectors.report_committees(request_actor(request)).filter(pk=committee.pk).exists():
        raise exceptions.PermissionDenied(_("You hold no role in this committee."))
    return committee


def _as_of_param(request) -> dt.date:
    return date_param(request, "as_of") or timezone.localdate()


_MEMBER = inline_serializer(
    "LocalityStandingMember",
    {
        "official_id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "title": serializers.CharField(),
        "position": serializers.CharField(),
        "local": serializers.BooleanField(),
        "why_code": serializers.ChoiceField(choices=["hometown", "birthplace", ""]),
        "why": serializers.CharField(),
    },
)
_UNIT = inline_serializer(
    "LocalityUnit",
    {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "kind": serializers.CharField(),
        "meets": serializers.BooleanField(),
        "standing_members": _MEMBER.__class__(many=True),
        "vacant_posts": serializers.ListField(child=serializers.CharField()),
    },
)
LOCALITY_REPORT = inline_serializer(
    "LocalityReport",
    {
        "committee": inline_serializer(
            "LocalityCommittee",
            {"id": serializers.IntegerField(), "name": serializers.CharField()},
        ),
        "as_of": serializers.DateField(),
        "total_units": serializers.IntegerField(),
        "units_meeting": serializers.IntegerField(),
        "ratio": serializers.FloatField(),
        "target": serializers.FloatField(),
        "met": serializers.BooleanField(),
        "units": _UNIT.__class__(many=True),
    },
)


class LocalityReportView(APIView):
    @extend_schema(
        summary="Non-local target of a committee on a date",
        parameters=[
            OpenApiParameter("committee", int, required=True, description="Committee id"),
            OpenApiParameter("as_of", dt.date, description="Date (YYYY-MM-DD); default today"),
        ],
        responses={200: LOCALITY_REPORT},
    )
    def get(self, request):
        committee = _committee_param(request)
        as_of = _as_of_param(request)
        return Response(selectors.locality_report(committee=committee, as_of=as_of))

"""Read API for the personnel registry (SPEC §9). Thin: selectors do the reading."""

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from lib.params import TooLarge, parse_int

from . import selectors
from .models import Official, OrgUnit, Position
from .roles import request_actor


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "kind", "parent", "valid_from", "valid_to"]


class PositionSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name")
    title_name = serializers.CharField(source="title.name")
    is_standing = serializers.BooleanField(source="title.is_standing")

    class Meta:
        model = Position
        fields = ["id", "name", "unit", "unit_name", "title", "title_name", "is_standing", "seats"]


class CurrentAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField(source="position_id")
    position_name = serializers.CharField(source="position.name")
    unit = serializers.CharField(source="position.unit.name")
    unit_id = serializers.IntegerField(source="position.unit_id")
    title = serializers.CharField(source="position.title.name")
    start = serializers.DateField()
    is_concurrent = serializers.BooleanField()


class OfficialSerializer(serializers.ModelSerializer):
    current_assignments = CurrentAssignmentSerializer(many=True)

    class Meta:
        model = Official
        fields = ["id", "full_name", "birth_date", "gender", "current_assignments"]


class OfficialDetailSerializer(OfficialSerializer):
    hometown = serializers.CharField(source="hometown_unit.name", default=None)
    birthplace = serializers.CharField(source="birthplace_unit.name", default=None)

    class Meta(OfficialSerializer.Meta):
        fields = [
            "id",
            "full_name",
            "birth_date",
            "gender",
            "hometown",
            "hometown_unit",
            "birthplace",
            "birthplace_unit",
            "ethnicity",
            "party_join_date",
            "current_assignments",
        ]


# Query parameters, shared by the other apps' APIs: None when absent, 400 when malformed.


def _invalid(name: str, message, **params):
    return exceptions.ValidationError({name: str(message) % params if params else message})


def int_param(request, name):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return parse_int(value)
    except TooLarge:
        raise _invalid(name, _("'%(value)s' is too large."), value=value)
    except ValueError:
        raise _invalid(name, _("'%(value)s' is not a number."), value=value)


def bool_param(request, name):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise _invalid(name, _("Use true or false."))


def date_param(request, name):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _invalid(name, _("Not a date; use YYYY-MM-DD."))


class MeView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "roles": serializers.ListField(child=serializers.CharField()),
                "official": serializers.IntegerField(allow_null=True),
            },
        )
    )
    def get(self, request):
        official = Official.objects.filter(user=request.user).values_list("id", flat=True).first()
        return Response(
            {
                "username": request.user.get_username(),
                "roles": selectors.user_roles(request.user),
                "official": official,
            }
        )


class UnitListView(generics.ListAPIView):
    serializer_class = UnitSerializer

    def get_queryset(self):
        return OrgUnit.objects.order_by("name", "id")


@extend_schema(
    parameters=[
        OpenApiParameter("unit", int, description="Only positions in this unit"),
        OpenApiParameter(
            "vacant", bool, description="Only vacant (true) or filled (false) positions"
        ),
        OpenApiParameter("on", dt.date, description="Date for vacancy (default today)"),
    ]
)
class PositionListView(generics.ListAPIView):
    serializer_class = PositionSerializer

    def get_queryset(self):
        return selectors.position_list(
            unit_id=int_param(self.request, "unit"),
            vacant=bool_param(self.request, "vacant"),
            vacant_on=date_param(self.request, "on"),
        )


@extend_schema(
    parameters=[
        OpenApiParameter("search", str, description="Name; diacritics are ignored"),
        OpenApiParameter("unit", int, description="Officials posted in this unit or below it"),
    ]
)
class OfficialListView(generics.ListAPIView):
    serializer_class = OfficialSerializer

    def get_queryset(self):
        return selectors.official_list(
            search=self.request.query_params.get("search", ""),
            unit_id=int_param(self.request, "unit"),
            actor=request_actor(self.request),
        )


class OfficialDetailView(generics.RetrieveAPIView):
    """Another official's record is 404 to whoever has no need to know it."""

    serializer_class = OfficialDetailSerializer

    def get_queryset(self):
        return selectors.official_list(actor=request_actor(self.request)).select_related(
            "hometown_unit", "birthplace_unit"
        )

"""POST /api/v1/auth/token/ (SPEC §9): username and password for a token that expires."""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lib.middleware import MALFORMED

from .services import issue_token


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request):
        # With no authentication classes DRF would turn a wrong password into 403; it is a 401.
        return "Token"

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses=inline_serializer(
            "TokenResponse",
            {"token": serializers.CharField(), "expiry": serializers.DateTimeField()},
        ),
    )
    def post(self, request):
        data = request.data if hasattr(request.data, "get") else {}
        username = data.get("username") or ""
        password = data.get("password") or ""
        if not isinstance(username, str) or not isinstance(password, str):
            username = password = ""
        if "\x00" in username + password:
            raise exceptions.ValidationError(MALFORMED)
        if not username or not password:
            raise exceptions.ValidationError(_("Username and password are required."))
        # The Django request: axes marks it, and its middleware answers 429 once it is locked.
        user = authenticate(request._request, username=username, password=password)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Wrong username or password."))
        # A sign-in like the login page's: last_login is set and axes clears the failures.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token, key = issue_token(user)
        return Response({"token": key, "expiry": token.expiry})

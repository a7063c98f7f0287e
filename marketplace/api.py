"""Account endpoints of the API: tokens and the current user."""

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from traino.exceptions import DomainError, TooManyAttempts

from . import services
from .authentication import BearerTokenAuthentication
from .models import ApiToken


class InvalidCredentials(DomainError):
    status = 401
    code = "INVALID_CREDENTIALS"
    message = _("The email or password is wrong.")


class TokenView(APIView):
    """POST issues a token for email + password; DELETE revokes the token in the header."""

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(trim_whitespace=False)
        name = serializers.CharField(max_length=100, required=False, default="")

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        token_type = serializers.CharField()
        expires_at = serializers.DateTimeField()

    def get_authenticators(self):
        # No request while drf-spectacular builds the schema offline (check --deploy).
        if self.request is not None and self.request.method == "POST":
            return []  # a stale header must not stop someone from getting a new token
        return [BearerTokenAuthentication()]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, auth=[])
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            django_request,
            username=data.validated_data["email"],
            password=data.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            raise TooManyAttempts()
        if user is None:
            raise InvalidCredentials()
        # A token is a log-in: last_login is updated and axes forgets earlier failures
        # (AXES_RESET_ON_SUCCESS), as after the log-in form.
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        token, raw = services.api_token_issue(user=user, name=data.validated_data["name"])
        body = {"token": raw, "token_type": "Bearer", "expires_at": token.expires_at}
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            raise DomainError(_("Send the token to revoke in the Authorization header."))
        services.api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """Who the token or session belongs to."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "uid": serializers.UUIDField(),
                "email": serializers.EmailField(),
                "name": serializers.CharField(),
                "role": serializers.CharField(),
            },
        )
    )
    def get(self, request):
        user = request.user
        return Response(
            {"uid": str(user.uid), "email": user.email, "name": user.name, "role": user.role}
        )

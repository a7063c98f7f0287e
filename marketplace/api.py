"""Account endpoints of the API: tokens and the current user."""

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from traino.api import error_responses
from traino.exceptions import DomainError, TooManyAttempts

from . import services
from .authentication import BearerTokenAuthentication
from .models import ApiToken, Role


class InvalidCredentials(DomainError):
    status = 401
    code = "INVALID_CREDENTIALS"
    message = _("The email or password is wrong.")


class TokenView(APIView):
    """POST issues a token for email + password; DELETE revokes the token in the header."""

    class TokenInput(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(trim_whitespace=False, max_length=4096)
        name = serializers.CharField(
            max_length=100,
            required=False,
            default="",
            allow_blank=True,
            help_text="Which device or program holds the token, e.g. 'my phone'.",
        )

    class TokenOutput(serializers.Serializer):
        token = serializers.CharField(help_text="Shown once: send it as Authorization: Bearer.")
        token_type = serializers.ChoiceField(choices=["Bearer"])
        expires_at = serializers.DateTimeField()

    def get_authenticators(self):
        # No request while drf-spectacular builds the schema offline (check --deploy).
        if self.request is not None and self.request.method == "POST":
            return []  # a stale header must not stop someone from getting a new token
        return [BearerTokenAuthentication()]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        request=TokenInput,
        responses={
            201: TokenOutput,
            # No authenticator runs for POST, so these are declared rather than implied.
            **error_responses(
                401,
                429,
                codes={401: ["INVALID_CREDENTIALS"], 429: ["TOO_MANY_ATTEMPTS"]},
            ),
        },
        auth=[],
    )
    def post(self, request):
        data = self.TokenInput(data=request.data)
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
        return Response(self.TokenOutput(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None, **error_responses(400)})
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            raise DomainError(_("Send the token to revoke in the Authorization header."))
        services.api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """Who the token or session belongs to."""

    class MeOutput(serializers.Serializer):
        uid = serializers.UUIDField()
        email = serializers.EmailField()
        name = serializers.CharField(allow_blank=True)
        role = serializers.ChoiceField(choices=Role.choices)

    @extend_schema(operation_id="me_retrieve", responses={200: MeOutput})
    def get(self, request):
        user = request.user
        body = {"uid": user.uid, "email": user.email, "name": user.name, "role": user.role}
        return Response(self.MeOutput(body).data)

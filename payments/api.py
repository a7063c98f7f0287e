"""Payments' API: Stripe's webhook endpoint."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from traino.parsers import JSONParser

from . import services
from .schema import error_responses


class StripeEventInput(serializers.Serializer):
    """The envelope of a Stripe event (the whole body is stored as sent)."""

    id = serializers.CharField(help_text="evt_...")
    object = serializers.ChoiceField(choices=["event"])
    type = serializers.CharField(help_text="e.g. account.updated")
    livemode = serializers.BooleanField()
    created = serializers.IntegerField(help_text="Unix time")
    account = serializers.CharField(required=False, help_text="Connect events: acct_...")
    data = serializers.DictField()


class WebhookAckOutput(serializers.Serializer):
    received = serializers.BooleanField()
    event_id = serializers.CharField()
    duplicate = serializers.BooleanField(help_text="The event had been received before.")


class StripeWebhookView(APIView):
    """Stripe posts events here; they are verified, stored and acknowledged at once.

    The raw body is verified against the ``Stripe-Signature`` header (STRIPE_WEBHOOK_SECRET,
    tolerance 300 s); processing happens in a Celery task.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    # Stripe sends JSON; the body is read raw (request.body) for the signature, never parsed
    # by DRF, so this only tells the schema what arrives.
    parser_classes = [JSONParser]
    parses_body = False  # traino.schema: no 415, no MALFORMED_REQUEST from DRF's parsers
    throttle_classes = []

    @extend_schema(
        operation_id="stripe_webhook",
        auth=[],
        parameters=[
            OpenApiParameter(
                "Stripe-Signature",
                {"type": "string", "maxLength": 2000},
                OpenApiParameter.HEADER,
                required=True,
                description="t=<unix time>,v1=<HMAC-SHA256 of 't.body' with the endpoint "
                "secret>; a missing, wrong or old one is 400 INVALID_SIGNATURE.",
            )
        ],
        request=StripeEventInput,
        responses={
            200: WebhookAckOutput,
            **error_responses({400: ["INVALID_EVENT", "INVALID_SIGNATURE"]}),
        },
    )
    def post(self, request):
        received = services.webhook_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
        body = WebhookAckOutput(
            {
                "received": True,
                "event_id": received.event.stripe_event_id,
                "duplicate": not received.created,
            }
        )
        return Response(body.data)

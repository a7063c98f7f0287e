"""Payments' API for paying a booking.

- POST /api/bookings/<id>/payment -> the booking's PaymentIntent (made once) for the pay page
- POST /api/demo-payments/<payment_intent_id>/succeed | /fail -> the demo gateway's card
  accepted or declined (404 unless the demo gateway is on)

Views parse, call one service and serialize. Session or Bearer authentication.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.api_bookings import BookingOut

from . import services
from .schema import error_responses

NO_AUTH = ["NOT_AUTHENTICATED", "AUTHENTICATION_FAILED"]


class CheckoutOutput(serializers.Serializer):
    payment_intent_id = serializers.CharField(help_text="pi_...")
    client_secret = serializers.CharField(help_text="For Stripe.js's Payment Element.")
    publishable_key = serializers.CharField(help_text="pk_...; empty with the demo gateway.")
    amount = serializers.IntegerField(help_text="Minor units (öre).")
    currency = serializers.CharField(help_text="ISO 4217, upper case.")
    demo = serializers.BooleanField(help_text="The demo gateway: no real money moves.")
    status = serializers.CharField(help_text="The PaymentIntent's status at Stripe.")


class DemoPaymentOutput(serializers.Serializer):
    payment_intent_id = serializers.CharField()
    booking = BookingOut(help_text="As it is now: with a worker, confirmed a moment later.")


class BookingPaymentView(APIView):
    """The booking's trainee asks for its PaymentIntent while the booking awaits payment.

    Asking again returns the same intent (its idempotency key is derived from the booking).
    """

    @extend_schema(
        operation_id="booking_payment_create",
        request=None,
        responses={
            200: CheckoutOutput,
            **error_responses(
                {
                    401: NO_AUTH,
                    403: ["PERMISSION_DENIED", "CSRF_FAILED"],
                    404: ["NOT_FOUND"],
                    409: ["BOOKING_NOT_PAYABLE", "HOLD_EXPIRED", "CHECKOUT_IN_PROGRESS"],
                    503: ["PAYMENTS_UNAVAILABLE"],
                }
            ),
        },
    )
    def post(self, request, pk: int):
        checkout = services.checkout_start(booking_id=pk, user=request.user)
        return Response(CheckoutOutput(checkout).data)


def _demo_view(succeed: bool):
    class DemoPaymentView(APIView):
        @extend_schema(
            operation_id=f"demo_payment_{'succeed' if succeed else 'fail'}",
            request=None,
            parameters=[
                OpenApiParameter(
                    "payment_intent_id",
                    {"type": "string", "pattern": "^pi_[A-Za-z0-9_]+$", "maxLength": 255},
                    OpenApiParameter.PATH,
                    description="pi_demo_...",
                )
            ],
            responses={
                200: DemoPaymentOutput,
                **error_responses(
                    {
                        401: NO_AUTH,
                        403: ["PERMISSION_DENIED", "CSRF_FAILED"],
                        404: ["NOT_FOUND"],
                        409: ["BOOKING_NOT_PAYABLE"],
                    }
                ),
            },
        )
        def post(self, request, payment_intent_id: str):
            booking = services.demo_payment_complete(
                payment_intent_id=payment_intent_id, user=request.user, succeed=succeed
            )
            body = {"payment_intent_id": payment_intent_id, "booking": booking}
            return Response(DemoPaymentOutput(body).data)

    DemoPaymentView.__name__ = "DemoPaymentSucceedView" if succeed else "DemoPaymentFailView"
    DemoPaymentView.__doc__ = (
        "The demo gateway accepts the card: payment_intent.succeeded goes through the intake."
        if succeed
        else "The demo gateway declines the card: payment_intent.payment_failed is sent."
    )
    return DemoPaymentView


DemoPaymentSucceedView = _demo_view(True)
DemoPaymentFailView = _demo_view(False)

"""API of bookings: book a slot, list and show bookings, cancel, attendance.

- POST /api/bookings {"schedule_id", "start"} (Idempotency-Key honoured) -> 201 booking
- GET  /api/bookings (?as=trainer, ?status=) -> the caller's bookings, 50 a page
- GET  /api/bookings/<id> -> one, to its trainee, its trainer and staff (404 to others)
- GET  /api/bookings/<id>/refund-quote -> what cancelling now would give back
- POST /api/bookings/<id>/cancel {"reason"?} -> booking + refund {amount, currency, percent}
- POST /api/bookings/<id>/no-show-trainee (its trainer or staff, once the session started)
- POST /api/bookings/<id>/no-show-trainer (its trainee: the trainer did not come)
- POST /api/bookings/<id>/no-show-review {"decision": "uphold"|"dismiss"} (staff)

Views parse, call one service and serialize. Session or Bearer authentication.
"""

from __future__ import annotations

from datetime import UTC

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.money import format_money
from traino.api import (
    QuerySerializer,
    SharedOutput,
    WholeNumberField,
    error_responses,
    parse_query,
)
from traino.exceptions import InvalidInput, NotFound

from . import booking_services, idempotency, queries
from .api import own_profile
from .errors import NotBookingParty
from .models import Booking, BookingStatus, CancelledBy, NoShowReview

# The codes of bookings' own refusals, per status (traino.api adds the general ones).
ERROR_CODES = {
    400: ["NOT_AN_OCCURRENCE", "INVALID_IDEMPOTENCY_KEY"],
    403: ["CANNOT_BOOK_SELF"],
    409: [
        "SLOT_UNAVAILABLE",
        "SLOT_FULL",
        "TRAINEE_CONFLICT",
        "INVALID_TRANSITION",
        "TOO_LATE_TO_CANCEL",
        "NO_SHOW_NOT_ALLOWED",
    ],
    422: ["IDEMPOTENCY_KEY_REUSED"],
}


def _errors(*statuses: int) -> dict:
    return error_responses(*statuses, codes=ERROR_CODES)


# --- output --------------------------------------------------------------------------------------


def pay_url(booking: Booking) -> str | None:
    """Where the trainee pays a held booking: the payments app serves this page."""
    if booking.status != BookingStatus.PENDING_PAYMENT:
        return None
    return f"/bookings/{booking.pk}/pay/"


class PriceOut(serializers.Serializer):
    amount = serializers.IntegerField(source="price_amount", help_text="Minor units (öre).")
    currency = serializers.CharField()
    formatted = serializers.SerializerMethodField()

    def get_formatted(self, booking: Booking) -> str:
        return format_money(booking.price_amount, booking.currency, get_language() or "en")


class RefundOut(serializers.Serializer):
    amount = serializers.IntegerField(help_text="Minor units (öre).")
    currency = serializers.CharField()
    percent = serializers.IntegerField()
    reason = serializers.CharField()
    formatted = serializers.SerializerMethodField()

    def get_formatted(self, refund) -> str:
        amount = refund["amount"] if isinstance(refund, dict) else refund.amount
        currency = refund["currency"] if isinstance(refund, dict) else refund.currency
        return format_money(amount, currency, get_language() or "en")


class TrainerRefOut(serializers.Serializer):
    id = serializers.IntegerField(source="trainer_id")
    display_name = serializers.CharField(source="trainer.display_name")


class OfferingRefOut(serializers.Serializer):
    id = serializers.IntegerField(source="offering_id")
    title = serializers.CharField(source="offering.title")


_DATETIME = serializers.DateTimeField()


class BookingOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    schedule_id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    trainer = TrainerRefOut(source="*")
    offering = OfferingRefOut(source="*")
    trainee_first_name = serializers.SerializerMethodField()
    price = PriceOut(source="*")
    hold_expires_at = serializers.SerializerMethodField()
    pay_url = serializers.SerializerMethodField()
    cancelled_by = serializers.ChoiceField(
        choices=CancelledBy.choices, allow_blank=True, help_text="Empty unless cancelled."
    )
    cancel_reason = serializers.CharField(allow_blank=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    refund = serializers.SerializerMethodField()
    no_show_review = serializers.ChoiceField(
        choices=NoShowReview.choices, allow_blank=True, help_text="Empty unless reported."
    )
    created_at = serializers.DateTimeField()

    def get_trainee_first_name(self, booking: Booking) -> str:
        return booking.trainee.name.split(" ")[0] if booking.trainee.name else ""

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_hold_expires_at(self, booking: Booking):
        """Only while the booking waits for payment."""
        if booking.status != BookingStatus.PENDING_PAYMENT or booking.hold_expires_at is None:
            return None
        return _DATETIME.to_representation(booking.hold_expires_at)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_pay_url(self, booking: Booking) -> str | None:
        return pay_url(booking)

    @extend_schema_field(RefundOut(allow_null=True))
    def get_refund(self, booking: Booking):
        if booking.refund_amount is None:
            return None
        return RefundOut(
            {
                "amount": booking.refund_amount,
                "currency": booking.currency,
                "percent": booking.refund_percent,
                "reason": booking.refund_reason,
            }
        ).data


class BookingPageOut(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = BookingOut(many=True)


booking_data = SharedOutput(BookingOut)


# --- input ---------------------------------------------------------------------------------------


class BookInput(serializers.Serializer):
    schedule_id = serializers.IntegerField(min_value=1, max_value=2**53)
    start = serializers.DateTimeField(
        help_text="The occurrence's start in UTC, e.g. 2026-12-07T06:00:00Z."
    )


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class NoShowInput(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class ReviewInput(NoShowInput):
    decision = serializers.ChoiceField(choices=[("uphold", "uphold"), ("dismiss", "dismiss")])


def _visible(request, pk: int) -> Booking:
    booking = queries.booking_for_user(request.user, pk)
    if booking is None:
        raise NotFound(_("There is no booking with this id."))
    return booking


# --- views ---------------------------------------------------------------------------------------


class BookingListQuery(QuerySerializer):
    error_class = InvalidInput
    vars()["as"] = serializers.ChoiceField(  # a Python keyword, so not an attribute name
        choices=["trainee", "trainer"],
        required=False,
        help_text="Whose bookings: the caller's as a trainee (default) or as a trainer.",
    )
    status = serializers.ChoiceField(choices=BookingStatus.choices, required=False)
    page = WholeNumberField(
        min_value=1, max_value=2**31 - 1, required=False, help_text="1-based; 50 a page."
    )


class BookingListView(APIView):
    @extend_schema(
        operation_id="bookings_list",
        parameters=[BookingListQuery],
        responses={200: BookingPageOut, **_errors(400, 401, 403, 404)},
        description="404 for a page past the last; 403 with as=trainer for a non-trainer.",
    )
    def get(self, request):
        query = parse_query(BookingListQuery, request.query_params)
        role = query.get("as", "trainee")
        wanted = query.get("status")
        if role == "trainer":
            rows = queries.bookings_of_trainer(own_profile(request), status=wanted)
        else:
            rows = queries.bookings_of_trainee(request.user, status=wanted)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows.order_by("-start", "-pk"), request, view=self)
        return paginator.get_paginated_response(BookingOut(page, many=True).data)

    @extend_schema(
        operation_id="bookings_create",
        request=BookInput,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                {"type": "string", "pattern": idempotency.KEY_PATTERN, "maxLength": 255},
                OpenApiParameter.HEADER,
                description="Retry-safe: the same key and body give the first answer again "
                "(1 to 255 visible ASCII characters).",
            )
        ],
        responses={201: BookingOut, **_errors(400, 401, 403, 409, 415, 422)},
    )
    def post(self, request):
        def book() -> tuple[int, dict]:
            data = BookInput(data=request.data)
            data.is_valid(raise_exception=True)
            booking = booking_services.book_slot(
                trainee=request.user,
                schedule_id=data.validated_data["schedule_id"],
                start=data.validated_data["start"].astimezone(UTC),
            )
            return status.HTTP_201_CREATED, booking_data(booking)

        key = request.headers.get("Idempotency-Key")
        if key is None:
            code, body = _validating(book)()
            return Response(body, status=code)
        fingerprint = idempotency.fingerprint(
            method=request.method, path=request.path, body=request.data
        )
        code, body, replayed = idempotency.run_once(
            user=request.user, key=key, fingerprint=fingerprint, action=_validating(book)
        )
        response = Response(body, status=code)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def _validating(action):
    """Input errors are answers too: stored and replayed like any other refusal."""

    def run():
        try:
            return action()
        except serializers.ValidationError as exc:
            raise InvalidInput(fields=exc.detail) from exc

    return run


class BookingDetailView(APIView):
    @extend_schema(responses={200: BookingOut, **_errors(401, 404)})
    def get(self, request, pk: int):
        return Response(booking_data(_visible(request, pk)))


def _party(request, booking: Booking) -> str:
    """Who the caller is for this booking: trainee, trainer or (neither) staff."""
    if booking.trainee_id == request.user.pk:
        return CancelledBy.TRAINEE
    if booking.trainer.user_id == request.user.pk:
        return CancelledBy.TRAINER
    return CancelledBy.STAFF


class RefundQuoteView(APIView):
    @extend_schema(responses={200: RefundOut, **_errors(401, 404)})
    def get(self, request, pk: int):
        booking = _visible(request, pk)
        quote = booking_services.refund_quote(booking=booking, by=_party(request, booking))
        return Response(RefundOut(quote.__dict__).data)


class BookingCancelView(APIView):
    @extend_schema(
        request=CancelInput,
        responses={200: BookingOut, **_errors(400, 401, 403, 404, 409, 415)},
        description="Cancel: a trainee by the cancellation policy, a trainer or staff with a "
        "full refund. The answer's `refund` is the decision (0 for an unpaid booking).",
    )
    def post(self, request, pk: int):
        booking = _visible(request, pk)
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        booking = booking_services.booking_cancel(
            booking_id=booking.pk,
            by=_party(request, booking),
            actor=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(booking_data(_visible(request, booking.pk)))


class NoShowTraineeView(APIView):
    @extend_schema(
        request=NoShowInput,
        responses={200: BookingOut, **_errors(400, 401, 403, 404, 409, 415)},
        description="The trainer (or staff) marks that the trainee did not come: no refund.",
    )
    def post(self, request, pk: int):
        booking = _visible(request, pk)
        if _party(request, booking) == CancelledBy.TRAINEE:
            raise NotBookingParty()
        data = NoShowInput(data=request.data)
        data.is_valid(raise_exception=True)
        booking_services.booking_mark_no_show_trainee(
            booking_id=booking.pk, actor=request.user, note=data.validated_data["note"]
        )
        return Response(booking_data(_visible(request, booking.pk)))


class NoShowTrainerView(APIView):
    @extend_schema(
        request=NoShowInput,
        responses={200: BookingOut, **_errors(400, 401, 403, 404, 409, 415)},
        description="The trainee reports that the trainer did not come; staff review it.",
    )
    def post(self, request, pk: int):
        booking = _visible(request, pk)
        if _party(request, booking) != CancelledBy.TRAINEE:
            raise NotBookingParty()
        data = NoShowInput(data=request.data)
        data.is_valid(raise_exception=True)
        booking_services.booking_report_no_show_trainer(
            booking_id=booking.pk, actor=request.user, note=data.validated_data["note"]
        )
        return Response(booking_data(_visible(request, booking.pk)))


class NoShowReviewView(APIView):
    @extend_schema(
        request=ReviewInput,
        responses={200: BookingOut, **_errors(400, 401, 403, 404, 409, 415)},
        description="Staff uphold (full refund) or dismiss (completed) a trainee's report.",
    )
    def post(self, request, pk: int):
        booking = _visible(request, pk)
        if not request.user.is_staff:
            raise PermissionDenied()
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        booking_services.booking_review_no_show(
            booking_id=booking.pk,
            actor=request.user,
            uphold=data.validated_data["decision"] == "uphold",
            note=data.validated_data["note"],
        )
        return Response(booking_data(_visible(request, booking.pk)))

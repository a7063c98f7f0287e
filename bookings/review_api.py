"""API of reviews.

- POST /api/bookings/<id>/review {"rating": 1-5, "text"?} -> 201 review (the booking's trainee)
- GET  /api/trainers/<id>/reviews?page= -> a published trainer's visible reviews, newest
  first, 10 a page (public)
- POST /api/reviews/<id>/reply {"text"} -> review (the reviewed trainer, once)
- POST /api/reviews/<id>/report {"reason"?} -> 201 (anyone logged in, once)

A booking the caller is not a party to answers 404 (ids reveal nothing); its trainer or
staff trying to review it get 403 NOT_ALLOWED.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.models import TrainerProfile
from traino.exceptions import InvalidInput, NotFound

from . import queries, review_services
from .api_bookings import error_responses
from .models import REVIEW_TEXT_MAX, Review
from .review_queries import trainer_reviews

PAGE_SIZE = 10


class ReviewReplyOut(serializers.Serializer):
    text = serializers.CharField()
    replied_at = serializers.DateTimeField()


class ReviewOut(serializers.Serializer):
    id = serializers.IntegerField()
    trainer_id = serializers.IntegerField()
    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField()
    author = serializers.SerializerMethodField(
        help_text="First name and last initial, e.g. Maja S.; empty when unknown."
    )
    created_at = serializers.DateTimeField()
    reply = serializers.SerializerMethodField()

    def get_author(self, review: Review) -> str:
        return review.author_name

    @extend_schema_field(ReviewReplyOut(allow_null=True))
    def get_reply(self, review: Review):
        if review.replied_at is None:
            return None
        return ReviewReplyOut({"text": review.reply, "replied_at": review.replied_at}).data


class ReviewPageOut(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReviewOut(many=True)


class SessionReviewInput(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(
        max_length=REVIEW_TEXT_MAX, required=False, default="", allow_blank=True
    )


class ReviewReplyInput(serializers.Serializer):
    text = serializers.CharField(max_length=REVIEW_TEXT_MAX)


class ReviewReportInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=review_services.REPORT_REASON_MAX,
        required=False,
        default="",
        allow_blank=True,
    )


class ReviewReportOut(serializers.Serializer):
    id = serializers.IntegerField()
    review_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()


def _valid(serializer_class, request):
    data = serializer_class(data=request.data)
    if not data.is_valid():
        raise InvalidInput(fields=data.errors)
    return data.validated_data


class BookingReviewView(APIView):
    @extend_schema(
        operation_id="bookings_review_create",
        request=SessionReviewInput,
        responses={201: ReviewOut, **error_responses(400, 401, 403, 404, 409, 415)},
        description="The trainee reviews a completed session, once, within 30 days of its "
        "end. 403 NOT_ALLOWED: not the booking's trainee; 409 ALREADY_REVIEWED, "
        "SESSION_NOT_COMPLETED, REVIEW_WINDOW_CLOSED.",
    )
    def post(self, request, pk: int):
        booking = queries.booking_for_user(request.user, pk)
        if booking is None:
            raise NotFound(_("There is no booking with this id."))
        data = _valid(SessionReviewInput, request)
        review = review_services.review_create(
            booking_id=booking.pk, trainee=request.user, rating=data["rating"], text=data["text"]
        )
        return Response(ReviewOut(review).data, status=status.HTTP_201_CREATED)


class TrainerReviewsView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="trainers_reviews_list",
        auth=[],
        parameters=[OpenApiParameter("page", int, description="1-based; 10 reviews a page.")],
        responses={200: ReviewPageOut, **error_responses(404)},
    )
    def get(self, request, pk: int):
        if not TrainerProfile.objects.filter(pk=pk, is_published=True).exists():
            raise NotFound(_("There is no published trainer with this id."))
        paginator = PageNumberPagination()
        paginator.page_size = PAGE_SIZE
        page = paginator.paginate_queryset(trainer_reviews(pk), request, view=self)
        return paginator.get_paginated_response(ReviewOut(page, many=True).data)


class ReviewReplyView(APIView):
    @extend_schema(
        operation_id="reviews_reply",
        request=ReviewReplyInput,
        responses={200: ReviewOut, **error_responses(400, 401, 403, 404, 409, 415)},
        description="The reviewed trainer answers, publicly, once (409 ALREADY_REPLIED).",
    )
    def post(self, request, pk: int):
        data = _valid(ReviewReplyInput, request)
        review = review_services.review_reply(review_id=pk, by=request.user, text=data["text"])
        return Response(ReviewOut(review).data)


class ReviewReportView(APIView):
    @extend_schema(
        operation_id="reviews_report",
        request=ReviewReportInput,
        responses={201: ReviewReportOut, **error_responses(400, 401, 403, 404, 409, 415)},
        description="Report a review to staff, once per person (409 ALREADY_REPORTED).",
    )
    def post(self, request, pk: int):
        data = _valid(ReviewReportInput, request)
        report = review_services.review_report(review_id=pk, by=request.user, reason=data["reason"])
        return Response(ReviewReportOut(report).data, status=status.HTTP_201_CREATED)

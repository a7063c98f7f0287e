"""Reviews: written by the trainee of a completed session, answered once by the trainer,
reported by anyone logged in, hidden and restored by staff.

The trainer's average and count (``TrainerProfile.rating_avg`` / ``rating_count``) are
recomputed from the visible reviews by every write that changes them, while the trainer's
row is locked (``select_for_update``): two reviews of one trainer committing at the same
moment are serialized on that lock, and the second recomputes with the first one counted.
Lock order: the trainer's row, then the review's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace import services as marketplace_services
from marketplace.models import TrainerProfile, User
from traino.exceptions import InvalidInput, NotAllowed, NotFound

from .models import REVIEW_TEXT_MAX, Booking, BookingStatus, Review, ReviewReport
from .review_errors import (
    AlreadyReplied,
    AlreadyReported,
    AlreadyReviewed,
    NotCompleted,
    NotReviewedTrainer,
    NotReviewer,
    ReviewWindowClosed,
)

REPORT_REASON_MAX = 500


def _clean_text(text: str | None, *, field: str, required: bool, limit: int) -> str:
    text = (text or "").strip()
    if required and not text:
        raise InvalidInput.on_field(field, _("Write something first."))
    if len(text) > limit:
        raise InvalidInput.on_field(
            field, _("At most %(max)d characters, please.") % {"max": limit}
        )
    if "\x00" in text:
        raise InvalidInput.on_field(field, _("The text must not contain null characters."))
    return text


def _check_rating(rating) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput.on_field("rating", _("Give from 1 to 5 stars."))
    return rating


def _lock_trainer(trainer_id: int) -> None:
    TrainerProfile.objects.select_for_update().filter(pk=trainer_id).first()


def _refresh_rating(trainer_id: int) -> None:
    """Average (two decimals, half up) and count of the trainer's visible reviews; the
    caller holds the trainer's row lock."""
    totals = Review.objects.filter(trainer_id=trainer_id, is_hidden=False).aggregate(
        count=Count("id"), total=Sum("rating")
    )
    count = totals["count"] or 0
    average = None
    if count:
        average = (Decimal(totals["total"]) / count).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    marketplace_services.trainer_set_rating(trainer_id=trainer_id, average=average, count=count)


def review_window_ends(booking: Booking) -> datetime:
    return booking.end + timedelta(days=settings.REVIEW_WINDOW_DAYS)


def review_refusal(booking: Booking, user: User, *, now: datetime | None = None):
    """Why ``user`` cannot review ``booking`` now (a DomainError to raise), or None."""
    now = now or timezone.now()
    if booking.trainee_id != user.pk:
        return NotReviewer()
    if booking.status != BookingStatus.COMPLETED:
        return NotCompleted()
    if Review.objects.filter(booking_id=booking.pk).exists():
        return AlreadyReviewed()
    if now > review_window_ends(booking):
        return ReviewWindowClosed(
            ReviewWindowClosed.message % {"days": settings.REVIEW_WINDOW_DAYS}
        )
    return None


@transaction.atomic
def review_create(
    *,
    booking_id: int,
    trainee: User,
    rating: int,
    text: str = "",
    now: datetime | None = None,
    notify: bool = True,
) -> Review:
    """The trainee's review of their completed session, within REVIEW_WINDOW_DAYS of its
    end, once. The trainer is emailed after commit (``notify``; demo data does not)."""
    now = now or timezone.now()
    rating = _check_rating(rating)
    text = _clean_text(text, field="text", required=False, limit=REVIEW_TEXT_MAX)
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None:
        raise NotFound(_("There is no booking with this id."))
    _lock_trainer(booking.trainer_id)
    refusal = review_refusal(booking, trainee, now=now)
    if refusal is not None:
        raise refusal
    try:
        with transaction.atomic():
            review = Review.objects.create(
                booking=booking,
                trainer_id=booking.trainer_id,
                trainee=trainee,
                rating=rating,
                text=text,
                created_at=now,
            )
    except IntegrityError as exc:  # the same booking reviewed a moment ago elsewhere
        raise AlreadyReviewed() from exc
    _refresh_rating(booking.trainer_id)

    from . import tasks  # tasks import the services: imported on use

    if notify:
        transaction.on_commit(lambda: tasks.email_trainer_new_review.delay(review.pk))
    return review


def _locked_review(review_id: int) -> Review:
    review = Review.objects.filter(pk=review_id).only("id", "trainer_id").first()
    if review is None:
        raise NotFound(_("There is no review with this id."))
    _lock_trainer(review.trainer_id)
    return Review.objects.select_for_update().select_related("trainer").get(pk=review_id)


@transaction.atomic
def review_reply(*, review_id: int, by: User, text: str, now: datetime | None = None) -> Review:
    """The reviewed trainer's public answer, once."""
    text = _clean_text(text, field="text", required=True, limit=REVIEW_TEXT_MAX)
    review = _locked_review(review_id)
    if review.trainer.user_id != by.pk:
        raise NotReviewedTrainer()
    if review.replied_at is not None:
        raise AlreadyReplied()
    review.reply = text
    review.replied_at = now or timezone.now()
    review.save(update_fields=["reply", "replied_at"])
    return review


@transaction.atomic
def review_report(*, review_id: int, by: User, reason: str = "") -> ReviewReport:
    """Anyone logged in may report a review once; staff see the reports in the admin."""
    reason = _clean_text(reason, field="reason", required=False, limit=REPORT_REASON_MAX)
    review = Review.objects.filter(pk=review_id, is_hidden=False).first()
    if review is None:
        raise NotFound(_("There is no review with this id."))
    try:
        with transaction.atomic():
            return ReviewReport.objects.create(review=review, reporter=by, reason=reason)
    except IntegrityError as exc:
        raise AlreadyReported() from exc


def _require_staff(by: User) -> None:
    if not (by.is_active and by.is_staff):
        raise NotAllowed(_("Only staff hide or restore reviews."))


@transaction.atomic
def review_hide(*, review_id: int, by: User) -> Review:
    """Staff take a review off the public page; it leaves the average. Idempotent."""
    _require_staff(by)
    review = _locked_review(review_id)
    if not review.is_hidden:
        review.is_hidden, review.hidden_by, review.hidden_at = True, by, timezone.now()
        review.save(update_fields=["is_hidden", "hidden_by", "hidden_at"])
        _refresh_rating(review.trainer_id)
    return review


@transaction.atomic
def review_restore(*, review_id: int, by: User) -> Review:
    """Staff put a hidden review back; it counts in the average again. Idempotent."""
    _require_staff(by)
    review = _locked_review(review_id)
    if review.is_hidden:
        review.is_hidden, review.hidden_by, review.hidden_at = False, None, None
        review.save(update_fields=["is_hidden", "hidden_by", "hidden_at"])
        _refresh_rating(review.trainer_id)
    return review


def review_notify_trainer(*, review_id: int) -> bool:
    """Email the trainer about a new review (the Celery task's work); False when there is
    nobody to tell (review gone, trainer without an email)."""
    from .review_emails import send_new_review_email

    review = Review.objects.select_related("trainer__user", "trainee", "booking").filter(
        pk=review_id
    )
    review = review.first()
    if review is None or not review.trainer.user.email:
        return False
    send_new_review_email(review)
    return True

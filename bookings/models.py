import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Imported under this name because migration 0001 refers to bookings.models.validate_time_zone.
from marketplace.validators import validate_time_zone


def _empty_list() -> list:
    return []


class ScheduleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Schedule(models.Model):
    """A recurring session a trainer offers (the seed's pass_set).

    The first start is a local date and wall time in ``time_zone``; ``rrule`` repeats it
    (RFC 5545 without DTSTART, see bookings/recurrence.py for what is accepted and for the
    daylight-saving rule). ``exdates`` holds the local starts of cancelled occurrences.
    """

    trainer = models.ForeignKey(
        "marketplace.TrainerProfile",
        on_delete=models.CASCADE,
        related_name="schedules",
        verbose_name=_("trainer"),
    )
    # RESTRICT, not PROTECT: deleting a trainer (user -> profile -> offerings and schedules)
    # goes through, deleting an offering that schedules still use alone does not.
    offering = models.ForeignKey(
        "marketplace.Offering",
        on_delete=models.RESTRICT,
        related_name="schedules",
        verbose_name=_("offering"),
    )
    starts_on = models.DateField(_("first date"))
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
        help_text=_("Empty: the offering's duration."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    rrule = models.TextField(
        _("recurrence rule"),
        help_text=_('RFC 5545 RRULE without DTSTART, e.g. "FREQ=WEEKLY;BYDAY=MO,WE".'),
    )
    exdates = models.JSONField(
        _("cancelled occurrences"),
        default=_empty_list,
        blank=True,
        help_text=_('Local start times, e.g. ["2026-12-07T07:00:00"].'),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "start_time", "id"]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        indexes = [
            models.Index(fields=["trainer", "is_active"], name="schedule_trainer_active_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__isnull=True)
                | models.Q(duration_minutes__gte=15, duration_minutes__lte=480),
                name="schedule_duration_15_to_480",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offering} ({self.rrule})"

    @property
    def duration(self) -> timedelta:
        minutes = self.duration_minutes or self.offering.duration_minutes
        return timedelta(minutes=minutes)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret address of a trainer's .ics feed; regenerating it cuts off old subscribers."""

    trainer = models.OneToOneField(
        "marketplace.TrainerProfile",
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("trainer"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.trainer} feed"


# --- bookings -----------------------------------------------------------------------------


class BookingStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    CONFIRMED = "confirmed", _("Confirmed")
    COMPLETED = "completed", _("Completed")
    NO_SHOW_TRAINEE = "no_show_trainee", _("Trainee did not come")
    NO_SHOW_TRAINER = "no_show_trainer", _("Trainer did not come")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# A booking in one of these holds its seat and the trainer's and trainee's time (a pending
# one only until hold_expires_at; see services.book_slot and queries.seats_taken).
ACTIVE_STATUSES = (BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED)


class CancelledBy(models.TextChoices):
    TRAINEE = "trainee", _("Trainee")
    TRAINER = "trainer", _("Trainer")
    STAFF = "staff", _("Staff")


class NoShowReview(models.TextChoices):
    """A trainee's report that the trainer did not come, as staff decide it."""

    PENDING = "pending", _("Waiting for staff")
    UPHELD = "upheld", _("Confirmed by staff")
    DISMISSED = "dismissed", _("Dismissed by staff")


class RefundReason(models.TextChoices):
    POLICY = "policy", _("Cancelled by the trainee (cancellation policy)")
    TRAINER_CANCELLED = "trainer_cancelled", _("Cancelled by the trainer")
    STAFF_CANCELLED = "staff_cancelled", _("Cancelled by staff")
    NOT_PAID = "not_paid", _("Cancelled before payment: no money moved")
    TRAINER_NO_SHOW = "trainer_no_show", _("The trainer did not come")


# Names of the PostgreSQL-only exclusion constraints (migration 0004); services map a
# violation of each to its error by name.
TRAINER_OVERLAP_CONSTRAINT = "booking_trainer_time_not_sold_twice"
TRAINEE_OVERLAP_CONSTRAINT = "booking_trainee_no_overlap"
SLOT_SEATS_CONSTRAINT = "slot_seats_within_capacity"
SLOT_UNIQUE_CONSTRAINT = "slot_schedule_start_unique"


class Slot(models.Model):
    """One occurrence of a schedule that has been booked at least once: the row that is
    locked while a seat is sold, and whose counter the database keeps within capacity.

    Created on the first booking (book_slot); ``capacity`` is the offering's capacity then,
    raised (never below the seats sold) when the offering's capacity changes.
    """

    # No index of its own: the unique (schedule, start) serves lookups by schedule.
    schedule = models.ForeignKey(
        Schedule,
        on_delete=models.PROTECT,
        related_name="slots",
        verbose_name=_("schedule"),
        db_index=False,
    )
    trainer = models.ForeignKey(
        "marketplace.TrainerProfile",
        on_delete=models.PROTECT,
        related_name="slots",
        verbose_name=_("trainer"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    seats_taken = models.PositiveSmallIntegerField(_("seats taken"), default=0)

    class Meta:
        verbose_name = _("booked session")
        verbose_name_plural = _("booked sessions")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "start"], name=SLOT_UNIQUE_CONSTRAINT),
            models.CheckConstraint(
                condition=models.Q(seats_taken__gte=0, seats_taken__lte=models.F("capacity")),
                name=SLOT_SEATS_CONSTRAINT,
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="slot_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} @ {self.start:%Y-%m-%d %H:%M}Z"


class Booking(models.Model):
    """A trainee's seat in one occurrence (the seed's pass_booked).

    The offering's price is copied at booking time: a later price change never touches it.
    Status changes only through services.booking_transition, which records a BookingEvent.
    Nothing here is removed by a cascade (PROTECT everywhere): a user with bookings is
    anonymised instead of deleted.
    """

    # trainee, trainer, schedule: no index of their own, the (x, start) indexes below serve
    # lookups by each (every index costs each booking's insert).
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("trainee"),
        db_index=False,
    )
    trainer = models.ForeignKey(
        "marketplace.TrainerProfile",
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("trainer"),
        db_index=False,
    )
    offering = models.ForeignKey(
        "marketplace.Offering",
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("offering"),
    )
    schedule = models.ForeignKey(
        Schedule,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("schedule"),
        db_index=False,
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("session")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    price_amount = models.PositiveIntegerField(
        _("price"), help_text=_("In the currency's minor unit (öre), as it was when booked.")
    )
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=BookingStatus,
        default=BookingStatus.PENDING_PAYMENT,
    )
    hold_expires_at = models.DateTimeField(_("hold expires"), null=True, blank=True)
    payment_intent_id = models.CharField(
        _("payment intent"), max_length=255, blank=True, default=""
    )  # unique when set: the constraint below
    cancelled_by = models.CharField(
        _("cancelled by"), max_length=10, choices=CancelledBy, blank=True, default=""
    )
    cancel_reason = models.TextField(_("cancellation reason"), blank=True, default="")
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    refund_amount = models.PositiveIntegerField(
        _("refund"), null=True, blank=True, help_text=_("In the currency's minor unit (öre).")
    )
    refund_percent = models.PositiveSmallIntegerField(_("refund percent"), null=True, blank=True)
    refund_reason = models.CharField(
        _("refund reason"), max_length=20, choices=RefundReason, blank=True, default=""
    )
    no_show_review = models.CharField(
        _("no-show review"), max_length=10, choices=NoShowReview, blank=True, default=""
    )
    # The trainee's emails about this booking are written in this language: the one the
    # site spoke when they booked (empty: settings.LANGUAGE_CODE). Users have no stored
    # language preference; bookings/emails.py explains the trainer's side.
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    reminder_sent_at = models.DateTimeField(
        _("reminder sent"),
        null=True,
        blank=True,
        help_text=_("Set when the reminder 24 hours before is claimed, so it goes out once."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [
            models.Index(fields=["schedule", "start"], name="booking_schedule_start_idx"),
            models.Index(fields=["trainee", "start"], name="booking_trainee_start_idx"),
            models.Index(fields=["trainer", "start"], name="booking_trainer_start_idx"),
            models.Index(
                fields=["hold_expires_at"],
                name="booking_pending_hold_idx",
                condition=models.Q(status="pending_payment"),
            ),
            models.Index(
                fields=["end"],
                name="booking_confirmed_end_idx",
                condition=models.Q(status="confirmed"),
            ),
            models.Index(
                fields=["start"],
                name="booking_reminder_due_idx",
                condition=models.Q(status="confirmed", reminder_sent_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["payment_intent_id"],
                condition=~models.Q(payment_intent_id=""),
                name="booking_payment_intent_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="booking_end_after_start"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="pending_payment")
                | models.Q(hold_expires_at__isnull=False),
                name="booking_pending_has_hold",
            ),
            models.CheckConstraint(
                condition=models.Q(refund_amount__isnull=True)
                | models.Q(refund_amount__lte=models.F("price_amount")),
                name="booking_refund_within_price",
            ),
            models.CheckConstraint(
                condition=models.Q(refund_percent__isnull=True) | models.Q(refund_percent__lte=100),
                name="booking_refund_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.start:%Y-%m-%d %H:%M}Z ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class BookingEvent(models.Model):
    """One line of a booking's audit trail: a change of status, or a decision about it."""

    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, related_name="events", verbose_name=_("booking")
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=BookingStatus, blank=True, default=""
    )
    to_status = models.CharField(_("to"), max_length=20, choices=BookingStatus)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty: the system (hold expiry, completion)."),
    )
    note = models.TextField(_("note"), blank=True, default="")
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class IdempotencyKey(models.Model):
    """The answer given to a POST that carried an Idempotency-Key, replayed on a retry.

    Unique per (user, key); ``fingerprint`` is a hash of method, path and canonical body, so
    the same key with another request is refused. Kept at least 24 hours (tasks delete older).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"))
    response_body = models.JSONField(_("response body"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique"),
        ]

    def __str__(self) -> str:
        return self.key

import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
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

"""The trainer's schedule form: weekdays, a start time and how it repeats, in words a person
uses. It builds the RFC 5545 RRULE with bookings.recurrence.build_rrule; the services check
the rule against the trainer's other schedules.
"""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.models import Offering, TrainerProfile

from .errors import InvalidRRule
from .models import Schedule
from .recurrence import MAX_COUNT, Rule, build_rrule, in_date_range, is_occurrence, parse_rrule
from .services import local_date_label, local_label

WEEKDAYS = [
    ("MO", _("Mon")),
    ("TU", _("Tue")),
    ("WE", _("Wed")),
    ("TH", _("Thu")),
    ("FR", _("Fri")),
    ("SA", _("Sat")),
    ("SU", _("Sun")),
]
WEEKDAY_CODES = [code for code, _label in WEEKDAYS]

WEEKLY, EVERY_N_WEEKS, MONTHLY = "weekly", "every_n_weeks", "monthly"
REPEAT_CHOICES = [
    (WEEKLY, _("Every week")),
    (EVERY_N_WEEKS, _("Every few weeks")),
    (MONTHLY, _("Every month, on the same day of the month")),
]
UNTIL, COUNT, NO_END = "until", "count", "never"
END_CHOICES = [
    (UNTIL, _("On a date")),
    (COUNT, _("After a number of sessions")),
    (NO_END, _("No end")),
]


class OfferingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Offering) -> str:
        return _("%(title)s (%(minutes)s min)") % {
            "title": obj.title,
            "minutes": obj.duration_minutes,
        }


class ScheduleForm(forms.Form):
    """One schedule of one trainer: ``service_fields()`` is what the schedule services take."""

    offering = OfferingChoiceField(label=_("Session"), queryset=Offering.objects.none())
    starts_on = forms.DateField(
        label=_("First date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start_time = forms.TimeField(
        label=_("Start time"),
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Length"),
        required=False,
        min_value=15,
        max_value=480,
        help_text=_("Leave empty to use the session's own length."),
    )
    repeat = forms.ChoiceField(
        label=_("Repeat"), choices=REPEAT_CHOICES, initial=WEEKLY, widget=forms.RadioSelect
    )
    interval = forms.IntegerField(
        label=_("Every … weeks"), required=False, min_value=2, max_value=12, initial=2
    )
    weekdays = forms.MultipleChoiceField(
        label=_("On these days"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    end = forms.ChoiceField(
        label=_("Ends"), choices=END_CHOICES, initial=UNTIL, widget=forms.RadioSelect
    )
    until_date = forms.DateField(
        label=_("Last date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    count = forms.IntegerField(
        label=_("Number of sessions"), required=False, min_value=1, max_value=MAX_COUNT
    )
    # Edit only: the cancelled sessions (ticked ones stay cancelled) and one more to cancel.
    exdates = forms.MultipleChoiceField(
        label=_("Cancelled sessions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick a session to restore it: trainees can book it again."),
    )
    cancel_date = forms.DateField(
        label=_("Cancel the session on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("One date off, e.g. a holiday; the rest of the schedule stays."),
    )

    def __init__(self, *args, trainer: TrainerProfile, schedule: Schedule | None = None, **kwargs):
        if schedule is not None and not kwargs.get("data") and not args:
            kwargs.setdefault("initial", initial_from_schedule(schedule))
        kwargs.setdefault("label_suffix", "")  # labels without a colon, as on every other form
        super().__init__(*args, **kwargs)
        offerings = trainer.offerings.filter(is_active=True)
        if schedule is not None:
            # A schedule keeps its offering even after the offering stopped being bookable.
            offerings = trainer.offerings.filter(is_active=True) | trainer.offerings.filter(
                pk=schedule.offering_id
            )
        self.fields["offering"].queryset = offerings.order_by("title", "id")
        self.schedule = schedule
        if schedule is None:
            del self.fields["exdates"]
            del self.fields["cancel_date"]
        else:
            self.fields["exdates"].choices = [
                (value, local_label(datetime.fromisoformat(value)))
                for value in sorted(schedule.exdates or ())
            ]
        if schedule is None and not self.is_bound:
            only = list(offerings[:2])
            if len(only) == 1:
                self.initial.setdefault("offering", only[0].pk)

    def clean(self):
        data = super().clean()
        repeat, end = data.get("repeat"), data.get("end")
        starts_on: date | None = data.get("starts_on")
        if repeat == EVERY_N_WEEKS and not data.get("interval"):
            self.add_error("interval", _("Say how many weeks apart, from 2 to 12."))
        if repeat in (WEEKLY, EVERY_N_WEEKS) and not data.get("weekdays") and starts_on:
            data["weekdays"] = [WEEKDAY_CODES[starts_on.weekday()]]
        if end == UNTIL:
            until = data.get("until_date")
            if until is None:
                self.add_error("until_date", _("Pick the last date, or choose another end."))
            elif starts_on and until < starts_on:
                self.add_error("until_date", _("The last date cannot be before the first date."))
        if end == COUNT and not data.get("count") and "count" not in self.errors:
            self.add_error("count", _("Say after how many sessions it ends."))
        if data.get("cancel_date") and not self.errors:
            self._check_cancel_date(data)
        return data

    def _check_cancel_date(self, data) -> None:
        """The date to cancel must be one of the sessions the answers describe."""
        day = data["cancel_date"]
        start = datetime.combine(day, data["start_time"].replace(tzinfo=None, second=0))
        candidate = Schedule(
            starts_on=data["starts_on"],
            start_time=data["start_time"],
            rrule=self.rrule,
            time_zone=self.schedule.time_zone,
        )
        try:
            found = in_date_range(day) and is_occurrence(candidate, start)
        except InvalidRRule:
            found = False
        if not found:
            self.add_error(
                "cancel_date",
                _("There is no session on %(date)s to cancel.") % {"date": local_date_label(day)},
            )
        else:
            data["cancel_start"] = start.isoformat(timespec="seconds")

    @property
    def rrule(self) -> str:
        """The RRULE the answers describe (valid form only)."""
        data = self.cleaned_data
        repeat, end = data["repeat"], data["end"]
        monthly = repeat == MONTHLY
        return build_rrule(
            freq="MONTHLY" if monthly else "WEEKLY",
            interval=data["interval"] if repeat == EVERY_N_WEEKS else 1,
            weekdays=None if monthly else sorted(data["weekdays"], key=WEEKDAY_CODES.index),
            monthday=data["starts_on"].day if monthly else None,
            until_date=data["until_date"] if end == UNTIL else None,
            count=data["count"] if end == COUNT else None,
        )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "offering": data["offering"],
            "starts_on": data["starts_on"],
            "start_time": data["start_time"],
            "duration_minutes": data["duration_minutes"],
            "rrule": self.rrule,
            **self._exdate_fields(),
        }

    def _exdate_fields(self) -> dict:
        if "exdates" not in self.fields:
            return {}
        if self.data.get("exdates_shown") == "1":
            kept = list(self.cleaned_data.get("exdates") or [])
        else:  # a post from elsewhere that did not show them: they stay as they are
            kept = list(self.schedule.exdates or [])
        if self.cleaned_data.get("cancel_start"):
            kept.append(self.cleaned_data["cancel_start"])
        return {"exdates": sorted(set(kept))}


def _parsed(rule: str) -> Rule | None:
    """The stored rule, parsed by the one parser; None for one it refuses (none are stored:
    every write goes through it)."""
    try:
        return parse_rrule(rule)
    except InvalidRRule:
        return None


def initial_from_schedule(schedule: Schedule) -> dict:
    """The form's answers for an existing schedule, read back from its RRULE."""
    rule = _parsed(schedule.rrule) or Rule(freq="WEEKLY")
    interval = rule.interval
    if rule.freq == "MONTHLY":
        repeat = MONTHLY
    elif interval > 1:
        repeat = EVERY_N_WEEKS
    else:
        repeat = WEEKLY
    days = rule.weekdays
    initial = {
        "offering": schedule.offering_id,
        "starts_on": schedule.starts_on,
        "start_time": schedule.start_time,
        "duration_minutes": schedule.duration_minutes,
        "repeat": repeat,
        "interval": interval if interval > 1 else 2,
        "weekdays": [code for code in WEEKDAY_CODES if code in days],
        "end": NO_END,
        "exdates": list(schedule.exdates or ()),
    }
    if rule.until_date is not None:
        initial.update(end=UNTIL, until_date=rule.until_date)
    elif rule.count is not None:
        initial.update(end=COUNT, count=rule.count)
    return initial


def describe_rrule(rule_text: str, starts_on: date) -> str:
    """ "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10" -> "Every week on Mon, Wed · 10 sessions"."""
    rule = _parsed(rule_text)
    if rule is None:
        return rule_text
    interval = rule.interval
    labels = dict(WEEKDAYS)
    days = ", ".join(str(labels[code]) for code in WEEKDAY_CODES if code in rule.weekdays)
    if rule.freq == "MONTHLY":
        day = ",".join(str(d) for d in rule.bymonthday) or starts_on.day
        text = _("Every month on day %(day)s") % {"day": day}
    elif rule.freq == "DAILY":
        text = _("Every day") if interval == 1 else _("Every %(n)s days") % {"n": interval}
    elif interval > 1:
        text = _("Every %(n)s weeks on %(days)s") % {"n": interval, "days": days}
    else:
        text = _("Every week on %(days)s") % {"days": days}
    if rule.until_date is not None:
        until = local_date_label(rule.until_date)
        return _("%(rule)s · until %(date)s") % {"rule": text, "date": until}
    if rule.count is not None:
        return _("%(rule)s · %(count)s sessions") % {"rule": text, "count": rule.count}
    return _("%(rule)s · no end") % {"rule": text}

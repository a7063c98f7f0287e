"""RRULE parsing and expansion, including the daylight-saving nights (no database needed)."""

from datetime import UTC, date, datetime, time

import pytest

from bookings.errors import InvalidRRule
from bookings.models import Schedule
from bookings.recurrence import build_rrule, expand, extends_past, is_occurrence, parse_rrule
from marketplace.models import Offering


def make_schedule(rrule, *, starts_on, start_time=time(7, 0), zone="Europe/Stockholm", **kw):
    offering = Offering(pk=1, title="Yoga", duration_minutes=60, price_amount=20000, capacity=8)
    return Schedule(
        pk=1,
        offering=offering,
        starts_on=starts_on,
        start_time=start_time,
        time_zone=zone,
        rrule=rrule,
        exdates=kw.pop("exdates", []),
        **kw,
    )


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local_starts(schedule, start, end) -> list[str]:
    return [o.start_local.isoformat() for o in expand(schedule, start, end)]


# --- parsing -----------------------------------------------------------------------------------


def test_parse_normalizes_case_order_and_prefix():
    rule = parse_rrule("rrule:byday=we,mo;freq=weekly;interval=2;until=20270601")

    assert rule.text == "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE,MO;UNTIL=20270601"
    assert rule.weekdays == ("WE", "MO")
    assert rule.until_date == date(2027, 6, 1)
    assert rule.is_endless is False


def test_parse_accepts_utc_until_and_monthly_ordinal_weekday():
    assert parse_rrule("FREQ=WEEKLY;UNTIL=20270601T215959Z").until == utc(2027, 6, 1, 21, 59, 59)
    assert parse_rrule("FREQ=MONTHLY;BYDAY=-1FR").byday == ("-1FR",)
    assert parse_rrule("FREQ=MONTHLY;BYMONTHDAY=15,-1").bymonthday == (15, -1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "A repeat rule is required, e.g. FREQ=WEEKLY;BYDAY=MO."),
        ("garbage", "Each part of the rule must look like NAME=VALUE."),
        ("BYDAY=MO", "FREQ is required: DAILY, WEEKLY or MONTHLY."),
        ("FREQ=HOURLY", "FREQ must be DAILY, WEEKLY or MONTHLY."),
        ("FREQ=YEARLY", "FREQ must be DAILY, WEEKLY or MONTHLY."),
        (
            "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1",
            "BYSETPOS is not supported; use FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT, UNTIL.",
        ),
        (
            "FREQ=WEEKLY;BYHOUR=7",
            "BYHOUR is not supported; use FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT, UNTIL.",
        ),
        ("FREQ=WEEKLY;FREQ=DAILY", "FREQ appears twice."),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "Use COUNT or UNTIL, not both."),
        ("FREQ=WEEKLY;COUNT=0", "COUNT must be a whole number from 1 to 1000."),
        ("FREQ=WEEKLY;INTERVAL=x", "INTERVAL must be a whole number from 1 to 99."),
        (
            "FREQ=WEEKLY;BYDAY=XX",
            "BYDAY takes MO, TU, WE, TH, FR, SA, SU (e.g. BYDAY=MO,WE).",
        ),
        (
            "FREQ=WEEKLY;BYDAY=1MO",
            "A numbered weekday (e.g. 1MO) is only allowed with FREQ=MONTHLY.",
        ),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY must be 1 to 31 or -31 to -1."),
        (
            "FREQ=WEEKLY;UNTIL=2027-01-01",
            "UNTIL must be a date (20270601) or a UTC time (20270601T215959Z).",
        ),
        (
            "DTSTART:20270101T070000\nRRULE:FREQ=WEEKLY",
            "Send one RRULE value, without DTSTART or other lines.",
        ),
    ],
)
def test_parse_refuses_what_is_not_in_the_subset(text, message):
    with pytest.raises(InvalidRRule) as caught:
        parse_rrule(text)

    assert caught.value.code == "INVALID_RRULE"
    assert str(caught.value.message) == message
    assert caught.value.fields == {"rrule": [message]}


def test_build_rrule_writes_what_the_form_chose():
    assert build_rrule("WEEKLY", 2, ["we", "mo"], None, date(2027, 6, 1), None) == (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20270601"
    )
    assert build_rrule("MONTHLY", 1, [], 15, None, 10) == "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=10"
    with pytest.raises(InvalidRRule):
        build_rrule("HOURLY")


# --- expansion ---------------------------------------------------------------------------------


def test_count_limits_the_number_of_occurrences():
    schedule = make_schedule("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=3", starts_on=date(2027, 1, 4))

    assert local_starts(schedule, utc(2027, 1, 1), utc(2027, 3, 1)) == [
        "2027-01-04T07:00:00+01:00",
        "2027-01-06T07:00:00+01:00",
        "2027-01-11T07:00:00+01:00",
    ]


def test_until_date_includes_that_local_day():
    schedule = make_schedule("FREQ=DAILY;UNTIL=20270106", starts_on=date(2027, 1, 4))

    assert local_starts(schedule, utc(2027, 1, 1), utc(2027, 2, 1)) == [
        "2027-01-04T07:00:00+01:00",
        "2027-01-05T07:00:00+01:00",
        "2027-01-06T07:00:00+01:00",
    ]


def test_interval_two_weeks_on_two_weekdays():
    schedule = make_schedule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", starts_on=date(2027, 1, 5))

    assert local_starts(schedule, utc(2027, 1, 1), utc(2027, 1, 31)) == [
        "2027-01-05T07:00:00+01:00",
        "2027-01-07T07:00:00+01:00",
        "2027-01-19T07:00:00+01:00",
        "2027-01-21T07:00:00+01:00",
    ]


def test_monthly_on_a_day_of_month_and_on_the_last_friday():
    by_day = make_schedule("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3", starts_on=date(2027, 1, 1))
    last_friday = make_schedule("FREQ=MONTHLY;BYDAY=-1FR;COUNT=2", starts_on=date(2027, 1, 1))

    # Months without a 31st are skipped (RFC 5545), not moved to the 30th.
    assert local_starts(by_day, utc(2027, 1, 1), utc(2027, 12, 31)) == [
        "2027-01-31T07:00:00+01:00",
        "2027-03-31T07:00:00+02:00",
        "2027-05-31T07:00:00+02:00",
    ]
    assert local_starts(last_friday, utc(2027, 1, 1), utc(2027, 12, 31)) == [
        "2027-01-29T07:00:00+01:00",
        "2027-02-26T07:00:00+01:00",
    ]


def test_exdate_leaves_out_a_cancelled_occurrence():
    schedule = make_schedule(
        "FREQ=WEEKLY;BYDAY=MO", starts_on=date(2027, 1, 4), exdates=["2027-01-11T07:00:00"]
    )

    assert local_starts(schedule, utc(2027, 1, 1), utc(2027, 1, 24)) == [
        "2027-01-04T07:00:00+01:00",
        "2027-01-18T07:00:00+01:00",
    ]
    assert is_occurrence(schedule, datetime(2027, 1, 11, 7, 0)) is True
    assert is_occurrence(schedule, datetime(2027, 1, 11, 8, 0)) is False


def test_window_is_half_open_on_utc_start():
    schedule = make_schedule("FREQ=DAILY", starts_on=date(2027, 1, 4))

    # 07:00 Stockholm = 06:00 UTC; a window ending exactly then leaves that day out.
    starts = local_starts(schedule, utc(2027, 1, 5, 6, 0), utc(2027, 1, 7, 6, 0))

    assert starts == ["2027-01-05T07:00:00+01:00", "2027-01-06T07:00:00+01:00"]


def test_endless_rule_extends_past_any_horizon_and_a_short_one_does_not():
    endless = make_schedule("FREQ=WEEKLY", starts_on=date(2027, 1, 4))
    short = make_schedule("FREQ=WEEKLY;COUNT=2", starts_on=date(2027, 1, 4))

    assert extends_past(endless, utc(2030, 1, 1)) is True
    assert extends_past(short, utc(2027, 2, 1)) is False
    assert extends_past(short, utc(2027, 1, 5)) is True


# --- daylight saving -----------------------------------------------------------------------------


def test_stockholm_spring_forward_keeps_seven_o_clock_local():
    schedule = make_schedule("FREQ=WEEKLY;BYDAY=SU", starts_on=date(2026, 3, 22))

    occurrences = expand(schedule, utc(2026, 3, 21), utc(2026, 4, 1))

    assert [(o.start_local.isoformat(), o.start.isoformat()) for o in occurrences] == [
        ("2026-03-22T07:00:00+01:00", "2026-03-22T06:00:00+00:00"),
        ("2026-03-29T07:00:00+02:00", "2026-03-29T05:00:00+00:00"),
    ]


def test_stockholm_fall_back_keeps_seven_o_clock_local():
    schedule = make_schedule("FREQ=WEEKLY;BYDAY=SU", starts_on=date(2026, 10, 18))

    occurrences = expand(schedule, utc(2026, 10, 17), utc(2026, 10, 26))

    assert [(o.start_local.isoformat(), o.start.isoformat()) for o in occurrences] == [
        ("2026-10-18T07:00:00+02:00", "2026-10-18T05:00:00+00:00"),
        ("2026-10-25T07:00:00+01:00", "2026-10-25T06:00:00+00:00"),
    ]


def test_stockholm_nonexistent_start_moves_forward_by_the_gap():
    schedule = make_schedule(
        "FREQ=DAILY;COUNT=3", starts_on=date(2026, 3, 28), start_time=time(2, 30)
    )

    occurrences = expand(schedule, utc(2026, 3, 27), utc(2026, 4, 1))

    assert [(o.start_local.isoformat(), o.start.isoformat()) for o in occurrences] == [
        ("2026-03-28T02:30:00+01:00", "2026-03-28T01:30:00+00:00"),
        ("2026-03-29T03:30:00+02:00", "2026-03-29T01:30:00+00:00"),
        ("2026-03-30T02:30:00+02:00", "2026-03-30T00:30:00+00:00"),
    ]
    assert occurrences[1].end.isoformat() == "2026-03-29T02:30:00+00:00"


def test_stockholm_repeated_start_is_the_first_of_the_two():
    schedule = make_schedule(
        "FREQ=DAILY;COUNT=2", starts_on=date(2026, 10, 25), start_time=time(2, 30)
    )

    occurrences = expand(schedule, utc(2026, 10, 24), utc(2026, 10, 28))

    assert [(o.start_local.isoformat(), o.start.isoformat()) for o in occurrences] == [
        ("2026-10-25T02:30:00+02:00", "2026-10-25T00:30:00+00:00"),
        ("2026-10-26T02:30:00+01:00", "2026-10-26T01:30:00+00:00"),
    ]
    # An hour-long session across the change lasts an hour of real time.
    assert occurrences[0].end_local.isoformat() == "2026-10-25T02:30:00+01:00"


def test_new_york_spring_forward_keeps_local_time():
    schedule = make_schedule(
        "FREQ=WEEKLY;BYDAY=SU",
        starts_on=date(2026, 3, 1),
        start_time=time(9, 0),
        zone="America/New_York",
    )

    occurrences = expand(schedule, utc(2026, 3, 1), utc(2026, 3, 9))

    assert [(o.start_local.isoformat(), o.start.isoformat()) for o in occurrences] == [
        ("2026-03-01T09:00:00-05:00", "2026-03-01T14:00:00+00:00"),
        ("2026-03-08T09:00:00-04:00", "2026-03-08T13:00:00+00:00"),
    ]


def test_utc_until_is_compared_in_local_time():
    # 2027-01-11 06:00 UTC is 07:00 Stockholm: that occurrence is the last one.
    schedule = make_schedule("FREQ=WEEKLY;UNTIL=20270111T060000Z", starts_on=date(2027, 1, 4))

    assert local_starts(schedule, utc(2027, 1, 1), utc(2027, 2, 1)) == [
        "2027-01-04T07:00:00+01:00",
        "2027-01-11T07:00:00+01:00",
    ]

"""The beat entries of the payouts and the holding-limit alert."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail

from payments.payouts_models import Payout, PayoutRun, PayoutRunTrigger
from payments.payouts_periods import next_payout_date, period_to_pay
from payments.payouts_schedule import ZonedCrontab
from payments.payouts_tasks import run_scheduled_payouts, warn_held_transactions
from tests.factories import UserFactory
from tests.payments.payout_fixtures import at, session_paid, trainer

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def next_run(schedule, last_run_at, now):
    schedule.nowfun = lambda: now
    return now + schedule.remaining_estimate(last_run_at)


def test_the_monthly_run_is_on_the_28th_at_three_in_stockholm_winter_and_summer():
    entry = settings.CELERY_BEAT_SCHEDULE["run-monthly-payouts"]
    assert entry["task"] == "payments.payouts_tasks.run_scheduled_payouts"
    schedule = entry["schedule"]
    assert isinstance(schedule, ZonedCrontab)
    assert schedule.zone == "Europe/Stockholm"

    winter = next_run(schedule, at(2026, 11, 28, 2), at(2026, 11, 30, 9))
    assert winter == datetime.datetime(2026, 12, 28, 3, 0, tzinfo=STOCKHOLM)
    assert winter.astimezone(datetime.UTC) == at(2026, 12, 28, 2)
    summer = next_run(schedule, at(2027, 5, 28, 1), at(2027, 6, 1, 9))
    assert summer.astimezone(datetime.UTC) == at(2027, 6, 28, 1)  # 03:00 CEST


def test_the_daily_retry_and_the_holding_alert_are_scheduled():
    retry = settings.CELERY_BEAT_SCHEDULE["retry-waiting-payouts"]
    alert = settings.CELERY_BEAT_SCHEDULE["warn-held-payouts"]
    assert retry["task"] == "payments.payouts_tasks.retry_waiting_payouts"
    assert alert["task"] == "payments.payouts_tasks.warn_held_transactions"
    assert retry["schedule"].day_of_month == set(range(1, 32))


def test_the_scheduled_run_pays_the_previous_month():
    assert period_to_pay(at(2026, 12, 28, 2)) == "2026-11"
    assert period_to_pay(at(2027, 1, 28, 2)) == "2026-12"
    # 00:30 on 1 December in Stockholm is still 30 November in UTC: December's rule applies.
    assert period_to_pay(at(2026, 11, 30, 23, 30)) == "2026-11"
    assert next_payout_date(at(2026, 11, 30, 9)) == at(2026, 12, 28, 2)
    assert next_payout_date(at(2026, 12, 1, 9)) == at(2026, 12, 28, 2)
    assert next_payout_date(at(2026, 12, 28, 2, 30)) == at(2027, 1, 28, 2)


@pytest.mark.django_db
def test_the_beat_task_runs_as_beat(stripe_double, monkeypatch):
    session_paid(trainer(double=stripe_double), end=at(2026, 10, 5))
    monkeypatch.setattr("payments.payouts_periods.period_to_pay", lambda: "2026-10")

    counts = run_scheduled_payouts.delay().get()

    assert counts["paid"] == 1
    assert PayoutRun.objects.get().trigger == PayoutRunTrigger.BEAT
    assert Payout.objects.get().period == "2026-10"


@pytest.mark.django_db
def test_money_held_longer_than_the_warning_tells_staff_and_the_trainer(
    stripe_double, django_capture_on_commit_callbacks, settings
):
    settings.PAYOUT_HOLD_WARN_DAYS = 60
    staff = UserFactory(is_staff=True)
    no_account = trainer(account=False, name="Olle Oansluten")
    fine = trainer(double=stripe_double)
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=61)
    session_paid(no_account, end=old + datetime.timedelta(days=2), charged_at=old, gross=45000)
    session_paid(
        fine, end=old + datetime.timedelta(days=2), charged_at=old + datetime.timedelta(days=5)
    )

    with django_capture_on_commit_callbacks(execute=True):
        trainers = warn_held_transactions.delay().get()

    assert trainers == 1
    to_staff = [m for m in mail.outbox if m.to == [staff.email]]
    to_trainer = [m for m in mail.outbox if m.to == [no_account.user.email]]
    assert len(to_staff) == 1 and len(to_trainer) == 1
    assert "Olle Oansluten" in to_staff[0].body
    assert "No Stripe account" in to_staff[0].body
    assert "382.50 kr" in to_trainer[0].body

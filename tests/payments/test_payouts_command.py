"""manage.py run_payouts: summary table, dry run, refusals."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from payments.payouts_models import Payout, PayoutRun, PayoutRunTrigger
from payments.payouts_periods import period_of
from payments.services.payouts_lock import ADVISORY_LOCK_KEY
from tests.payments.payout_fixtures import at, session_paid, trainer

pytestmark = pytest.mark.django_db


def call(*args):
    out, err = StringIO(), StringIO()
    call_command("run_payouts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_pays_and_prints_a_summary_table_with_a_progress_bar(stripe_double):
    anna = trainer(double=stripe_double)
    session_paid(anna, end=at(2026, 10, 5))
    session_paid(trainer(account=False), end=at(2026, 10, 5), gross=10000)

    out, err = call("--period", "2026-10")

    run = PayoutRun.objects.get()
    assert run.trigger == PayoutRunTrigger.COMMAND
    assert f"run #{run.pk}" in out
    assert "paid" in out and "382.50 kr" in out
    assert "skipped" in out and "85 kr" in out
    assert "No Stripe account yet" in out
    assert "2/2" in err  # tqdm's bar
    assert Payout.objects.filter(status="paid").count() == 1


def test_command_dry_run_sends_and_writes_nothing(stripe_double):
    session_paid(trainer(double=stripe_double), end=at(2026, 10, 5))

    out, _ = call("--period", "2026-10", "--dry-run", "--no-progress")

    assert "DRY RUN" in out and "382.50 kr" in out
    assert not Payout.objects.exists() and not PayoutRun.objects.exists()
    assert stripe_double.requests == []


def test_command_refuses_an_unfinished_period_and_a_bad_one(stripe_double):
    this_month = period_of(timezone.now())  # the month in the payout zone, not in UTC
    with pytest.raises(CommandError, match="PAYOUT_PERIOD_NOT_OVER"):
        call("--period", this_month)
    with pytest.raises(CommandError, match="INVALID_PAYOUT_PERIOD"):
        call("--period", "October")


def test_command_refuses_while_another_run_is_in_progress(stripe_double):
    other = PayoutRun.objects.create(
        period="2026-10", cutoff=at(2026, 10, 31, 23), trigger=PayoutRunTrigger.BEAT
    )
    holder = None
    if connection.vendor == "postgresql":  # the other run's process holds the advisory lock
        holder = connections.create_connection("default")
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
    try:
        with pytest.raises(CommandError, match=f"#{other.pk}"):
            call("--period", "2026-10")
    finally:
        if holder is not None:
            holder.close()
    assert PayoutRun.objects.get().pk == other.pk

"""run_monthly_payouts against the Stripe double: grouping, eligibility, outcomes, crashes,
and what Stripe was sent."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payments import services
from payments.models import PayoutStatus, Transaction
from payments.payouts_errors import InvalidPayoutPeriod, PayoutPeriodNotOver
from payments.payouts_models import (
    Payout,
    PayoutReversal,
    PayoutRun,
    PayoutRunStatus,
    PayoutState,
    ReversalStatus,
    SkipReason,
)
from payments.payouts_periods import payout_zone, period_cutoff
from payments.services import payouts as payouts_service
from payments.services.payouts import payouts_retry_waiting, run_monthly_payouts
from tests.payments.payout_fixtures import at, session_paid, trainer
from tests.stripe_double.server import INSUFFICIENT_BALANCE

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 30, 9)  # the November run pays October
PERIOD = "2026-10"


def run(**kwargs):
    kwargs.setdefault("period", PERIOD)
    kwargs.setdefault("now", NOW)
    return run_monthly_payouts(**kwargs)


def transfers_sent(double):
    return double.requests_to("POST", "/v1/transfers")


# --- grouping and sums ---------------------------------------------------------------------


def test_transactions_are_summed_per_trainer_and_currency_into_one_transfer_each(stripe_double):
    anna = trainer(double=stripe_double)
    bo = trainer(double=stripe_double)
    session_paid(anna, end=at(2026, 10, 5), gross=45000)
    session_paid(anna, end=at(2026, 10, 12), gross=30001)
    session_paid(anna, end=at(2026, 10, 19), gross=20000, currency="EUR")
    session_paid(bo, end=at(2026, 10, 20), gross=10000, refunded=4000)  # kept 6000 -> 5100

    result = run()

    payouts = {(p.trainer_id, p.currency): p for p in Payout.objects.all()}
    assert {key: (p.status, p.amount) for key, p in payouts.items()} == {
        (anna.pk, "SEK"): (PayoutState.PAID, 38250 + 25501),
        (anna.pk, "EUR"): (PayoutState.PAID, 17000),
        (bo.pk, "SEK"): (PayoutState.PAID, 5100),
    }
    assert result.counts["paid"] == 3
    assert result.totals["SEK"]["paid"] == 38250 + 25501 + 5100
    sent = {
        (r.params["destination"], r.params["currency"]): int(r.params["amount"])
        for r in transfers_sent(stripe_double)
    }
    assert sent == {
        (anna.connected_account.stripe_account_id, "sek"): 63751,
        (anna.connected_account.stripe_account_id, "eur"): 17000,
        (bo.connected_account.stripe_account_id, "sek"): 5100,
    }
    assert set(Transaction.objects.values_list("payout_status", flat=True)) == {PayoutStatus.PAID}


def test_the_double_receives_one_transfer_per_payout_with_its_key_group_and_metadata(
    stripe_double,
):
    anna = trainer(double=stripe_double)
    txn = session_paid(anna, end=at(2026, 10, 5), gross=45000)

    result = run()

    payout = Payout.objects.get()
    (request,) = transfers_sent(stripe_double)
    assert request.path == "/v1/transfers"
    assert request.idempotency_key == f"payout-{payout.pk}"
    assert request.params == {
        "amount": "38250",
        "currency": "sek",
        "destination": anna.connected_account.stripe_account_id,
        "transfer_group": f"payout-{payout.pk}",
        "metadata": {
            "payout_id": str(payout.pk),
            "run_id": str(result.run.pk),
            "trainer_id": str(anna.pk),
            "period": PERIOD,
        },
    }
    txn.refresh_from_db()
    assert txn.payout_id == payout.pk
    assert txn.stripe_transfer_id == payout.stripe_transfer_id
    assert txn.stripe_transfer_id.startswith("tr_")
    # the date the money went out, in the payout zone (not the run's `now`, which names the period)
    assert txn.payout_date == timezone.localtime(payout.paid_at, payout_zone()).date()

    # A second run of the same period pays nobody again.
    run(now=NOW + datetime.timedelta(days=3))
    assert len(transfers_sent(stripe_double)) == 1
    assert Payout.objects.count() == 1


def test_carried_debt_is_deducted_from_the_next_payout(stripe_double):
    anna = trainer(double=stripe_double)
    earlier = session_paid(anna, end=at(2026, 9, 5), gross=10000)
    run(period="2026-09", now=at(2026, 10, 28, 3))
    september = Payout.objects.get(period="2026-09")
    debt = PayoutReversal.objects.create(
        payout=september,
        transaction=earlier,
        trainer=anna,
        currency="SEK",
        amount=3000,
        reason="refund",
        status=ReversalStatus.DEBT,
    )
    session_paid(anna, end=at(2026, 10, 5), gross=45000)

    run()

    october = Payout.objects.get(period=PERIOD)
    assert (october.earnings, october.debt_deducted, october.amount) == (38250, 3000, 35250)
    debt.refresh_from_db()
    assert (debt.status, debt.settled_by_id) == (ReversalStatus.SETTLED, october.pk)
    assert int(transfers_sent(stripe_double)[-1].params["amount"]) == 35250


# --- eligibility ---------------------------------------------------------------------------


def test_cutoff_is_midnight_in_stockholm_after_the_october_dst_change():
    # Summer time ended on 25 October 2026: 1 November 00:00 in Stockholm is 23:00 UTC.
    assert period_cutoff("2026-10") == at(2026, 10, 31, 23)
    # ... while 1 October 00:00 (summer time) is 22:00 UTC.
    assert period_cutoff("2026-09") == at(2026, 9, 30, 22)


def test_sessions_one_second_either_side_of_the_cutoff(stripe_double):
    anna = trainer(double=stripe_double)
    inside = session_paid(anna, end=at(2026, 10, 31, 22, 59, 59), gross=10000)
    # 23:30 UTC would be "before midnight" by summer time's offset, but is 00:30 in November.
    outside = session_paid(anna, end=at(2026, 10, 31, 23, 0, 1), gross=20000)
    late = session_paid(anna, end=at(2026, 10, 31, 23, 30), gross=30000)

    run()

    payout = Payout.objects.get()
    assert list(payout.transactions.values_list("pk", flat=True)) == [inside.pk]
    assert payout.amount == 8500
    for txn in (outside, late):
        txn.refresh_from_db()
        assert (txn.payout_id, txn.payout_status) == (None, PayoutStatus.PENDING)


def test_disputed_and_fully_refunded_transactions_are_not_paid(stripe_double):
    anna = trainer(double=stripe_double)
    session_paid(anna, end=at(2026, 10, 5), gross=45000)
    disputed = session_paid(anna, end=at(2026, 10, 6), gross=45000, disputed=True)
    refunded = session_paid(anna, end=at(2026, 10, 7), gross=45000, refunded=45000)

    run()

    assert Payout.objects.get().amount == 38250
    for txn in (disputed, refunded):
        txn.refresh_from_db()
        assert (txn.payout_id, txn.payout_status) == (None, PayoutStatus.PENDING)


def test_a_period_that_has_not_ended_is_refused(stripe_double):
    with pytest.raises(PayoutPeriodNotOver):
        run(period="2026-11")
    with pytest.raises(InvalidPayoutPeriod):
        run(period="2026-13")
    assert not PayoutRun.objects.exists()
    assert stripe_double.requests == []


# --- outcomes ------------------------------------------------------------------------------


def test_trainers_without_a_usable_account_are_skipped_and_told(
    stripe_double, django_capture_on_commit_callbacks
):
    paid = trainer(double=stripe_double)
    no_account = trainer(account=False)
    not_enabled = trainer(double=stripe_double, enabled=False)
    for profile in (paid, no_account, not_enabled):
        session_paid(profile, end=at(2026, 10, 5))

    with django_capture_on_commit_callbacks(execute=True):
        result = run()

    assert result.counts == {
        "paid": 1,
        "skipped": 2,
        "waiting_for_funds": 0,
        "failed": 0,
        "pending": 0,
    }
    skipped = Payout.objects.filter(status=PayoutState.SKIPPED)
    assert dict(skipped.values_list("trainer_id", "skip_reason")) == {
        no_account.pk: SkipReason.NO_ACCOUNT,
        not_enabled.pk: SkipReason.PAYOUTS_DISABLED,
    }
    assert Transaction.objects.filter(payout__isnull=True, payout_status="pending").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [no_account.user.email, not_enabled.user.email]
    )
    assert all("/trainer/get-paid/" in m.body and "382.50 kr" in m.body for m in mail.outbox)
    assert len(transfers_sent(stripe_double)) == 1

    # Once the trainer has finished onboarding, a re-run of the period pays the skipped row.
    no_account_account = trainer(double=stripe_double)  # a fresh account id at the double
    account = no_account_account.connected_account
    account.trainer = no_account
    account.save()
    run(now=NOW + datetime.timedelta(days=1))
    assert Payout.objects.get(trainer=no_account).status == PayoutState.PAID


def test_insufficient_funds_waits_then_the_daily_retry_pays_with_a_new_key(stripe_double):
    anna = trainer(double=stripe_double)
    bo = trainer(double=stripe_double)
    session_paid(anna, end=at(2026, 10, 5))
    session_paid(bo, end=at(2026, 10, 6))
    stripe_double.fail_next("POST", "/v1/transfers", INSUFFICIENT_BALANCE)

    result = run()

    assert result.counts["waiting_for_funds"] == 1
    assert result.counts["paid"] == 1  # the other trainer is still paid
    waiting = Payout.objects.get(status=PayoutState.WAITING_FOR_FUNDS)
    assert "balance_insufficient" in waiting.error
    assert waiting.transactions.count() == 1  # still tied to the payout, amount fixed

    retried = payouts_retry_waiting(now=NOW + datetime.timedelta(days=1))

    assert retried.counts["paid"] == 1
    waiting.refresh_from_db()
    assert waiting.status == PayoutState.PAID
    keys = [r.idempotency_key for r in transfers_sent(stripe_double)]
    assert keys.count(f"payout-{waiting.pk}") == 1
    assert keys[-1] == f"payout-{waiting.pk}-attempt-2"
    assert len(stripe_double.objects("transfer")) == 2


def test_a_closed_account_fails_and_its_transactions_stay_payable(stripe_double):
    anna = trainer(double=stripe_double)
    bo = trainer(double=stripe_double)
    anna_txn = session_paid(anna, end=at(2026, 10, 5))
    session_paid(bo, end=at(2026, 10, 6))
    stripe_double.close_account(anna.connected_account.stripe_account_id)

    result = run()

    assert (result.counts["failed"], result.counts["paid"]) == (1, 1)
    failed = Payout.objects.get(trainer=anna)
    assert failed.status == PayoutState.FAILED
    assert "account_closed" in failed.error
    anna_txn.refresh_from_db()
    assert (anna_txn.payout_id, anna_txn.payout_status) == (None, PayoutStatus.PENDING)

    # Failed payouts are retried only when asked.
    run(now=NOW + datetime.timedelta(hours=1))
    assert Payout.objects.get(trainer=anna).status == PayoutState.FAILED
    stripe_double.state.closed_accounts.clear()
    run(now=NOW + datetime.timedelta(hours=2), retry_failed=True)
    failed.refresh_from_db()
    assert failed.status == PayoutState.PAID
    assert failed.idempotency_key == f"payout-{failed.pk}-attempt-2"


class Crash(BaseException):
    """Stands for the process dying between Stripe's answer and our database update."""


def _crash_after_transfer(monkeypatch):
    monkeypatch.setattr(payouts_service, "_mark_paid", lambda paid: (_ for _ in ()).throw(Crash()))


def test_a_crash_after_the_transfer_then_a_rerun_replays_the_same_key(stripe_double, monkeypatch):
    anna = trainer(double=stripe_double)
    session_paid(anna, end=at(2026, 10, 5))
    with monkeypatch.context() as patch:
        _crash_after_transfer(patch)
        with pytest.raises(Crash):
            run()
    payout = Payout.objects.get()
    assert payout.status == PayoutState.PENDING
    assert PayoutRun.objects.get().status == PayoutRunStatus.INTERRUPTED

    result = run(now=NOW + datetime.timedelta(hours=1))

    payout.refresh_from_db()
    assert payout.status == PayoutState.PAID
    assert result.counts["paid"] == 1
    requests = transfers_sent(stripe_double)
    assert [r.idempotency_key for r in requests] == [f"payout-{payout.pk}"] * 2
    assert len(stripe_double.objects("transfer")) == 1
    assert payout.stripe_transfer_id == stripe_double.objects("transfer")[0]["id"]


def test_a_crash_then_a_rerun_after_the_key_expired_finds_the_transfer(stripe_double, monkeypatch):
    anna = trainer(double=stripe_double)
    session_paid(anna, end=at(2026, 10, 5))
    with monkeypatch.context() as patch:
        _crash_after_transfer(patch)
        with pytest.raises(Crash):
            run()
    payout = Payout.objects.get()
    stripe_double.advance(hours=25)  # Stripe has forgotten the key
    Payout.objects.filter(pk=payout.pk).update(
        attempted_at=payout.attempted_at - datetime.timedelta(hours=25)
    )

    run(now=NOW + datetime.timedelta(days=2))

    payout.refresh_from_db()
    assert payout.status == PayoutState.PAID
    assert len(transfers_sent(stripe_double)) == 1
    lookups = stripe_double.requests_to("GET", "/v1/transfers")
    assert lookups[0].params["transfer_group"] == f"payout-{payout.pk}"
    assert len(stripe_double.objects("transfer")) == 1


def test_stripe_not_answering_leaves_the_payout_pending_for_the_same_key(stripe_double):
    anna = trainer(double=stripe_double)
    session_paid(anna, end=at(2026, 10, 5))
    stripe_double.fail_next("POST", "/v1/transfers", "server_error_after_create", times=5)

    result = run()

    assert result.counts["pending"] == 1
    payout = Payout.objects.get()
    assert payout.status == PayoutState.PENDING
    assert payout.error

    payouts_retry_waiting(now=NOW + datetime.timedelta(hours=1))
    payout.refresh_from_db()
    assert payout.status == PayoutState.PAID
    assert len(stripe_double.objects("transfer")) == 1
    # Stripe would replay the saved 500 for the key: the retry looked the transfer up instead.
    assert stripe_double.requests_to("GET", "/v1/transfers")[0].params["transfer_group"] == (
        f"payout-{payout.pk}"
    )
    assert {r.idempotency_key for r in transfers_sent(stripe_double)} == {f"payout-{payout.pk}"}


def test_dry_run_writes_nothing_and_calls_nobody(stripe_double):
    anna = trainer(double=stripe_double)
    no_account = trainer(account=False)
    session_paid(anna, end=at(2026, 10, 5))
    session_paid(no_account, end=at(2026, 10, 5))

    with CaptureQueriesContext(connection) as queries:
        result = run(dry_run=True)

    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert stripe_double.requests == []
    assert not Payout.objects.exists() and not PayoutRun.objects.exists()
    assert {(line.trainer_id, line.outcome, line.amount) for line in result.lines} == {
        (anna.pk, "paid", 38250),
        (no_account.pk, "skipped", 38250),
    }


def test_a_run_only_for_one_trainer(stripe_double):
    anna = trainer(double=stripe_double)
    bo = trainer(double=stripe_double)
    session_paid(anna, end=at(2026, 10, 5))
    session_paid(bo, end=at(2026, 10, 5))

    run(trainer_id=bo.pk)

    assert list(Payout.objects.values_list("trainer_id", flat=True)) == [bo.pk]


def test_the_share_a_payout_counts_is_the_split_rule_of_what_was_kept(stripe_double):
    anna = trainer(double=stripe_double)
    cases = [
        (1, 0, 15),
        (3, 0, 15),
        (45001, 0, 15),
        (99999, 33333, 15),
        (10001, 1, 0),
        (777, 0, 100),
    ]
    for day, (gross, refunded, fee) in enumerate(cases, start=1):
        session_paid(anna, end=at(2026, 10, day), gross=gross, refunded=refunded, fee_percent=fee)

    run()

    for txn in Transaction.objects.all():
        assert txn.payout_share == txn.trainer_payable_amount, (txn.gross_amount, txn.fee_percent)
    assert Payout.objects.get().amount == sum(
        t.trainer_payable_amount for t in Transaction.objects.all()
    )


def test_the_demo_gateway_pays_too(settings, django_capture_on_commit_callbacks):
    settings.STRIPE_SECRET_KEY = ""  # the embedded default: no Stripe, demo objects
    anna = trainer(account=False)
    with django_capture_on_commit_callbacks(execute=True):  # the demo's account.updated
        services.connected_account_ensure(trainer_id=anna.pk)
        services.demo_onboarding_finish(trainer_id=anna.pk)
    session_paid(anna, end=at(2026, 10, 5))

    result = run()

    payout = Payout.objects.get()
    assert (result.counts["paid"], payout.status) == (1, PayoutState.PAID)
    assert payout.stripe_transfer_id.startswith("tr_")


def test_a_skipped_trainer_who_speaks_swedish_is_told_in_swedish(
    stripe_double, django_capture_on_commit_callbacks
):
    olle = trainer(account=False)
    olle.languages = ["sv", "en"]
    olle.save(update_fields=["languages"])
    session_paid(olle, end=at(2026, 10, 5))

    with django_capture_on_commit_callbacks(execute=True):
        run()

    (message,) = mail.outbox
    assert message.subject == "Din utbetalning från Traino väntar på dig"
    assert "Skapa ditt Stripe-konto" in message.body and "382,50 kr" in message.body

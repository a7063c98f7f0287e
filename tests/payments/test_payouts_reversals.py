"""Money that comes back after a payout: transfer reversals, debts carried to the next
payout, lost disputes, and transfers reversed at Stripe (webhooks)."""

import pytest
from django.db import transaction

from payments import handlers
from payments.models import DisputeStatus, PayoutStatus, Transaction, WebhookEvent, WebhookStatus
from payments.payouts_models import Payout, PayoutReversal, PayoutState, ReversalStatus
from payments.payouts_queries import payout_statement, reconciliation, trainer_earnings
from payments.services.payouts import run_monthly_payouts
from payments.services.refunds import transaction_raise_refunded
from tests.payments.helpers import stripe_event
from tests.payments.payout_fixtures import at, session_paid, trainer
from tests.stripe_double.server import INSUFFICIENT_BALANCE

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 30, 9)


@pytest.fixture
def paid_out(stripe_double):
    """Anna was paid for two sessions in October (38 250 + 25 500 öre)."""
    anna = trainer(double=stripe_double)
    first = session_paid(anna, end=at(2026, 10, 5), gross=45000)
    second = session_paid(anna, end=at(2026, 10, 6), gross=30000)
    run_monthly_payouts(period="2026-10", now=NOW)
    payout = Payout.objects.get()
    assert payout.status == PayoutState.PAID
    return anna, payout, first, second


def refund(txn: Transaction, total: int, capture) -> None:
    """The checkout code's way of recording a refund, with its after-commit work run."""
    with capture(execute=True), transaction.atomic():
        transaction_raise_refunded(Transaction.objects.select_for_update().get(pk=txn.pk), total)


def test_a_refund_after_payout_reverses_the_trainers_share(
    paid_out, stripe_double, django_capture_on_commit_callbacks
):
    _anna, payout, first, _ = paid_out

    refund(first, 20000, django_capture_on_commit_callbacks)  # kept 25 000 -> share 21 250

    reversal = PayoutReversal.objects.get()
    assert (reversal.status, reversal.amount) == (ReversalStatus.REVERSED, 38250 - 21250)
    (request,) = stripe_double.requests_to("POST", "/v1/transfers/*/reversals")
    assert request.path == f"/v1/transfers/{payout.stripe_transfer_id}/reversals"
    assert request.params["amount"] == "17000"
    assert request.idempotency_key == f"reversal-{reversal.pk}"
    payout.refresh_from_db()
    assert payout.amount_reversed == 17000
    assert stripe_double.get("transfer", payout.stripe_transfer_id)["amount_reversed"] == 17000

    # The same refund seen again (a redelivered event) takes nothing more.
    refund(first, 20000, django_capture_on_commit_callbacks)
    assert PayoutReversal.objects.count() == 1
    assert all(row.balanced for row in reconciliation("2026-10"))


def test_a_failed_reversal_becomes_a_debt_the_next_payout_deducts(
    paid_out, stripe_double, django_capture_on_commit_callbacks
):
    anna, _payout, first, _ = paid_out
    stripe_double.fail_next("POST", "/v1/transfers/*/reversals", INSUFFICIENT_BALANCE)

    refund(first, 45000, django_capture_on_commit_callbacks)  # all of it

    debt = PayoutReversal.objects.get()
    assert (debt.status, debt.amount) == (ReversalStatus.DEBT, 38250)
    assert "balance_insufficient" in debt.error
    earnings = trainer_earnings(trainer=anna, now=NOW)
    assert [(b.currency, b.debt) for b in earnings.balances] == [("SEK", 38250)]
    assert all(row.balanced for row in reconciliation("2026-10"))

    session_paid(anna, end=at(2026, 11, 3), gross=50000)  # 42 500 to the trainer
    run_monthly_payouts(period="2026-11", now=at(2026, 12, 28, 3))

    november = Payout.objects.get(period="2026-11")
    assert (november.earnings, november.debt_deducted, november.amount) == (42500, 38250, 4250)
    debt.refresh_from_db()
    assert (debt.status, debt.settled_by_id) == (ReversalStatus.SETTLED, november.pk)
    statement = payout_statement(november)
    assert [d.pk for d in statement.debts_deducted] == [debt.pk]
    assert stripe_double.requests_to("POST", "/v1/transfers")[-1].params["amount"] == "4250"
    assert all(row.balanced for row in reconciliation("2026-11"))
    assert all(row.balanced for row in reconciliation("2026-10"))


def test_a_lost_dispute_after_payout_takes_back_the_whole_share(
    paid_out, stripe_double, django_capture_on_commit_callbacks
):
    _, _payout, _, second = paid_out

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        txn = Transaction.objects.get(pk=second.pk)
        txn.disputed, txn.dispute_status = True, DisputeStatus.LOST
        txn.save(update_fields=["disputed", "dispute_status", "updated_at"])

    reversal = PayoutReversal.objects.get()
    assert (reversal.reason, reversal.amount, reversal.status) == (
        "dispute_lost",
        25500,
        ReversalStatus.REVERSED,
    )


def test_money_returned_before_any_payout_changes_nothing_here(
    stripe_double, django_capture_on_commit_callbacks
):
    anna = trainer(double=stripe_double)
    txn = session_paid(anna, end=at(2026, 10, 5), gross=45000)

    refund(txn, 5000, django_capture_on_commit_callbacks)
    run_monthly_payouts(period="2026-10", now=NOW)

    assert not PayoutReversal.objects.exists()
    assert Payout.objects.get().amount == 34000  # 85 % of the 40 000 kept


def transfer_event(stripe_double, transfer_id, event_type="transfer.reversed"):
    data = stripe_double.get("transfer", transfer_id)
    event = WebhookEvent.objects.create(
        stripe_event_id=f"evt_{event_type}_{transfer_id}_{data['amount_reversed']}",
        type=event_type,
        payload=stripe_event(event_type, data),
    )
    return handlers.dispatch(event)


def test_a_transfer_reversed_in_full_at_stripe_reverses_the_payout(paid_out, stripe_double):
    _anna, payout, first, second = paid_out
    stripe_double.update(
        "transfer", payout.stripe_transfer_id, amount_reversed=payout.amount, reversed=True
    )

    status, _ = transfer_event(stripe_double, payout.stripe_transfer_id)

    assert status == WebhookStatus.PROCESSED
    payout.refresh_from_db()
    assert payout.status == PayoutState.REVERSED
    assert "2 transactions" in payout.note
    for txn in (first, second):
        txn.refresh_from_db()
        assert (txn.payout_id, txn.payout_status, txn.stripe_transfer_id) == (
            None,
            PayoutStatus.PENDING,
            "",
        )
    # They are paid again with the next period's payout.
    run_monthly_payouts(period="2026-11", now=at(2026, 12, 28, 3))
    assert Payout.objects.get(period="2026-11").amount == 38250 + 25500


def test_our_own_reversal_event_does_not_reverse_the_payout(
    paid_out, stripe_double, django_capture_on_commit_callbacks
):
    _, payout, first, second = paid_out
    refund(first, 45000, django_capture_on_commit_callbacks)
    refund(second, 30000, django_capture_on_commit_callbacks)  # all of the transfer is back

    status, _ = transfer_event(stripe_double, payout.stripe_transfer_id)

    assert status == WebhookStatus.PROCESSED
    payout.refresh_from_db()
    assert (payout.status, payout.amount_reversed) == (PayoutState.PAID, payout.amount)


def test_transfer_events_of_unknown_transfers_are_ignored(stripe_double):
    event = WebhookEvent.objects.create(
        stripe_event_id="evt_unknown_transfer",
        type="transfer.updated",
        payload=stripe_event(
            "transfer.updated", {"id": "tr_nobody", "amount": 1, "currency": "sek"}
        ),
    )
    status, note = handlers.dispatch(event)
    assert status == WebhookStatus.IGNORED
    assert "tr_nobody" in note


def test_reversal_key_is_stored_before_stripe_is_called(
    paid_out, stripe_double, django_capture_on_commit_callbacks
):
    _, _payout, first, _ = paid_out
    stripe_double.fail_next("POST", "/v1/transfers/*/reversals", "server_error", times=10)

    with pytest.raises(Exception):  # noqa: B017 - the task's transient error reaches us
        refund(first, 45000, django_capture_on_commit_callbacks)

    reversal = PayoutReversal.objects.get()
    assert reversal.status == ReversalStatus.PENDING
    assert reversal.idempotency_key == f"reversal-{reversal.pk}"
    keys = {
        r.idempotency_key for r in stripe_double.requests_to("POST", "/v1/transfers/*/reversals")
    }
    assert keys == {reversal.idempotency_key}

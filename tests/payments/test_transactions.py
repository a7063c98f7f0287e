"""The Transaction row: its split constraint, what ``payable()`` finds, and the trainer's share
of what was kept after refunds (the same half-up rule in Python and in SQL)."""

import pytest
from django.db import IntegrityError, transaction

from payments.models import DisputeStatus, PayoutStatus, Transaction
from tests.factories import TransactionFactory

pytestmark = pytest.mark.django_db


def test_the_split_must_add_up_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        TransactionFactory(gross_amount=1000, trainer_amount=850, platform_fee=100)


def test_more_refunded_than_charged_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        TransactionFactory(gross_amount=1000, refunded_amount=1001)


def test_payable_leaves_out_paid_disputed_and_fully_refunded_ones():
    waiting = TransactionFactory()
    partly_refunded = TransactionFactory(refunded_amount=100)
    TransactionFactory(payout_status=PayoutStatus.PAID)
    TransactionFactory(disputed=True, dispute_status=DisputeStatus.NEEDS_RESPONSE)
    full = TransactionFactory()
    full.refunded_amount = full.gross_amount
    full.save()

    assert set(Transaction.objects.payable()) == {waiting, partly_refunded}


@pytest.mark.parametrize(
    ("gross", "refunded", "fee", "kept", "trainer"),
    [
        (45000, 0, 15, 45000, 38250),
        (45000, 22500, 15, 22500, 19125),
        (45000, 44990, 15, 10, 9),  # 8.5 rounds half up
        (45000, 45000, 15, 0, 0),
        (1001, 0, 50, 1001, 501),  # 500.5 rounds half up
        (1001, 1, 100, 1000, 0),
    ],
)
def test_the_trainers_share_of_what_was_kept(gross, refunded, fee, kept, trainer):
    from payments.money import trainer_share

    row = TransactionFactory(
        gross_amount=gross,
        refunded_amount=refunded,
        fee_percent=fee,
        trainer_amount=trainer_share(gross, fee),
        platform_fee=gross - trainer_share(gross, fee),
    )
    annotated = Transaction.objects.with_kept().get(pk=row.pk)

    assert (row.kept_amount, row.trainer_payable_amount) == (kept, trainer)
    assert (annotated.kept, annotated.trainer_payable) == (kept, trainer)


def test_the_sql_share_is_the_python_share_for_many_amounts():
    """with_kept() (SQL, for sums) and trainer_payable_amount (Python) are one rule: checked
    over random amounts and every fee, with halves (x.5 öre) among them."""
    import random

    from payments.money import trainer_share

    booking = TransactionFactory().booking
    picks = random.Random(11)
    rows = []
    for n in range(400):
        fee = n % 101
        gross = picks.choice([picks.randint(0, 10**9), picks.randint(0, 200) * 2, 10**9])
        refunded = picks.randint(0, gross)
        rows.append(
            Transaction(
                booking=booking,
                trainer_id=booking.trainer_id,
                payment_intent_id=f"pi_sql_{n}",
                idempotency_key=f"sql-{n}",
                currency="SEK",
                gross_amount=gross,
                fee_percent=fee,
                trainer_amount=trainer_share(gross, fee),
                platform_fee=gross - trainer_share(gross, fee),
                refunded_amount=refunded,
                charged_at=booking.created_at,
            )
        )
    Transaction.objects.bulk_create(rows)

    annotated = Transaction.objects.with_kept().filter(payment_intent_id__startswith="pi_sql_")

    mismatches = [
        (row.gross_amount, row.refunded_amount, row.fee_percent)
        for row in annotated
        if (row.kept, row.trainer_payable) != (row.kept_amount, row.trainer_payable_amount)
    ]
    assert annotated.count() == 400
    assert mismatches == []

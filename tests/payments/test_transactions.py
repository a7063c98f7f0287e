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

"""Builders for the payout tests and the benchmark: trainers with (or without) a Stripe
account that exists at the double, and completed sessions paid by card at chosen times."""

from __future__ import annotations

import datetime
import itertools

from bookings.models import Booking, BookingStatus, Slot
from payments.models import ConnectedAccount, Transaction
from payments.money import split_amount
from tests.factories import OfferingFactory, ScheduleFactory, TrainerProfileFactory, UserFactory

UTC = datetime.UTC
_numbers = itertools.count(1)


def double_account(double, account_id: str, *, enabled: bool = True) -> None:
    """An account as the double would hold it after onboarding (transfers can reach it)."""
    with double.lock:
        account = double._fixture(
            "account",
            id=account_id,
            type="express",
            country="SE",
            metadata={},
            created=double.timestamp(),
            charges_enabled=enabled,
            payouts_enabled=enabled,
            details_submitted=enabled,
        )
        double._store("account", account)


def trainer(*, double=None, account: bool = True, enabled: bool = True, name: str | None = None):
    """A trainer with an offering and a schedule; with a connected account unless told."""
    fields = {"display_name": name} if name else {}
    profile = TrainerProfileFactory(**fields)
    offering = OfferingFactory(trainer=profile)
    ScheduleFactory(offering=offering)
    if account:
        account_id = f"acct_payout{next(_numbers):08d}"
        ConnectedAccount.objects.create(
            trainer=profile,
            stripe_account_id=account_id,
            idempotency_key=f"account-{profile.pk}",
            country="SE",
            charges_enabled=enabled,
            payouts_enabled=enabled,
            details_submitted=enabled,
        )
        if double is not None:
            double_account(double, account_id, enabled=enabled)
    return profile


def session_paid(
    profile,
    *,
    end: datetime.datetime,
    gross: int = 45000,
    currency: str = "SEK",
    refunded: int = 0,
    disputed: bool = False,
    trainee=None,
    charged_at: datetime.datetime | None = None,
    fee_percent: int = 15,
) -> Transaction:
    """A completed session of ``profile`` that ended at ``end``, paid by card."""
    schedule = profile.schedules.first()
    start = end - datetime.timedelta(hours=1)
    slot = Slot.objects.create(
        schedule=schedule, trainer=profile, start=start, end=end, capacity=1, seats_taken=1
    )
    booking = Booking.objects.create(
        trainee=trainee or UserFactory(name="Tove Trainee"),
        trainer=profile,
        offering=schedule.offering,
        schedule=schedule,
        slot=slot,
        start=start,
        end=end,
        price_amount=gross,
        currency=currency,
        status=BookingStatus.COMPLETED,
    )
    split = split_amount(gross, fee_percent)
    number = next(_numbers)
    return Transaction.objects.create(
        booking=booking,
        trainer=profile,
        payment_intent_id=f"pi_payout{number:010d}",
        charge_id=f"ch_payout{number:010d}",
        idempotency_key=f"booking-{booking.pk}-intent",
        currency=currency,
        gross_amount=gross,
        fee_percent=fee_percent,
        trainer_amount=split.trainer_amount,
        platform_fee=split.platform_fee,
        refunded_amount=refunded,
        disputed=disputed,
        charged_at=charged_at or start - datetime.timedelta(days=2),
    )


def at(year, month, day, hour=12, minute=0, second=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=UTC)

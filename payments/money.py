"""The platform's split of a payment: integers in the currency's minor unit, no floats.

``trainer_amount = round_half_up(gross * (100 - fee_percent) / 100)`` and the platform keeps
the rest, so the two parts always add up to the gross amount to the öre.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Split:
    gross: int
    fee_percent: int
    trainer_amount: int
    platform_fee: int


def round_half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves away from zero."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return sign * quotient


def split_amount(gross: int, fee_percent: int | None = None) -> Split:
    """The trainer's share (rounded half up) and the platform's fee of ``gross`` minor units."""
    if fee_percent is None:
        fee_percent = settings.PLATFORM_FEE_PERCENT
    if isinstance(gross, bool) or not isinstance(gross, int) or gross < 0:
        raise ValueError(f"gross must be a non-negative integer, not {gross!r}")
    if isinstance(fee_percent, bool) or not isinstance(fee_percent, int):
        raise ValueError(f"fee_percent must be an integer, not {fee_percent!r}")
    if not 0 <= fee_percent <= 100:
        raise ValueError(f"fee_percent must be between 0 and 100, not {fee_percent}")
    trainer_amount = round_half_up_div(gross * (100 - fee_percent), 100)
    return Split(
        gross=gross,
        fee_percent=fee_percent,
        trainer_amount=trainer_amount,
        platform_fee=gross - trainer_amount,
    )


def trainer_share(amount: int, fee_percent: int) -> int:
    """The trainer's part of ``amount`` minor units: the split's rule, rounded half up."""
    return split_amount(amount, fee_percent).trainer_amount


def trainer_share_expression(amount, fee_percent):
    """``trainer_share`` in SQL, for annotations: ``(amount * (100 - fee) + 50) / 100`` in
    integer division, which is the half-up rounding of a non-negative quotient."""
    from django.db.models import BigIntegerField, ExpressionWrapper, Value
    from django.db.models.functions import Cast

    numerator = Cast(amount, BigIntegerField()) * (Value(100) - fee_percent) + Value(50)
    return ExpressionWrapper(numerator / Value(100), output_field=BigIntegerField())

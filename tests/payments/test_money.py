from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.money import round_half_up_div, split_amount


def exact_half_up(value: Fraction) -> int:
    """Round a non-negative exact fraction to the nearest integer, halves up."""
    floor = value.numerator // value.denominator
    return floor + (1 if value - floor >= Fraction(1, 2) else 0)


@given(gross=st.integers(min_value=0, max_value=10**9), fee=st.integers(min_value=0, max_value=100))
def test_the_split_adds_up_and_the_trainer_share_is_rounded_half_up(gross, fee):
    split = split_amount(gross, fee)

    assert split.trainer_amount + split.platform_fee == gross
    assert split.trainer_amount == exact_half_up(Fraction(gross * (100 - fee), 100))
    assert 0 <= split.platform_fee <= gross


@pytest.mark.parametrize(
    ("gross", "fee", "trainer", "platform"),
    [
        (45000, 15, 38250, 6750),
        (1, 15, 1, 0),  # 0.85 rounds up
        (10, 15, 9, 1),  # 8.5 rounds half up
        (3, 50, 2, 1),  # 1.5 rounds half up
        (0, 15, 0, 0),
        (999, 0, 999, 0),
        (999, 100, 0, 999),
    ],
)
def test_known_splits(gross, fee, trainer, platform):
    split = split_amount(gross, fee)

    assert (split.trainer_amount, split.platform_fee) == (trainer, platform)


def test_the_fee_defaults_to_the_setting(settings):
    settings.PLATFORM_FEE_PERCENT = 20

    assert split_amount(1000).trainer_amount == 800


@pytest.mark.parametrize(("gross", "fee"), [(-1, 15), (100, -1), (100, 101), (1.5, 15)])
def test_nonsense_is_refused(gross, fee):
    with pytest.raises(ValueError):
        split_amount(gross, fee)


def test_round_half_up_division_of_negative_numbers_rounds_away_from_zero():
    assert round_half_up_div(-3, 2) == -2
    assert round_half_up_div(-1, 4) == 0

"""Swedish personal identity numbers: forms, century rule, samordningsnummer, refusals."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from marketplace.personnummer import normalize_personnummer, validate_personnummer
from tests.factories import UserFactory

TODAY = date(2026, 11, 22)


def luhn_check_digit(nine: str) -> str:
    """The check digit the Luhn rule gives for YYMMDDNNN, computed independently of the code."""
    total = 0
    for position, char in enumerate(nine):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def valid(yymmdd: str, serial: str = "238") -> str:
    return f"{yymmdd}{serial}{luhn_check_digit(yymmdd + serial)}"


def test_the_luhn_helper_agrees_with_well_known_test_numbers():
    # Tolvan Tolvansson and Skatteverket's samordningsnummer example.
    assert valid("121212", "121") == "1212121212"
    assert valid("701063", "239") == "7010632391"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("19121212-1212", "191212121212"),
        ("191212121212", "191212121212"),
        ("121212-1212", "201212121212"),
        ("1212121212", "201212121212"),
        (" 121212 - 1212 ", "201212121212"),
        ("121212+1212", "191212121212"),
    ],
)
def test_valid_forms_are_normalized_to_twelve_digits(raw, expected):
    assert normalize_personnummer(raw, today=TODAY) == expected


def test_ten_digits_read_as_the_latest_birth_date_not_after_today():
    # Given a number for 12 December '26 and today 22 November 2026
    later_this_year = valid("261212")
    born_today = valid("261122")

    # Then the person was born in 1926 (99 years old, so "-"), and today's date is this year
    assert normalize_personnummer(later_this_year, today=TODAY) == "19" + later_this_year
    assert normalize_personnummer(born_today, today=TODAY) == "20" + born_today


def test_plus_means_a_hundred_years_or_older():
    number = valid("261122")
    plus_form = f"{number[:6]}+{number[6:]}"

    assert normalize_personnummer(plus_form, today=TODAY) == "19" + number
    later_this_year = valid("261212")
    assert (
        normalize_personnummer(f"{later_this_year[:6]}+{later_this_year[6:]}", today=TODAY)
        == "18" + later_this_year
    )


def test_samordningsnummer_day_plus_sixty_is_accepted_and_kept():
    assert normalize_personnummer("701063-2391", today=TODAY) == "197010632391"
    assert normalize_personnummer("19701063-2391", today=TODAY) == "197010632391"
    assert normalize_personnummer(valid("000289"), today=TODAY) == "20" + valid("000289")


def test_leap_day_only_in_leap_years():
    assert normalize_personnummer("20" + valid("000229"), today=TODAY) == "20" + valid("000229")
    with pytest.raises(ValidationError) as error:
        normalize_personnummer("19" + valid("000229"), today=TODAY)
    assert error.value.code == "invalid_date"


def test_bad_checksum_is_refused():
    with pytest.raises(ValidationError) as error:
        normalize_personnummer("19121212-1213", today=TODAY)

    assert error.value.code == "invalid_checksum"
    assert error.value.messages == ["The personal identity number's check digit is wrong."]


@pytest.mark.parametrize(
    "yymmdd",
    ["990230", "991301", "990001", "990100", "990132", "990160", "990192", "990231"],
)
def test_impossible_dates_are_refused(yymmdd):
    with pytest.raises(ValidationError) as error:
        normalize_personnummer("19" + valid(yymmdd), today=TODAY)

    assert error.value.code == "invalid_date"
    assert error.value.messages == ["The personal identity number holds no valid date."]


@pytest.mark.parametrize(
    "raw", ["20" + valid("261123"), "20" + valid("271212"), "20" + valid("261183")]
)
def test_future_dates_are_refused(raw):
    with pytest.raises(ValidationError) as error:
        normalize_personnummer(raw, today=TODAY)

    assert error.value.code == "invalid_date"
    assert error.value.messages == ["The personal identity number holds a date in the future."]


def test_future_date_is_refused_against_the_real_today():
    with pytest.raises(ValidationError) as error:
        normalize_personnummer("20" + valid("991212"))

    assert error.value.code == "invalid_date"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "19121212-121",
        "19121212-12123",
        "1912121212123",
        "19121212_1212",
        "1212121212\n1",
        "12-1212-1212",
        "\u0661\u0669\u0661\u0662\u0661\u0662\u0661\u0662\u0661\u0662\u0661\u0662",  # Arabic-Indic
        "121212--1212",
    ],
)
def test_garbage_is_refused_as_a_format_error(raw):
    with pytest.raises(ValidationError) as error:
        normalize_personnummer(raw, today=TODAY)

    assert error.value.code == "invalid_format"
    assert error.value.messages == ["Enter a personal identity number as YYYYMMDD-NNNN."]


def test_validate_personnummer_raises_on_invalid_and_passes_valid():
    assert validate_personnummer("19121212-1212") is None
    with pytest.raises(ValidationError):
        validate_personnummer("19121212-1213")


@pytest.mark.django_db
def test_the_user_stores_the_normalized_number_and_refuses_an_invalid_one():
    user = UserFactory()

    user.personnummer = "121212+1212"
    user.save()
    user.refresh_from_db()
    assert user.personnummer == "191212121212"

    with pytest.raises(ValidationError):
        user.personnummer = "121212-1213"
    assert user.personnummer == "191212121212"

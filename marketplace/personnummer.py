"""Swedish personal identity numbers (personnummer and samordningsnummer).

Written here rather than taken from PyPI: the rule is short (date + Luhn), and the package
that exists for it has not had a release since 2024.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# ASCII digits only: "\d" would also take other scripts' digits into the stored value.
_PATTERN = re.compile(r"(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)", re.ASCII)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def normalize_personnummer(value: str, *, today: date | None = None) -> str:
    """Return the 12-digit form YYYYMMDDNNNC, or raise ValidationError.

    Accepts YYMMDD-NNNC, YYMMDD+NNNC (100 years or older), YYYYMMDDNNNC and YYYYMMDD-NNNC.
    A day over 60 is a samordningsnummer (coordination number) and is accepted. Without the
    century, the birth date is the latest one not after today ("-"), or a century before
    that ("+"), as the Swedish Tax Agency reads it.
    """
    today = today or timezone.localdate()
    match = _PATTERN.fullmatch(str(value).strip().replace(" ", ""))
    if not match:
        raise ValidationError(
            _("Enter a personal identity number as YYYYMMDD-NNNN."), code="invalid_format"
        )
    century, yy, mm, dd, sep, serial, check = match.groups()
    if not _luhn_ok(f"{yy}{mm}{dd}{serial}{check}"):
        raise ValidationError(
            _("The personal identity number's check digit is wrong."), code="invalid_checksum"
        )
    day = int(dd) - 60 if int(dd) > 60 else int(dd)
    if century:
        year = int(century + yy)
    else:
        year = today.year // 100 * 100 + int(yy)
        if (year, int(mm), day) > (today.year, today.month, today.day):
            year -= 100
        if sep == "+":
            year -= 100
    try:
        born = date(year, int(mm), day)
    except ValueError as exc:
        raise ValidationError(
            _("The personal identity number holds no valid date."), code="invalid_date"
        ) from exc
    if born > today:
        raise ValidationError(
            _("The personal identity number holds a date in the future."), code="invalid_date"
        )
    return f"{year:04d}{mm}{dd}{serial}{check}"


def validate_personnummer(value: str) -> None:
    normalize_personnummer(value)

"""Money for people to read. Amounts are integers in the currency's minor unit (öre, cents).

One helper, no floats: the split into whole units and minor units is integer arithmetic.
Swedish kronor read "1 250 kr" in both languages (a space groups thousands, whole
kronor drop their öre); other currencies follow the locale's usual shape.
"""

from __future__ import annotations

SPACE = " "  # plain space, as the contract writes "1 250 kr"

# Currencies whose minor unit is not 1/100 (ISO 4217); everything else has two decimals.
_MINOR_DIGITS = {"JPY": 0, "KRW": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3}
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
_KRONOR = {"SEK": "kr", "NOK": "kr", "DKK": "kr."}


def minor_digits(currency: str) -> int:
    return _MINOR_DIGITS.get(currency.upper(), 2)


def _group(whole: int, separator: str) -> str:
    return f"{whole:,}".replace(",", separator)


def format_money(amount: int, currency: str = "SEK", locale: str = "en") -> str:
    """45000 SEK -> "450 kr"; 125000 SEK -> "1 250 kr"; 1250 EUR -> "€12.50" / "12,50 €"."""
    currency = (currency or "SEK").upper()
    swedish = (locale or "en").lower().startswith("sv")
    digits = minor_digits(currency)
    sign = "-" if amount < 0 else ""
    whole, minor = divmod(abs(int(amount)), 10**digits)

    if currency in _KRONOR:
        number = _group(whole, SPACE)
        if minor:
            number += ("," if swedish else ".") + f"{minor:0{digits}d}"
        return f"{sign}{number}{SPACE}{_KRONOR[currency]}"

    if swedish:
        number = _group(whole, SPACE) + (f",{minor:0{digits}d}" if digits else "")
    else:
        number = _group(whole, ",") + (f".{minor:0{digits}d}" if digits else "")
    symbol = _SYMBOLS.get(currency)
    if swedish or symbol is None:
        return f"{sign}{number}{SPACE}{symbol or currency}"
    return f"{sign}{symbol}{number}"

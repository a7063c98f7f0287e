"""Money for people: integer minor units in, "450 kr" out."""

import pytest
from django.template import Context, Template
from django.utils import translation

from marketplace.money import format_money


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (45000, "SEK", "en", "450 kr"),
        (45000, "SEK", "sv", "450 kr"),
        (125000, "SEK", "en", "1 250 kr"),
        (125000, "SEK", "sv", "1 250 kr"),
        (123456700, "SEK", "sv", "1 234 567 kr"),
        (45050, "SEK", "sv", "450,50 kr"),
        (45050, "SEK", "en", "450.50 kr"),
        (0, "SEK", "en", "0 kr"),
        (-45000, "SEK", "en", "-450 kr"),
        (1250, "EUR", "en", "€12.50"),
        (1250, "EUR", "sv", "12,50 €"),
        (123456, "USD", "en", "$1,234.56"),
        (500, "JPY", "en", "500 JPY"),
        (45000, "sek", "sv-se", "450 kr"),
    ],
)
def test_format_money(amount, currency, locale, expected):
    assert format_money(amount, currency, locale) == expected


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "€12.50 / 1 250 kr"), ("sv", "12,50 € / 1 250 kr")]
)
def test_money_template_filter_follows_the_active_language(language, expected):
    template = Template("{% load money %}{{ eur|money:'EUR' }} / {{ sek|money }}")

    with translation.override(language):
        rendered = template.render(Context({"eur": 1250, "sek": 125000}))

    assert rendered == expected


def test_money_filter_of_nothing_is_empty():
    assert Template("{% load money %}[{{ missing|money:'SEK' }}]").render(Context({})) == "[]"

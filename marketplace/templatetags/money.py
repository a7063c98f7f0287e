"""``{{ offering.price_amount|money:offering.currency }}`` in the active language."""

from django import template
from django.utils.translation import get_language

from marketplace.money import format_money

register = template.Library()


@register.filter
def money(amount, currency: str = "SEK") -> str:
    if amount is None or amount == "":
        return ""
    return format_money(int(amount), currency or "SEK", get_language() or "en")

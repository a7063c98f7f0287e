"""``{% trainer_reviews profile %}``: the reviews section of a trainer's public page.

A template tag, so the marketplace's page shows bookings' reviews without its Python
importing bookings. Pages of 10, newest first, through ``?reviews_page=``.
"""

from django import template
from django.core.paginator import Paginator

from ..review_queries import trainer_reviews as visible_reviews

register = template.Library()

PAGE_SIZE = 10


@register.inclusion_tag("bookings/_reviews.html", takes_context=True)
def trainer_reviews(context, profile):
    request = context.get("request")
    user = getattr(request, "user", None)
    raw = request.GET.get("reviews_page", "1") if request is not None else "1"
    paginator = Paginator(visible_reviews(profile.pk), PAGE_SIZE)
    page = paginator.get_page(raw if raw.isascii() and raw.isdigit() else 1)
    return {
        "profile": profile,
        "page": page,
        "request": request,
        "is_trainer": bool(user and user.is_authenticated and user.pk == profile.user_id),
        "can_report": bool(user and user.is_authenticated),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def stars(rating: int) -> str:
    """4 -> "★★★★☆"."""
    rating = int(rating or 0)
    return "★" * rating + "☆" * (5 - rating)

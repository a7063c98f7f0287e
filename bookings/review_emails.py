"""The email a trainer gets about a new review (sent by a Celery task, after commit)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from .models import Review


def send_new_review_email(review: Review) -> None:
    """In the site's language: we do not keep a language per user yet."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "review": review,
            "trainer": review.trainer,
            "author": review.author_name or gettext("A trainee"),
            "stars": "★" * review.rating + "☆" * (5 - review.rating),
            "page_path": f"/trainers/{review.trainer.slug}/#reviews",
        }
        subject = gettext("New review: %(stars)s from %(author)s") % context
        body = render_to_string("bookings/email/new_review.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [review.trainer.user.email])

"""Pages of reviews: the trainee's review form for a booking, and the trainer's reply and
anyone's report, posted from the reviews on a trainer's public page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from traino.exceptions import DomainError
from traino.forms import add_domain_error

from . import queries, review_services
from .models import REVIEW_TEXT_MAX, Review

RATING_CHOICES = [
    (5, _("5 stars: excellent")),
    (4, _("4 stars: good")),
    (3, _("3 stars: okay")),
    (2, _("2 stars: poor")),
    (1, _("1 star: bad")),
]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was the session?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Your review (optional)"),
        required=False,
        max_length=REVIEW_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Shown on the trainer's page with your first name and the initial of your last "
            "name. Any language is fine."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request, booking_id: int):
    """The trainee's review of a completed session. Anyone else: 404 (the booking is not
    theirs) or the refusal's message (not yet completed, already reviewed, too late)."""
    booking = queries.booking_for_user(request.user, booking_id)
    if booking is None or booking.trainee_id != request.user.pk:
        raise Http404
    refusal = review_services.review_refusal(booking, request.user)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            review_services.review_create(
                booking_id=booking.pk,
                trainee=request.user,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, gettext("Thank you! Your review is published."))
            return redirect(f"/trainers/{booking.trainer.slug}/#reviews")
    context = {"booking": booking, "form": form, "refusal": refusal}
    return render(request, "bookings/review_form.html", context, status=200)


def _back(review: Review) -> str:
    return f"/trainers/{review.trainer.slug}/#review-{review.pk}"


@login_required
@require_POST
def review_reply(request, review_id: int):
    review = get_object_or_404(Review.objects.select_related("trainer"), pk=review_id)
    try:
        review_services.review_reply(
            review_id=review.pk, by=request.user, text=request.POST.get("text", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, gettext("Your reply is published."))
    return redirect(_back(review))


@login_required
@require_POST
def review_report(request, review_id: int):
    review = get_object_or_404(Review.objects.select_related("trainer"), pk=review_id)
    try:
        review_services.review_report(
            review_id=review.pk, by=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, gettext("Thank you. Staff will look at the review."))
    return redirect(_back(review))

"""Reads of reviews: a trainer's public list, and what a booking's trainee may still do."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Review


def trainer_reviews(trainer_id: int) -> QuerySet[Review]:
    """The visible reviews of a trainer, newest first (ties by id, so pages never overlap)."""
    return (
        Review.objects.filter(trainer_id=trainer_id, is_hidden=False)
        .select_related("trainee")
        .order_by("-created_at", "-id")
    )

"""Shared steps of the browser tests: logging in, the language, a trainer with sessions."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from bookings.models import Schedule
from tests.factories import OfferingFactory, TrainerProfileFactory

TILE_HOSTS = ("https://tile.openstreetmap.org/**",)


def log_in(page, live_server, user) -> None:
    """Log in by handing the browser a session cookie (the log-in form has its own tests)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def use_language(page, live_server, code: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": code, "url": live_server.url}])


def without_tiles(page) -> None:
    """Map tiles fail at once instead of waiting on a network the tests do not have."""
    for pattern in TILE_HOSTS:
        page.route(pattern, lambda route: route.abort())


def trainer_with_sessions(*, days: int = 120, **fields):
    """A published trainer in Stockholm with a daily 07:00 personal session from tomorrow for
    ``days`` days and a Saturday group class."""
    trainer = TrainerProfileFactory(time_zone="Europe/Stockholm", **fields)
    personal = OfferingFactory(trainer=trainer, title="Personal training", price_amount=45000)
    group = OfferingFactory(
        trainer=trainer, title="Running group", price_amount=20000, capacity=8, duration_minutes=45
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    Schedule.objects.create(
        trainer=trainer,
        offering=personal,
        starts_on=tomorrow,
        start_time="07:00",
        time_zone="Europe/Stockholm",
        rrule=f"FREQ=DAILY;COUNT={days}",
    )
    Schedule.objects.create(
        trainer=trainer,
        offering=group,
        starts_on=tomorrow,
        start_time="18:00",
        time_zone="Europe/Stockholm",
        rrule="FREQ=WEEKLY;BYDAY=SA",
    )
    return trainer


def pin_public_point(profile):
    """Put the trainer's public (map) point on its stored one. For tests of the map's own
    behaviour (clusters, selection, layout), which need markers exactly where they put them;
    the public point's ~500 m offset has its own tests (test_public_location*)."""
    from marketplace.models import TrainerProfile

    TrainerProfile.objects.filter(pk=profile.pk).update(
        public_latitude=profile.latitude, public_longitude=profile.longitude
    )
    profile.public_latitude, profile.public_longitude = profile.latitude, profile.longitude
    return profile

"""A new trainer's setup: sign-up leads to a checklist (profile, offering, schedule, publish),
each step comes back to it, and publishing needs an active schedule with a coming session."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from bookings import queries as bookings_queries
from marketplace import services
from marketplace.errors import NotPublishable
from marketplace.models import Role, TrainerProfile
from marketplace.queries import publish_requirements, user_get_by_email
from tests.factories import (
    OfferingFactory,
    ScheduleFactory,
    TrainerProfileFactory,
    coming_schedule,
)

pytestmark = pytest.mark.django_db

PASSWORD = "plum-tractor-violin-42"
NO_SCHEDULE = "Add a schedule with at least one coming session before publishing."


def draft_trainer(**fields):
    defaults = {"is_published": False, "latitude": None, "longitude": None}
    return TrainerProfileFactory(**{**defaults, **fields})


def steps(body: str) -> list[tuple[str, str]]:
    """(state, title) of each setup step, in order."""
    found = re.findall(
        r'<li class="setup-step (done|todo)[^"]*"[^>]*>.*?<h3[^>]*>([^<]+)</h3>', body, re.S
    )
    return [(state, unescape(title)) for state, title in found]


def action_links(body: str) -> list[str]:
    return [
        unescape(url)
        for url in re.findall(r'<a [^>]*href="([^"]+)"[^>]*data-testid="setup-action"', body)
    ]


def test_signing_up_as_a_trainer_lands_on_the_setup_of_a_draft_page(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "nova@example.se",
            "name": "Nova Persson",
            "role": Role.TRAINER,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": "/trainers/someone/",
        },
    )

    assert (response.status_code, response.url) == (302, "/trainer/setup/")
    user = user_get_by_email("nova@example.se")
    profile = TrainerProfile.objects.get(user=user)
    assert (profile.display_name, profile.is_published) == ("Nova Persson", False)
    page = client.get("/trainer/setup/")
    assert steps(page.text) == [
        ("todo", "Your location is set on the map"),
        ("todo", "At least one bookable offering"),
        ("todo", "A schedule with a coming session"),
        ("todo", "Publish your page"),
    ]
    assert re.search(
        r'<button type="submit" class="small" data-testid="publish" disabled>', page.text
    )


def test_a_trainee_sign_up_makes_no_trainer_page(client):
    client.post(
        "/accounts/signup/",
        {
            "email": "tove@example.se",
            "role": Role.TRAINEE,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert TrainerProfile.objects.count() == 0


def test_each_step_links_to_its_page_and_back_to_the_setup(client):
    profile = draft_trainer()
    client.force_login(profile.user)

    body = client.get("/trainer/setup/").text

    assert action_links(body) == [
        "/trainer/profile/?next=%2Ftrainer%2Fsetup%2F",
        "/trainer/offerings/new/?next=%2Ftrainer%2Fsetup%2F",
        "/trainer/schedules/new/?next=%2Ftrainer%2Fsetup%2F",
    ]


def test_the_checklist_follows_what_is_done_and_the_page_can_then_be_published(client):
    # given a trainer with a location and an offering, but no schedule yet
    profile = draft_trainer(latitude=59.33, longitude=18.06)
    offering = OfferingFactory(trainer=profile)
    client.force_login(profile.user)

    # then the checklist says the schedule is missing
    body = client.get("/trainer/setup/").text
    assert [state for state, _title in steps(body)] == ["done", "done", "todo", "todo"]
    assert NO_SCHEDULE in body

    # when a schedule with a coming session exists
    coming_schedule(offering)
    body = client.get("/trainer/setup/").text

    # then everything but publishing is done, and the button works
    assert [state for state, _title in steps(body)] == ["done", "done", "done", "todo"]
    response = client.post("/trainer/publish/", {"published": "1", "page": "setup"})
    assert (response.status_code, response.url) == (302, f"/trainers/{profile.slug}/")
    profile.refresh_from_db()
    assert profile.is_published is True


def test_a_refused_publish_from_the_setup_shows_the_reasons_there(client):
    profile = draft_trainer(latitude=59.33, longitude=18.06)
    OfferingFactory(trainer=profile)
    client.force_login(profile.user)

    response = client.post("/trainer/publish/", {"published": "1", "page": "setup"})

    assert response.status_code == 200
    assert response.templates[0].name == "marketplace/trainer/setup.html"
    assert response.context["publish_errors"] == [NO_SCHEDULE]
    assert TrainerProfile.objects.get(pk=profile.pk).is_published is False


@pytest.mark.parametrize(
    "kind",
    ["stopped", "offering inactive", "all past", "all cancelled", "beyond the horizon"],
)
def test_schedules_without_a_coming_session_do_not_count(kind, settings):
    profile = draft_trainer(latitude=59.33, longitude=18.06)
    OfferingFactory(trainer=profile)
    offering = OfferingFactory(trainer=profile, is_active=kind != "offering inactive")
    today = timezone.localdate()
    fields = {"starts_on": today + timedelta(days=1), "rrule": "FREQ=DAILY;COUNT=2"}
    if kind == "stopped":
        fields["is_active"] = False
    elif kind == "all past":
        fields["starts_on"] = today - timedelta(days=10)
    elif kind == "all cancelled":
        first = today + timedelta(days=1)
        fields["exdates"] = [
            f"{first.isoformat()}T07:00:00",
            f"{(first + timedelta(days=1)).isoformat()}T07:00:00",
        ]
    elif kind == "beyond the horizon":
        settings.SCHEDULE_HORIZON_DAYS = 30
        fields["starts_on"] = today + timedelta(days=40)
    ScheduleFactory(offering=offering, **fields)

    with pytest.raises(NotPublishable) as caught:
        services.trainer_publish(profile=profile, published=True)

    assert caught.value.field_messages() == {"schedules": [NO_SCHEDULE]}
    assert bookings_queries.trainer_has_coming_session(profile.pk) is False


def test_one_coming_session_is_enough():
    profile = draft_trainer(latitude=59.33, longitude=18.06)
    offering = OfferingFactory(trainer=profile)
    tomorrow = timezone.localdate() + timedelta(days=1)
    ScheduleFactory(offering=offering, starts_on=tomorrow, rrule="FREQ=DAILY;COUNT=1")

    services.trainer_publish(profile=profile, published=True)

    assert TrainerProfile.objects.get(pk=profile.pk).is_published is True


def test_the_requirements_come_in_the_order_a_trainer_meets_them():
    profile = draft_trainer()

    requirements = publish_requirements(profile)

    assert [(r.field, r.done) for r in requirements] == [
        ("latitude", False),
        ("offerings", False),
        ("schedules", False),
    ]
    assert [r.url for r in requirements] == [
        "/trainer/profile/",
        "/trainer/offerings/new/",
        "/trainer/schedules/new/",
    ]


def test_the_profile_page_checklist_lists_the_schedule_too(client):
    profile = draft_trainer()
    client.force_login(profile.user)

    body = client.get("/trainer/profile/").text

    assert '<li class="todo">A schedule with a coming session</li>' in body


# --- each step returns to the setup ------------------------------------------------------------


def test_the_profile_step_returns_to_the_setup(client):
    profile = draft_trainer(display_name="Nova")
    client.force_login(profile.user)
    form = client.get("/trainer/profile/?next=/trainer/setup/").text
    assert '<input type="hidden" name="next" value="/trainer/setup/">' in form

    response = client.post(
        "/trainer/profile/",
        {
            "display_name": "Nova",
            "latitude": "59.33",
            "longitude": "18.06",
            "time_zone": "Europe/Stockholm",
            "next": "/trainer/setup/",
        },
    )

    assert (response.status_code, response.url) == (302, "/trainer/setup/")
    assert TrainerProfile.objects.get(pk=profile.pk).has_location


def test_the_offering_step_returns_to_the_setup(client):
    profile = draft_trainer()
    client.force_login(profile.user)

    response = client.post(
        "/trainer/offerings/new/?next=/trainer/setup/",
        {
            "title": "PT",
            "duration_minutes": "60",
            "price": "450",
            "capacity": "1",
            "is_active": "on",
        },
    )

    assert (response.status_code, response.url) == (302, "/trainer/setup/")
    assert profile.offerings.count() == 1


def test_the_schedule_step_returns_to_the_setup_and_never_elsewhere(client):
    profile = draft_trainer()
    offering = OfferingFactory(trainer=profile)
    client.force_login(profile.user)
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    data = {
        "offering": str(offering.pk),
        "starts_on": monday.isoformat(),
        "start_time": "07:00",
        "repeat": "weekly",
        "interval": "2",
        "weekdays": ["MO"],
        "duration_minutes": "",
        "end": "count",
        "until_date": "",
        "count": "10",
    }

    back = client.post("/trainer/schedules/new/?next=/trainer/setup/", data)
    away = client.post(
        "/trainer/schedules/new/?next=https://evil.example/",
        {**data, "start_time": "12:00"},
    )

    assert (back.status_code, back.url) == (302, "/trainer/setup/")
    assert away.status_code == 302
    assert away.url.startswith("/trainer/calendar/")
    assert profile.schedules.count() == 2


def test_the_setup_tab_shows_while_the_page_is_a_draft(client):
    draft = draft_trainer()
    client.force_login(draft.user)
    assert 'data-testid="tab-setup"' in client.get("/trainer/offerings/").text

    published = TrainerProfileFactory()
    client.force_login(published.user)
    assert 'data-testid="tab-setup"' not in client.get("/trainer/offerings/").text

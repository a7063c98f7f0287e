"""Both calendars share one copy of the time helpers and of the toolbar helpers (calendar-ui.js),
loaded before them."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import OfferingFactory

pytestmark = pytest.mark.django_db

JS = Path(settings.BASE_DIR) / "static" / "js"


def scripts(response) -> list[str]:
    found = re.findall(r'<script src="/static/js/([\w-]+\.js)"', response.content.decode())
    return [name for name in found if "calendar" in name]


def test_the_helpers_are_defined_once_in_calendar_time_js():
    defining = sorted(
        path.name
        for path in JS.glob("*.js")
        if re.search(r"function (wallTime|isoDate)\(date(, zone)?\) \{\n", path.read_text())
    )

    assert defining == ["calendar-time.js"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/trainer/calendar/", ["calendar-time.js", "calendar-ui.js", "trainer-calendar.js"]),
        ("/trainer/schedules/new/", ["calendar-time.js", "trainer-calendar.js"]),
    ],
)
def test_trainer_pages_load_the_helpers_first(client, path, expected):
    offering = OfferingFactory()
    client.force_login(offering.trainer.user)

    response = client.get(path)

    assert response.status_code == 200
    assert scripts(response) == expected


def test_the_public_trainer_page_loads_the_helpers_first(client):
    trainer = OfferingFactory().trainer
    trainer.is_published = True
    trainer.save()

    response = client.get(f"/trainers/{trainer.slug}/")

    assert response.status_code == 200
    assert scripts(response) == ["calendar-time.js", "calendar-ui.js", "trainee-calendar.js"]

"""Staff find users in the admin by name (the account's or the trainer page's, any part, any
case) and by an email written in full (emails are encrypted: no partial match)."""

import pytest

from marketplace.models import Role
from tests.factories import TrainerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(role=Role.STAFF, is_superuser=True, name="Staff Person"))
    return client


@pytest.fixture
def people():
    anna = UserFactory(name="Anna Lindqvist", email="anna.l@example.se")
    björn = UserFactory(name="Björn Sandberg", email="bjorn@example.se")
    coach = TrainerProfileFactory(display_name="Coach Cecilia", user__name="Cecilia Holm").user
    return {"anna": anna, "björn": björn, "coach": coach}


def found(staff_client, q) -> list[str]:
    response = staff_client.get("/admin/marketplace/user/", {"q": q})
    assert response.status_code == 200
    return sorted(user.name for user in response.context["cl"].result_list)


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("Lindqvist", ["Anna Lindqvist"]),
        ("anna lind", ["Anna Lindqvist"]),
        ("SANDBERG", ["Björn Sandberg"]),
        ("Coach", ["Cecilia Holm"]),  # the trainer page's name
        ("anna.l@example.se", ["Anna Lindqvist"]),
        ("ANNA.L@EXAMPLE.SE", ["Anna Lindqvist"]),
        ("anna.l@", []),  # part of an email finds nobody
        ("nobody", []),
    ],
)
def test_staff_find_users_by_name_or_exact_email(staff_client, people, q, names):
    assert found(staff_client, q) == names


def test_the_search_box_says_what_it_searches(staff_client):
    response = staff_client.get("/admin/marketplace/user/")

    assert "an email address written in full" in response.content.decode()

"""Users by email: blind-index lookup and uniqueness ignoring case, createsuperuser, log-in."""

import pickle

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from marketplace import crypto, services
from marketplace.errors import EmailTaken
from marketplace.models import Role, User
from marketplace.queries import user_get_by_email
from tests.factories import DEFAULT_PASSWORD, UserFactory
from traino.exceptions import InvalidInput


@pytest.mark.django_db
def test_get_by_natural_key_finds_the_user_whatever_the_case():
    user = UserFactory(email="foo@x.se")

    assert User.objects.get_by_natural_key("Foo@X.se").pk == user.pk
    assert User.objects.get_by_natural_key(" FOO@x.SE ").pk == user.pk
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("fo@x.se")


@pytest.mark.django_db
def test_the_email_index_is_the_keyed_hash_of_the_lower_cased_email():
    user = UserFactory(email="Foo@X.se")

    assert user.email_index == crypto.blind_index("foo@x.se")
    assert User.objects.get(pk=user.pk).email == "Foo@X.se"


@pytest.mark.django_db
def test_user_get_by_email_ignores_case_and_returns_none_for_a_stranger():
    user = UserFactory(email="foo@x.se")

    assert user_get_by_email("FOO@X.SE") == user
    assert user_get_by_email("nobody@x.se") is None


@pytest.mark.django_db
def test_user_create_refuses_the_same_email_in_another_case():
    # Given an account for foo@x.se
    services.user_create(email="foo@x.se", password="pw-123456789")

    # When someone signs up with FOO@X.SE
    with pytest.raises(EmailTaken) as error:
        services.user_create(email="FOO@X.SE", password="pw-123456789")

    # Then it is refused on the email field and only one account exists
    assert (error.value.code, error.value.status) == ("EMAIL_TAKEN", 409)
    assert error.value.field_messages() == {"email": ["An account with this email already exists."]}
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_the_same_email_in_another_case():
    UserFactory(email="foo@x.se")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="Foo@X.SE")

    assert User.objects.count() == 1


@pytest.mark.django_db
def test_user_create_stores_every_value_encrypted_and_readable():
    user = services.user_create(
        email="Anna@Example.SE",
        password="pw-123456789",
        role=Role.TRAINER,
        phone="070-123 45 67",
        personnummer="121212-1212",
    )

    loaded = User.objects.get(pk=user.pk)
    assert (loaded.email, loaded.phone, loaded.personnummer, loaded.role) == (
        "Anna@example.se",
        "070-123 45 67",
        "201212121212",
        Role.TRAINER,
    )
    assert loaded.check_password("pw-123456789")


@pytest.mark.django_db
def test_user_create_refuses_an_invalid_personnummer_on_its_field():
    with pytest.raises(InvalidInput) as error:
        services.user_create(email="a@x.se", password="pw", personnummer="121212-1213")

    assert error.value.field_messages() == {
        "personnummer": ["The personal identity number's check digit is wrong."]
    }
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_createsuperuser_runs_non_interactively_with_the_email(monkeypatch, client):
    # Given the password in the environment, as in a deployment script
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "admin-pass-2026")

    # When createsuperuser runs without a prompt, the email under USERNAME_FIELD's option
    call_command("createsuperuser", interactive=False, email_index="Admin@Traino.SE", verbosity=0)

    # Then one staff superuser exists, found by its email, that can log in
    admin = User.objects.get_by_natural_key("admin@traino.se")
    assert (admin.email, admin.is_superuser, admin.is_staff, admin.role) == (
        "Admin@traino.se",
        True,
        True,
        Role.STAFF,
    )
    assert admin.email_index == crypto.blind_index("admin@traino.se")
    assert admin.check_password("admin-pass-2026")
    request = RequestFactory().post("/accounts/login/")
    assert client.login(request=request, username="admin@traino.se", password="admin-pass-2026")
    response = client.get("/admin/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_createsuperuser_refuses_an_email_already_taken_in_another_case(monkeypatch):
    UserFactory(email="admin@traino.se")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "admin-pass-2026")

    with pytest.raises(CommandError, match="already taken"):
        call_command("createsuperuser", interactive=False, email_index="ADMIN@traino.se")

    assert User.objects.count() == 1


@pytest.mark.django_db
def test_createsuperuser_refuses_a_malformed_email(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "admin-pass-2026")

    with pytest.raises(CommandError, match=r"Enter a valid email address\."):
        call_command("createsuperuser", interactive=False, email_index="not-an-email")

    assert User.objects.count() == 0


@pytest.mark.django_db
def test_a_user_logs_in_with_the_email_in_any_case():
    user = UserFactory(email="foo@x.se")
    request = RequestFactory().post("/accounts/login/")

    authenticated = authenticate(request, username="Foo@X.SE", password=DEFAULT_PASSWORD)

    assert authenticated == user
    assert authenticate(request, username="foo@x.se", password="wrong") is None


@pytest.mark.django_db
def test_a_pickled_user_carries_no_decrypted_value():
    # Given a user whose values have been read (and so cached in memory)
    user = UserFactory(email="pickle@example.se", phone="+46701112233")
    assert (user.email, user.phone) == ("pickle@example.se", "+46701112233")

    # When it is pickled, as the cache or a session would
    data = pickle.dumps(user)

    # Then the bytes hold no plaintext, and the copy still decrypts
    assert b"pickle@example.se" not in data
    assert b"46701112233" not in data
    assert pickle.loads(data).email == "pickle@example.se"


@pytest.mark.django_db
def test_user_update_details_refuses_an_invalid_personnummer_and_writes_nothing():
    user = UserFactory(name="Old Name")

    with pytest.raises(InvalidInput) as error:
        services.user_update_details(
            user=user, name="New Name", phone="", personnummer="121212-1213"
        )

    assert error.value.field_messages() == {
        "personnummer": ["The personal identity number's check digit is wrong."]
    }
    assert User.objects.get(pk=user.pk).name == "Old Name"

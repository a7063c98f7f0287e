"""Account pages in the browser, server side: sign-up, log-in/out, passwords, account details."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from marketplace.models import Role, User
from marketplace.queries import user_get_by_email
from tests.factories import DEFAULT_PASSWORD, TrainerUserFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plum-tractor-violin-42"


def signup_data(**overrides) -> dict:
    data = {
        "email": "new.person@example.se",
        "name": "Nova Persson",
        "role": Role.TRAINER,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return {**data, **overrides}


def test_signup_creates_the_user_with_the_chosen_role_and_logs_them_in(client):
    # When someone signs up as a trainer
    response = client.post(reverse("signup"), signup_data())

    # Then the account exists with that role and name, the session is theirs, and they go on
    # to set up their trainer page
    assert response.status_code == 302
    assert response.url == reverse("trainer-setup")
    user = user_get_by_email("new.person@example.se")
    assert user is not None
    assert (user.role, user.name, user.email) == (
        Role.TRAINER,
        "Nova Persson",
        "new.person@example.se",
    )
    assert user.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_as_a_trainee_is_the_default_choice(client):
    response = client.get(reverse("signup"))

    assert re.search(r'<input type="radio" name="role" value="trainee"[^>]* checked', response.text)


def test_signup_refuses_an_email_taken_in_another_case(client):
    # Given an account for anna@example.se
    UserFactory(email="anna@example.se")

    # When someone signs up with the same address in upper case
    response = client.post(reverse("signup"), signup_data(email="ANNA@Example.se"))

    # Then the form is shown again with the message on the email field, and nobody is added
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["An account with this email already exists."]
    }
    assert "An account with this email already exists." in response.text
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session


def test_signup_refuses_two_different_passwords(client):
    response = client.post(reverse("signup"), signup_data(password2="plum-tractor-violin-43"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"password2": ["The two passwords are not the same."]}
    assert User.objects.count() == 0


def test_signup_refuses_a_weak_password(client):
    response = client.post(
        reverse("signup"), signup_data(password1="12345678", password2="12345678")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["password1"]
    assert "This password is entirely numeric." in errors["password1"]
    assert User.objects.count() == 0


def test_signup_errors_are_tied_to_their_inputs_for_screen_readers(client):
    response = client.post(reverse("signup"), signup_data(password2="something-else-entirely"))

    html = response.text
    assert re.search(r'<input[^>]*id="id_password2"[^>]*aria-invalid="true"', html) or re.search(
        r'<input[^>]*aria-invalid="true"[^>]*id="id_password2"', html
    )
    assert 'id="id_password2_error"' in html
    assert re.search(r'<input[^>]*aria-describedby="[^"]*id_password2_error', html)
    assert '<label for="id_email">Email</label>' in html


def test_a_logged_in_user_is_sent_home_from_signup(client):
    client.force_login(UserFactory())

    response = client.get(reverse("signup"))

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_login_with_the_email_in_another_case(client):
    # Given an account for Bo with a lower-case address
    user = UserFactory(email="bo@example.se")

    # When Bo logs in through the form with the address in upper case
    response = client.post(
        reverse("login"), {"username": "BO@EXAMPLE.SE", "password": DEFAULT_PASSWORD}
    )

    # Then Bo is logged in and sent on
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_with_a_wrong_password_says_so_without_naming_which_part(client):
    UserFactory(email="bo@example.se")

    response = client.post(reverse("login"), {"username": "bo@example.se", "password": "nope"})

    assert response.status_code == 200
    assert "The email or password is wrong." in response.text
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(client):
    # Given a logged-in user
    client.force_login(UserFactory())

    # When a GET hits the log-out address (a link or an <img> on another site)
    response = client.get(reverse("logout"))

    # Then nothing happens; a POST logs out
    assert response.status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_sets_the_new_password(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(DEFAULT_PASSWORD)


def test_password_change_refuses_a_wrong_old_password(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["old_password"]
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_password_reset_mails_the_address_found_by_the_blind_index_and_its_link_works(client):
    # Given Cia, whose email is stored only encrypted and as a keyed hash
    user = UserFactory(email="cia@example.se")

    # When she asks for a reset typing her address in another case
    response = client.post(reverse("password_reset"), {"email": "Cia@Example.SE"})

    # Then one email goes to her stored address with a link to choose a new password
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cia@example.se"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/\S+/)", message.body)
    assert link is not None

    # When she follows the link and sets a new password
    response = client.get(link.group(1))
    assert response.status_code == 302
    form_url = response.url
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    # Then the new password is hers and logs her in
    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    client.logout()
    response = client.post(
        reverse("login"), {"username": "cia@example.se", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(client):
    UserFactory(email="cia@example.se")

    response = client.post(reverse("password_reset"), {"email": "nobody@example.se"}, follow=True)

    assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert "Check your email" in response.text
    assert mail.outbox == []


def test_account_page_saves_name_phone_and_personnummer(client):
    user = UserFactory(name="Old Name", role="trainer")
    client.force_login(user)

    response = client.post(
        reverse("account"),
        {"name": "Dag Dahl", "phone": "+46 70 123 45 67", "personnummer": "19121212-1212"},
    )

    assert response.status_code == 302
    assert response.url == reverse("account")
    user = User.objects.get(pk=user.pk)
    assert (user.name, user.phone, user.personnummer) == (
        "Dag Dahl",
        "+46 70 123 45 67",
        "191212121212",
    )


def test_account_page_refuses_an_invalid_personnummer_and_saves_nothing(client):
    user = UserFactory(name="Old Name", role="trainer")
    client.force_login(user)

    response = client.post(
        reverse("account"),
        {"name": "Dag Dahl", "phone": "+46 70 123 45 67", "personnummer": "19121212-1213"},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["personnummer"]
    user = User.objects.get(pk=user.pk)
    assert (user.name, user.phone, user.personnummer) == ("Old Name", "", "")


def test_account_page_needs_a_log_in(client):
    response = client.get(reverse("account"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('account')}"


@pytest.mark.parametrize(
    ("lang", "log_in"), [("en", "Log in"), ("sv", "Logga in")], ids=["en", "sv"]
)
def test_login_page_speaks_the_language_asked_for(client, lang, log_in):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=lang)

    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert f"<h1>{log_in}</h1>" in response.text


def test_signup_page_in_swedish(client):
    response = client.get(reverse("signup"), HTTP_ACCEPT_LANGUAGE="sv")

    assert '<html lang="sv">' in response.text
    assert "Skapa ditt konto" in response.text


def test_nav_shows_a_trainer_calendar_and_profile(client):
    client.force_login(TrainerUserFactory())

    html = client.get(reverse("login")).text

    assert f'href="{reverse("trainer-calendar")}"' in html
    assert f'href="{reverse("trainer-profile")}"' in html
    assert f'href="{reverse("trainer-become")}"' not in html


def test_nav_offers_a_trainee_to_become_a_trainer(client):
    client.force_login(UserFactory())

    html = client.get(reverse("login")).text

    assert f'href="{reverse("trainer-become")}"' in html
    assert f'href="{reverse("trainer-calendar")}"' not in html


def test_unknown_page_is_the_styled_404(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="sv")

    assert response.status_code == 404
    assert '<html lang="sv">' in response.text
    assert "/static/css/traino.css" in response.text


def test_favicon_is_linked(client):
    html = client.get(reverse("login")).text

    assert re.search(
        r'<link rel="icon" href="/static/favicon[^"]*\.svg" type="image/svg\+xml">', html
    )


def test_forbidden_page_is_the_styled_403_in_swedish(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.utils import translation

    from traino.errors import handler403

    request = rf.get("/trainer/profile/")
    request.user = AnonymousUser()

    with translation.override("sv"):
        response = handler403(request, PermissionDenied())

    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Du kan inte öppna den här sidan" in html


def test_server_error_page_renders_without_a_request_and_links_the_stylesheet(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert '<link rel="stylesheet" href="/static/css/traino.css">' in html
    assert "Something went wrong on our side" in html
    assert "{%" not in html

"""The account page respects data rights: a trainee is never asked for a personal identity
number; the email changes only through a link sent to the new address; the user downloads
everything we hold on them; closing the account erases the person at once and keeps the
bookkeeping records without them, after showing the bookings in the way."""

import json
import re
import time as time_module
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from bookings import booking_services, recurrence
from bookings.models import Booking, CalendarFeed
from marketplace import account_services, services
from marketplace.crypto import blind_index
from marketplace.models import ApiToken, TrainerProfile, User
from storage.models import UserFile
from tests.bookings.conftest import future_schedule
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SV = {"HTTP_ACCEPT_LANGUAGE": "sv"}
LINK = re.compile(r"http://testserver/accounts/email/confirm/([^/\s\"]+)/")


@pytest.fixture(autouse=True)
def _run_on_commit(monkeypatch):
    """Emails go out after commit; these tests run inside one transaction, so run the
    callbacks at once."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, *a, **k: func())


def upcoming_booking(trainee, schedule=None):
    schedule = schedule or future_schedule()
    start = recurrence.first_start(schedule)
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    return booking_services.booking_confirm_payment(booking_id=booking.pk)


# --- personal identity number ---------------------------------------------------------------


def test_a_trainee_is_never_asked_for_a_personal_identity_number(client):
    user = UserFactory(name="Tove Berg")
    user.personnummer = "191212121212"
    user.save()
    client.force_login(user)

    page = client.get(reverse("account"))
    saved = client.post(reverse("account"), {"name": "Tove B", "phone": "", "personnummer": "x"})

    assert "personnummer" not in page.context["form"].fields
    assert 'name="personnummer"' not in page.text
    assert saved.status_code == 302
    user = User.objects.get(pk=user.pk)
    assert (user.name, user.personnummer) == ("Tove B", "191212121212")


def test_a_trainer_gives_it_for_payouts(client):
    client.force_login(UserFactory(role="trainer"))

    page = client.get(reverse("account"))

    assert "personnummer" in page.context["form"].fields
    assert "Only needed to pay you out as a trainer" in page.text


# --- email change -------------------------------------------------------------------------------


def ask_for_change(client, new_email="new.address@example.se", password=DEFAULT_PASSWORD, **h):
    return client.post(reverse("account-email"), {"email": new_email, "password": password}, **h)


def sent_token(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def test_the_link_goes_to_the_new_address_and_the_change_waits_for_it(client):
    user = UserFactory(email="old.address@example.se", name="Tove Berg")
    client.force_login(user)

    response = ask_for_change(client)

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.address@example.se"]
    assert message.subject == "Confirm your new email address for Traino"
    assert "The link works for 24 hours and only once." in message.body
    html = message.alternatives[0][0]
    assert sent_token(message) in html
    # The link does not carry the address in clear, and nothing changed yet.
    assert "new.address" not in sent_token(message)
    assert User.objects.get(pk=user.pk).email == "old.address@example.se"


def test_the_email_is_in_swedish_for_a_swedish_request(client):
    client.force_login(UserFactory())

    ask_for_change(client, **SV)

    assert mail.outbox[0].subject == "Bekräfta din nya e-postadress för Traino"
    assert "Länken fungerar i 24 timmar och bara en gång." in mail.outbox[0].body


def test_opening_the_link_then_confirming_changes_the_email_and_tells_the_old_one(client):
    user = UserFactory(email="old.address@example.se")
    client.force_login(user)
    ask_for_change(client)
    token = sent_token(mail.outbox[0])
    url = reverse("account-email-confirm", args=[token])

    shown = client.get(url)
    done = client.post(url, follow=True)

    assert "new.address@example.se" in shown.text
    assert User.objects.get(pk=user.pk).email == "new.address@example.se"
    assert User.objects.get(email_index=blind_index("New.Address@example.se")).pk == user.pk
    assert done.redirect_chain[-1][0] == reverse("account")
    notice = mail.outbox[1]
    assert notice.to == ["old.address@example.se"]
    assert "is now new.address@example.se" in notice.body
    assert User.objects.get_by_natural_key("new.address@example.se").check_password(
        DEFAULT_PASSWORD
    )


def test_a_link_works_once(client):
    user = UserFactory()
    client.force_login(user)
    ask_for_change(client)
    url = reverse("account-email-confirm", args=[sent_token(mail.outbox[0])])
    client.post(url)

    again = client.post(url)

    assert again.context["problem"] == (
        "This confirmation link is not valid (any more). Ask for a new one on your account page."
    )


def test_an_expired_link_is_refused(client, monkeypatch):
    user = UserFactory(email="old.address@example.se")
    token = account_services.email_change_token(user=user, new_email="new.address@example.se")
    later = time_module.time() + 25 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = client.post(reverse("account-email-confirm", args=[token]), **SV)

    assert response.context["problem"] == (
        "Bekräftelselänken har gått ut. Be om en ny på din kontosida."
    )
    assert User.objects.get(pk=user.pk).email == "old.address@example.se"


def test_a_tampered_link_is_refused(client):
    user = UserFactory()
    token = account_services.email_change_token(user=user, new_email="new.address@example.se")

    response = client.get(reverse("account-email-confirm", args=[token[:-2] + "xx"]))

    assert "not valid" in response.context["problem"]


def test_an_address_taken_by_another_account_is_refused_at_both_ends(client):
    user = UserFactory()
    UserFactory(email="taken@example.se")
    client.force_login(user)

    asked = ask_for_change(client, new_email="Taken@example.se")
    token = account_services.email_change_token(user=user, new_email="late@example.se")
    UserFactory(email="late@example.se")
    confirmed = client.post(reverse("account-email-confirm", args=[token]))

    assert asked.context["form"].errors["email"] == ["An account with this email already exists."]
    assert confirmed.context["problem"] == "An account with this email already exists."
    assert mail.outbox == []


def test_the_same_address_and_a_wrong_password_are_refused(client):
    user = UserFactory(email="me@example.se")
    client.force_login(user)

    same = ask_for_change(client, new_email="ME@example.se")
    wrong = ask_for_change(client, password="not-my-password")

    assert same.context["form"].errors["email"] == ["This is already your email address."]
    assert wrong.context["form"].errors["password"] == ["The password is wrong."]
    assert mail.outbox == []


# --- data download ------------------------------------------------------------------------------


def test_the_download_holds_everything_about_the_user_and_no_secret(client):
    schedule = future_schedule(
        offering__trainer__display_name="Anna Lindqvist",
        offering__trainer__user__name="Anna Lindqvist",
    )
    trainer = schedule.trainer
    trainer.user.phone = "+46 70 123 45 67"
    trainer.user.save()
    CalendarFeed.objects.create(trainer=trainer)
    _token, raw = services.api_token_issue(user=trainer.user, name="My script")
    UserFile.objects.create(
        user=trainer.user,
        folder="certificate",
        kind="pdf",
        status="ready",
        original_name="diploma.pdf",
        source_content_type="application/pdf",
        key="certificates/abc.pdf",
        size=1234,
    )
    trainee = UserFactory(name="Maja Svensson")
    booking = upcoming_booking(trainee, schedule)
    client.force_login(trainer.user)

    response = client.get(reverse("account-data"))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="traino-my-data-')
    data = json.loads(response.content)
    assert data["account"]["email"] == trainer.user.email
    assert data["account"]["phone"] == "+46 70 123 45 67"
    assert data["trainer_profile"]["slug"] == trainer.slug
    assert [o["title"] for o in data["trainer_profile"]["offerings"]] == [schedule.offering.title]
    assert [s["id"] for s in data["schedules"]] == [schedule.pk]
    assert [b["id"] for b in data["sessions_booked_with_you"]] == [booking.pk]
    assert "Maja" not in response.text  # the trainee's details are theirs, not the trainer's
    assert data["api_tokens"][0]["name"] == "My script"
    assert data["uploads"][0]["original_name"] == "diploma.pdf"
    assert data["calendar_feed"]["created_at"]
    feed_token = CalendarFeed.objects.get(trainer=trainer).token
    for secret in (
        raw,
        raw[12:],
        feed_token,
        trainer.user.password,
        ApiToken.objects.get().key_hash,
    ):
        assert secret not in response.text


def test_a_trainees_download_has_their_bookings(client):
    trainee = UserFactory(name="Maja Svensson")
    booking = upcoming_booking(trainee)
    client.force_login(trainee)

    data = client.get(reverse("account-data")).json()

    assert data["trainer_profile"] is None
    assert [(b["id"], b["status"], b["trainer"]) for b in data["bookings"]] == [
        (booking.pk, "confirmed", booking.trainer.display_name)
    ]
    assert data["bookings"][0]["price"] == {"amount": 45000, "currency": "SEK"}


def test_the_download_needs_a_log_in(client):
    response = client.get(reverse("account-data"))

    assert response.status_code == 302


# --- closing the account ------------------------------------------------------------------------


def close(client, password=DEFAULT_PASSWORD, **extra):
    return client.post(reverse("account-delete"), {"password": password, **extra})


def test_the_page_explains_what_is_erased_and_what_is_kept(client):
    client.force_login(UserFactory())

    response = client.get(reverse("account-delete"))

    assert "Your name, email address, phone number and personal identity number." in response.text
    assert "Swedish bookkeeping law requires us to keep records" in response.text


def test_an_account_without_bookings_is_deleted_and_logged_out(client):
    user = UserFactory()
    client.force_login(user)

    response = close(client)

    assert response.url == reverse("home")
    assert not User.objects.filter(pk=user.pk).exists()
    assert client.get(reverse("account")).status_code == 302  # logged out


def test_a_wrong_password_closes_nothing(client):
    user = UserFactory()
    client.force_login(user)

    response = close(client, password="not-my-password")

    assert response.context["form"].errors["password"] == ["The password is wrong."]
    assert User.objects.filter(pk=user.pk, is_active=True).exists()


def test_a_trainer_sees_the_booked_sessions_first_and_then_closes_with_refunds(client):
    schedule = future_schedule()
    trainer_user = schedule.trainer.user
    booking = upcoming_booking(UserFactory(name="Maja Svensson"), schedule)
    UserFile.objects.create(
        user=trainer_user,
        folder="profile",
        kind="image",
        status="ready",
        source_content_type="image/jpeg",
        key="profile/abc.webp",
    )
    old_slug = schedule.trainer.slug
    client.force_login(trainer_user)

    shown = close(client)

    assert shown.status_code == 200
    assert shown.context["affected"]["lines"][0].endswith(": Maja")
    assert 'name="cancel_bookings" value="1"' in shown.text
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert User.objects.get(pk=trainer_user.pk).is_active is True

    done = close(client, cancel_bookings="1")

    assert done.url == reverse("home")
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.refund_percent) == (
        "cancelled",
        "trainer",
        100,
    )
    user = User.objects.get(pk=trainer_user.pk)  # kept for the bookings, without the person
    assert (user.name, user.phone, user.is_active, user.has_usable_password()) == (
        "",
        "",
        False,
        False,
    )
    assert user.email.endswith("@deleted.traino.invalid")
    profile = TrainerProfile.objects.get(user=user)
    assert (profile.display_name, profile.is_published) == ("Former trainer", False)
    assert profile.slug != old_slug and profile.slug.startswith("former-trainer-")
    assert not UserFile.objects.filter(user=user).exists()
    assert Booking.objects.filter(pk=booking.pk).exists()


def test_a_trainee_with_past_bookings_is_anonymised_not_deleted(client):
    trainee = UserFactory(name="Maja Svensson")
    booking = upcoming_booking(trainee)
    Booking.objects.filter(pk=booking.pk).update(
        status="completed",
        start=timezone.now() - timedelta(days=3),
        end=timezone.now() - timedelta(days=3) + timedelta(hours=1),
    )
    client.force_login(trainee)

    response = close(client)

    assert response.status_code == 302
    user = User.objects.get(pk=trainee.pk)
    assert (user.name, user.is_active) == ("", False)
    assert Booking.objects.get(pk=booking.pk).trainee_id == user.pk


def test_a_trainer_with_a_payout_account_is_anonymised_not_deleted(client):
    from tests.factories import ConnectedAccountFactory, TrainerProfileFactory

    profile = TrainerProfileFactory()
    ConnectedAccountFactory(trainer=profile)
    client.force_login(profile.user)

    response = close(client)

    assert response.url == reverse("home")
    user = User.objects.get(pk=profile.user_id)
    assert (user.name, user.is_active) == ("", False)
    assert TrainerProfile.objects.get(pk=profile.pk).display_name == "Former trainer"


def test_a_trainers_download_has_their_payout_account(client):
    from tests.factories import ConnectedAccountFactory, TrainerProfileFactory

    profile = TrainerProfileFactory()
    account = ConnectedAccountFactory(trainer=profile, payouts_enabled=True)
    client.force_login(profile.user)

    data = client.get(reverse("account-data")).json()

    assert data["payout_account"]["stripe_account_id"] == account.stripe_account_id
    assert data["payout_account"]["payouts_enabled"] is True


def test_at_most_five_links_an_hour(client):
    user = UserFactory()
    client.force_login(user)

    answers = [ask_for_change(client, new_email=f"new{n}@example.se") for n in range(6)]

    assert [a.status_code for a in answers] == [302] * 5 + [200]
    assert answers[-1].context["form"].non_field_errors() == [
        "You asked for too many links. Try again in an hour."
    ]
    assert len(mail.outbox) == 5

"""The trainer's Get paid page and the way through (Stripe's or the demo's) onboarding."""

import pytest
from django.urls import reverse

from payments import tasks
from payments.models import AccountState, ConnectedAccount, WebhookEvent
from tests.factories import ConnectedAccountFactory, TrainerProfileFactory, UserFactory
from tests.stripe_double.server import SERVER_ERROR

pytestmark = pytest.mark.django_db
PAGE = "/trainer/get-paid/"


@pytest.fixture
def trainer(client):
    profile = TrainerProfileFactory()
    client.force_login(profile.user)
    return profile


def test_a_trainer_without_an_account_is_offered_to_set_one_up_and_told_they_can_be_booked(
    client, trainer
):
    response = client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-state="not_started"' in html
    assert 'data-testid="start-onboarding"' in html
    assert "You can be booked before this is done" in html
    assert 'data-testid="demo-badge"' in html  # no Stripe keys in tests: the demo gateway
    assert f'href="{PAGE}" aria-current="page" data-testid="tab-get-paid"' in html


def test_the_trainer_pages_link_to_get_paid(client, trainer):
    html = client.get("/trainer/offerings/").content.decode()

    assert f'href="{PAGE}"' in html


def test_a_pending_account_shows_what_stripe_still_needs(client, trainer):
    ConnectedAccountFactory(
        trainer=trainer,
        requirements={
            "currently_due": ["external_account", "individual.verification.document"],
            "past_due": ["tos_acceptance.date", "tos_acceptance.ip"],
        },
    )

    html = client.get(PAGE).content.decode()

    assert 'data-state="pending"' in html
    assert "A bank account for your payouts" in html
    assert "An identity document" in html
    assert html.count("Accepting Stripe&#x27;s terms of service") == 1
    assert "Continue with Stripe" in html
    assert "You can be booked before this is done" in html


def test_an_enabled_account_says_so(client, trainer):
    ConnectedAccountFactory(
        trainer=trainer, charges_enabled=True, payouts_enabled=True, details_submitted=True
    )

    html = client.get(PAGE).content.decode()

    assert 'data-state="enabled"' in html
    assert 'data-testid="enabled-message"' in html
    assert "start-onboarding" not in html


def test_the_page_reads_in_swedish(client, trainer):
    html = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="sv").content.decode()

    assert "Få betalt" in html
    assert "Du kan bokas innan detta är klart" in html


def test_someone_who_is_not_a_trainer_is_told_what_the_page_is_for(client):
    client.force_login(UserFactory())

    response = client.get(PAGE)

    assert response.status_code == 200
    assert 'data-testid="not-a-trainer"' in response.content.decode()
    assert client.post(reverse("payments-onboarding-start")).status_code == 404


def test_the_page_needs_a_log_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_starting_sends_the_trainer_to_stripe_with_absolute_return_and_refresh_urls(
    client, trainer, stripe_double
):
    response = client.post(reverse("payments-onboarding-start"))

    account = ConnectedAccount.objects.get(trainer=trainer)
    assert response.status_code == 302
    assert response["Location"].startswith(
        f"https://connect.stripe.com/setup/e/{account.stripe_account_id}/"
    )
    (link,) = stripe_double.requests_to("POST", "/v1/account_links")
    assert link.params["refresh_url"] == "http://testserver/trainer/get-paid/refresh/"
    assert link.params["return_url"] == "http://testserver/trainer/get-paid/return/"


def test_starting_needs_a_post(client, trainer):
    assert client.get(reverse("payments-onboarding-start")).status_code == 405


def test_an_expired_link_brings_the_trainer_to_a_new_one(client, trainer, stripe_double):
    client.post(reverse("payments-onboarding-start"))

    response = client.get(reverse("payments-onboarding-refresh"))

    assert response.status_code == 302
    assert len(stripe_double.requests_to("POST", "/v1/account_links")) == 2
    assert len(stripe_double.requests_to("POST", "/v1/accounts")) == 1


def test_the_refresh_url_makes_no_account_for_a_trainer_who_has_none(
    client, trainer, stripe_double
):
    response = client.get(reverse("payments-onboarding-refresh"))

    assert response["Location"] == PAGE
    assert stripe_double.requests == []
    assert not ConnectedAccount.objects.exists()


def test_coming_back_from_stripe_shows_the_state_stripe_has(client, trainer, stripe_double):
    client.post(reverse("payments-onboarding-start"))
    account = ConnectedAccount.objects.get(trainer=trainer)
    stripe_double.enable_account(account.stripe_account_id)

    response = client.get(reverse("payments-onboarding-return"), follow=True)

    html = response.content.decode()
    assert 'data-state="enabled"' in html
    assert "Stripe is set up: you can be paid." in html
    account.refresh_from_db()
    assert account.state == AccountState.ENABLED


def test_when_stripe_is_unreachable_the_trainer_is_told_and_the_account_is_made_later(
    client, trainer, stripe_double, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks.ensure_connected_account, "delay", queued.append)
    stripe_double.fail_next("POST", "/v1/accounts", SERVER_ERROR, times=3)

    response = client.post(reverse("payments-onboarding-start"), follow=True)

    assert "Stripe could not be reached" in response.content.decode()
    assert queued == [trainer.pk]


def test_the_demo_onboarding_enables_the_account_through_a_signed_event(
    client, trainer, django_capture_on_commit_callbacks
):
    start = client.post(reverse("payments-onboarding-start"))
    account = ConnectedAccount.objects.get(trainer=trainer)
    assert start["Location"] == f"/trainer/get-paid/demo/{account.stripe_account_id}/"
    demo_page = client.get(start["Location"]).content.decode()
    assert 'data-testid="finish-demo-onboarding"' in demo_page

    with django_capture_on_commit_callbacks(execute=True):
        finished = client.post(start["Location"], follow=True)

    assert 'data-state="enabled"' in finished.content.decode()
    assert WebhookEvent.objects.get().type == "account.updated"


def test_the_demo_onboarding_page_is_only_the_trainers_own_and_only_in_demo_mode(
    client, trainer, settings
):
    other = ConnectedAccountFactory(stripe_account_id="acct_demo_other", is_demo=True)
    assert client.get(f"/trainer/get-paid/demo/{other.stripe_account_id}/").status_code == 404
    mine = ConnectedAccountFactory(trainer=trainer, stripe_account_id="acct_demo_x", is_demo=True)
    settings.STRIPE_SECRET_KEY = "sk_test_real"

    assert client.get(f"/trainer/get-paid/demo/{mine.stripe_account_id}/").status_code == 404
    assert client.post(f"/trainer/get-paid/demo/{mine.stripe_account_id}/").status_code == 404

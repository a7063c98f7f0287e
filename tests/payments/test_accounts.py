"""Trainers' Connect accounts: created once with our key, recovered after a crash, onboarded
through Account Links; the demo's onboarding sends a signed account.updated."""

import pytest

from payments import services, tasks
from payments.errors import NotADemoAccount
from payments.gateway import DemoGateway, GatewayUnavailable
from payments.models import AccountState, ConnectedAccount, DemoObject, WebhookEvent
from tests.factories import TrainerProfileFactory
from tests.stripe_double.server import (
    NETWORK_DROP_AFTER_CREATE,
    SERVER_ERROR,
    SERVER_ERROR_AFTER_CREATE,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer():
    return TrainerProfileFactory(user__email="anna@example.se")


def account_posts(stripe_double):
    return stripe_double.requests_to("POST", "/v1/accounts")


def test_the_account_is_created_once_with_a_key_derived_from_the_trainer(trainer, stripe_double):
    first = services.connected_account_ensure(trainer_id=trainer.pk)
    second = services.connected_account_ensure(trainer_id=trainer.pk)

    (post,) = account_posts(stripe_double)
    assert post.idempotency_key == f"account-{trainer.pk}"
    assert post.params["email"] == "anna@example.se"
    assert post.params["country"] == "SE"
    assert post.params["metadata"] == {"trainer_profile_id": str(trainer.pk)}
    assert first.pk == second.pk
    assert first.stripe_account_id == second.stripe_account_id
    assert first.stripe_account_id == stripe_double.objects("account")[0]["id"]
    assert (first.idempotency_key, first.is_demo, first.livemode) == (
        f"account-{trainer.pk}",
        False,
        False,
    )
    assert first.state == AccountState.PENDING
    assert "external_account" in first.requirements["currently_due"]


def test_the_key_is_on_record_before_stripe_is_asked(trainer, stripe_double):
    stripe_double.fail_next("POST", "/v1/accounts", SERVER_ERROR, times=3)

    with pytest.raises(GatewayUnavailable):
        services.connected_account_ensure(trainer_id=trainer.pk)

    row = ConnectedAccount.objects.get()
    assert (row.idempotency_key, row.stripe_account_id) == (f"account-{trainer.pk}", None)
    assert row.create_attempted_at is not None


@pytest.mark.parametrize("failure", [NETWORK_DROP_AFTER_CREATE, SERVER_ERROR_AFTER_CREATE])
def test_after_a_crash_between_stripe_and_us_the_account_is_found_not_created_again(
    trainer, stripe_double, failure
):
    # given Stripe created the account but we never heard back
    stripe_double.fail_next("POST", "/v1/accounts", failure, times=3)
    with pytest.raises(GatewayUnavailable):
        services.connected_account_ensure(trainer_id=trainer.pk)
    assert ConnectedAccount.objects.get().stripe_account_id is None

    # when the trainer clicks again
    row = services.connected_account_ensure(trainer_id=trainer.pk)

    # then the account Stripe made is looked up and kept; no second one is created
    (made,) = stripe_double.objects("account")
    assert row.stripe_account_id == made["id"]
    assert len(account_posts(stripe_double)) == 3  # the first try and the SDK's two retries
    assert stripe_double.requests_to("GET", "/v1/accounts")


def test_a_retry_after_stripe_forgot_the_key_still_finds_the_account(trainer, stripe_double):
    stripe_double.fail_next("POST", "/v1/accounts", NETWORK_DROP_AFTER_CREATE, times=3)
    with pytest.raises(GatewayUnavailable):
        services.connected_account_ensure(trainer_id=trainer.pk)
    stripe_double.advance(hours=25)

    row = services.connected_account_ensure(trainer_id=trainer.pk)

    assert len(stripe_double.objects("account")) == 1
    assert row.stripe_account_id == stripe_double.objects("account")[0]["id"]


def test_a_retry_when_stripe_never_saw_the_request_creates_it_with_the_same_key(
    trainer, stripe_double
):
    stripe_double.fail_next("POST", "/v1/accounts", SERVER_ERROR, times=3)
    with pytest.raises(GatewayUnavailable):
        services.connected_account_ensure(trainer_id=trainer.pk)

    row = services.connected_account_ensure(trainer_id=trainer.pk)

    assert {post.idempotency_key for post in account_posts(stripe_double)} == {
        f"account-{trainer.pk}"
    }
    assert len(account_posts(stripe_double)) == 4
    assert row.stripe_account_id == stripe_double.objects("account")[0]["id"]


def test_a_celery_retry_of_the_account_creation_sends_the_same_key(
    trainer, stripe_double, eager_retries
):
    # given Stripe fails every try of the first run (the SDK's own retries included)
    stripe_double.fail_next("POST", "/v1/accounts", SERVER_ERROR, times=3)

    # when the task runs and Celery retries it
    result = tasks.ensure_connected_account.delay(trainer.pk)

    # then the retry repeated the very same request, and one account exists
    posts = account_posts(stripe_double)
    assert len(posts) == 4
    assert {post.idempotency_key for post in posts} == {f"account-{trainer.pk}"}
    assert {str(post.params) for post in posts} == {str(posts[0].params)}
    (made,) = stripe_double.objects("account")
    assert result.result == made["id"]
    assert ConnectedAccount.objects.get().stripe_account_id == made["id"]


def test_a_changed_email_does_not_make_a_second_account(trainer, stripe_double):
    stripe_double.fail_next("POST", "/v1/accounts", NETWORK_DROP_AFTER_CREATE, times=3)
    with pytest.raises(GatewayUnavailable):
        services.connected_account_ensure(trainer_id=trainer.pk)
    ConnectedAccount.objects.update(create_attempted_at=None)  # as if it were a first try
    trainer.user.email = "anna.new@example.se"
    trainer.user.save()

    row = services.connected_account_ensure(trainer_id=trainer.pk)

    assert len(stripe_double.objects("account")) == 1
    assert row.stripe_account_id == stripe_double.objects("account")[0]["id"]


def test_an_onboarding_link_goes_to_stripe_with_our_return_and_refresh_urls(trainer, stripe_double):
    url = services.onboarding_link_create(
        trainer_id=trainer.pk,
        refresh_url="https://traino.test/trainer/get-paid/refresh/",
        return_url="https://traino.test/trainer/get-paid/return/",
    )

    (link,) = stripe_double.requests_to("POST", "/v1/account_links")
    account_id = ConnectedAccount.objects.get().stripe_account_id
    assert link.params == {
        "account": account_id,
        "refresh_url": "https://traino.test/trainer/get-paid/refresh/",
        "return_url": "https://traino.test/trainer/get-paid/return/",
        "type": "account_onboarding",
    }
    assert link.idempotency_key.startswith(f"account-link-{ConnectedAccount.objects.get().pk}-")
    assert url.startswith(f"https://connect.stripe.com/setup/e/{account_id}/")


def test_refreshing_asks_stripe_for_the_accounts_state(trainer, stripe_double):
    row = services.connected_account_ensure(trainer_id=trainer.pk)
    stripe_double.enable_account(row.stripe_account_id)

    row = services.connected_account_refresh(account_pk=row.pk)

    assert row.state == AccountState.ENABLED
    assert row.can_receive_payouts is True
    assert row.requirements["currently_due"] == []


# --- the demo ------------------------------------------------------------------------------------


def test_in_demo_mode_the_account_is_a_demo_account_onboarded_on_our_own_page(trainer):
    url = services.onboarding_link_create(
        trainer_id=trainer.pk, refresh_url="/refresh", return_url="/return"
    )

    row = ConnectedAccount.objects.get()
    assert row.is_demo is True
    assert row.stripe_account_id.startswith("acct_demo_")
    assert url == f"/trainer/get-paid/demo/{row.stripe_account_id}/"
    assert DemoObject.objects.filter(pk=row.stripe_account_id, object_type="account").exists()


def test_finishing_demo_onboarding_sends_a_signed_account_updated_through_the_intake(
    trainer, django_capture_on_commit_callbacks
):
    row = services.connected_account_ensure(trainer_id=trainer.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.demo_onboarding_finish(trainer_id=trainer.pk)

    event = WebhookEvent.objects.get()
    assert (event.type, event.source, event.status, event.account) == (
        "account.updated",
        "demo",
        "processed",
        row.stripe_account_id,
    )
    assert event.payload["data"]["object"]["payouts_enabled"] is True
    row.refresh_from_db()
    assert row.state == AccountState.ENABLED
    assert DemoGateway().retrieve_account(row.stripe_account_id).charges_enabled is True
    # the event the demo sent is listed like Stripe's, for the daily reconcile
    listed = list(
        DemoGateway().list_events(
            created_after=event.received_at.replace(year=2020),
            stripe_account=row.stripe_account_id,
        )
    )
    assert [e.id for e in listed] == [event.stripe_event_id]


def test_demo_onboarding_cannot_be_finished_with_stripe_keys_set(trainer, stripe_double):
    services.connected_account_ensure(trainer_id=trainer.pk)

    with pytest.raises(NotADemoAccount):
        services.demo_onboarding_finish(trainer_id=trainer.pk)


def test_a_demo_account_is_replaced_once_real_stripe_keys_are_set(trainer, stripe_double, settings):
    settings.STRIPE_SECRET_KEY = ""
    demo = services.connected_account_ensure(trainer_id=trainer.pk)
    assert demo.is_demo is True
    settings.STRIPE_SECRET_KEY = "sk_test_double_0123456789"

    real = services.connected_account_ensure(trainer_id=trainer.pk)

    assert real.pk == demo.pk
    assert real.is_demo is False
    assert real.stripe_account_id == stripe_double.objects("account")[0]["id"]
    assert len(account_posts(stripe_double)) == 1

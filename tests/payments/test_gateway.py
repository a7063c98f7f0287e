"""The gateway talks to Stripe (here: the double) with our keys and parameters, and turns
Stripe's errors into ours."""

import inspect
from datetime import UTC, datetime

import pytest

from payments import gateway as gw
from payments.gateway import (
    AccountUnusable,
    CardDeclined,
    DemoGateway,
    GatewayMisconfigured,
    GatewayUnavailable,
    IdempotencyConflict,
    InsufficientFunds,
    ObjectNotFound,
    RateLimited,
    StripeGateway,
    TransientGatewayError,
    get_gateway,
)
from tests.stripe_double.server import (
    ACCOUNT_CLOSED,
    CARD_DECLINED,
    INSUFFICIENT_BALANCE,
    NETWORK_DROP_AFTER_CREATE,
    RATE_LIMIT,
    SERVER_ERROR,
)

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def gateway(stripe_double) -> StripeGateway:
    found = get_gateway()
    assert isinstance(found, StripeGateway)
    return found


def new_account(gateway, stripe_double, *, enabled=True, key="account-1"):
    account = gateway.create_account(
        email="anna@example.se",
        country="SE",
        metadata={"trainer_profile_id": "1"},
        idempotency_key=key,
    )
    if enabled:
        stripe_double.enable_account(account.id)
    return account


def test_without_a_secret_key_the_gateway_is_the_demo(settings):
    settings.STRIPE_SECRET_KEY = ""

    assert isinstance(get_gateway(), DemoGateway)
    assert gw.is_demo() is True


def test_the_mode_of_the_key_is_the_gateways_livemode(settings, stripe_double):
    assert get_gateway().livemode is False
    settings.STRIPE_SECRET_KEY = "sk_live_double"

    assert get_gateway().livemode is True
    assert gw.key_livemode() is True


@pytest.mark.parametrize(
    "method",
    [name for name, member in vars(gw.Gateway).items() if name.startswith("create_")],
)
def test_every_write_requires_an_idempotency_key_without_a_default(method):
    for implementation in (gw.Gateway, StripeGateway, DemoGateway):
        parameter = inspect.signature(getattr(implementation, method)).parameters.get(
            "idempotency_key"
        )
        assert parameter is not None, (implementation, method)
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        assert parameter.default is inspect.Parameter.empty


def test_create_account_sends_an_express_account_with_our_key(gateway, stripe_double):
    account = new_account(gateway, stripe_double, enabled=False)

    (request,) = stripe_double.requests_to("POST", "/v1/accounts")
    assert request.params == {
        "type": "express",
        "country": "SE",
        "email": "anna@example.se",
        "capabilities": {
            "card_payments": {"requested": "true"},
            "transfers": {"requested": "true"},
        },
        "metadata": {"trainer_profile_id": "1"},
    }
    assert request.idempotency_key == "account-1"
    assert request.stripe_account is None
    assert account.id.startswith("acct_")
    assert (account.charges_enabled, account.payouts_enabled) == (False, False)
    assert "external_account" in account.requirements.currently_due


def test_find_account_looks_up_by_metadata(gateway, stripe_double):
    account = new_account(gateway, stripe_double)

    assert gateway.find_account(metadata={"trainer_profile_id": "1"}).id == account.id
    assert gateway.find_account(metadata={"trainer_profile_id": "2"}) is None
    (listing, _) = stripe_double.requests_to("GET", "/v1/accounts")
    assert listing.params == {"limit": "100"}


def test_retrieving_an_unknown_account_is_object_not_found(gateway):
    with pytest.raises(ObjectNotFound):
        gateway.retrieve_account("acct_missing")


def test_an_account_link_goes_to_stripe_with_both_urls(gateway, stripe_double):
    account = new_account(gateway, stripe_double, enabled=False)

    link = gateway.create_account_link(
        account_id=account.id,
        refresh_url="https://traino.test/refresh",
        return_url="https://traino.test/return",
        idempotency_key="account-link-1-abc",
    )

    (request,) = stripe_double.requests_to("POST", "/v1/account_links")
    assert request.params == {
        "account": account.id,
        "refresh_url": "https://traino.test/refresh",
        "return_url": "https://traino.test/return",
        "type": "account_onboarding",
    }
    assert request.idempotency_key == "account-link-1-abc"
    assert link.url.startswith("https://connect.stripe.com/")
    assert link.expires_at is not None


def test_a_payment_intent_carries_amount_metadata_transfer_group_and_key(gateway, stripe_double):
    intent = gateway.create_payment_intent(
        amount=45000,
        currency="SEK",
        metadata={"booking_id": "12", "trainee_id": "3", "trainer_id": "4"},
        transfer_group="booking-12",
        idempotency_key="booking-12-intent",
    )

    (request,) = stripe_double.requests_to("POST", "/v1/payment_intents")
    assert request.params == {
        "amount": "45000",
        "currency": "sek",
        "automatic_payment_methods": {"enabled": "true"},
        "metadata": {"booking_id": "12", "trainee_id": "3", "trainer_id": "4"},
        "transfer_group": "booking-12",
    }
    assert request.idempotency_key == "booking-12-intent"
    assert (intent.amount, intent.currency, intent.status) == (
        45000,
        "SEK",
        "requires_payment_method",
    )
    assert intent.client_secret.startswith(intent.id)
    assert gateway.retrieve_payment_intent(intent.id).transfer_group == "booking-12"


def test_payment_intents_are_found_by_metadata_by_search_and_by_listing(gateway, stripe_double):
    for booking in (1, 2):
        gateway.create_payment_intent(
            amount=100 * booking,
            currency="SEK",
            metadata={"booking_id": str(booking)},
            transfer_group=None,
            idempotency_key=f"booking-{booking}-intent",
        )

    (searched,) = gateway.search_payment_intents(metadata={"booking_id": "2"})
    listed = gateway.find_payment_intent(metadata={"booking_id": "2"}, created_after=LONG_AGO)

    assert searched.amount == listed.amount == 200
    assert gateway.find_payment_intent(metadata={"booking_id": "3"}) is None
    (search,) = stripe_double.requests_to("GET", "/v1/payment_intents/search")
    assert search.params["query"] == "metadata['booking_id']:'2'"


def paid_intent(gateway, stripe_double, amount=45000):
    intent = gateway.create_payment_intent(
        amount=amount,
        currency="SEK",
        metadata={"booking_id": "1"},
        transfer_group="booking-1",
        idempotency_key="booking-1-intent",
    )
    stripe_double.succeed_payment_intent(intent.id)
    return intent


def test_refunds_are_created_with_our_key_listed_and_found(gateway, stripe_double):
    intent = paid_intent(gateway, stripe_double)

    refund = gateway.create_refund(
        payment_intent_id=intent.id,
        amount=20000,
        metadata={"booking_id": "1"},
        idempotency_key="refund-1",
        reason="requested_by_customer",
    )

    (request,) = stripe_double.requests_to("POST", "/v1/refunds")
    assert request.params == {
        "payment_intent": intent.id,
        "amount": "20000",
        "metadata": {"booking_id": "1"},
        "reason": "requested_by_customer",
    }
    assert request.idempotency_key == "refund-1"
    assert [r.id for r in gateway.list_refunds(payment_intent_id=intent.id)] == [refund.id]
    assert gateway.find_refund(payment_intent_id=intent.id, metadata={"booking_id": "1"}) == refund
    assert refund.amount == 20000 and refund.currency == "SEK"


def test_a_transfer_goes_to_the_destination_and_is_found_by_transfer_group(gateway, stripe_double):
    account = new_account(gateway, stripe_double)

    transfer = gateway.create_transfer(
        amount=38250,
        currency="SEK",
        destination=account.id,
        transfer_group="payout-9",
        metadata={"payout_id": "9"},
        idempotency_key="payout-9",
    )

    (request,) = stripe_double.requests_to("POST", "/v1/transfers")
    assert request.params == {
        "amount": "38250",
        "currency": "sek",
        "destination": account.id,
        "transfer_group": "payout-9",
        "metadata": {"payout_id": "9"},
    }
    assert request.idempotency_key == "payout-9"
    assert gateway.find_transfer(transfer_group="payout-9") == transfer
    assert gateway.find_transfer(transfer_group="payout-10") is None
    assert transfer.destination == account.id


def test_a_transfer_reversal_is_created_and_found(gateway, stripe_double):
    account = new_account(gateway, stripe_double)
    transfer = gateway.create_transfer(
        amount=1000,
        currency="SEK",
        destination=account.id,
        transfer_group="payout-1",
        metadata={},
        idempotency_key="payout-1",
    )

    reversal = gateway.create_transfer_reversal(
        transfer_id=transfer.id,
        amount=400,
        metadata={"refund_id": "5"},
        idempotency_key="reversal-5",
    )

    (request,) = stripe_double.requests_to("POST", f"/v1/transfers/{transfer.id}/reversals")
    assert request.params == {"amount": "400", "metadata": {"refund_id": "5"}}
    assert request.idempotency_key == "reversal-5"
    assert gateway.find_transfer_reversal(transfer_id=transfer.id, metadata={"refund_id": "5"}) == (
        reversal
    )


def test_events_of_a_connected_account_are_listed_with_the_stripe_account_header(
    gateway, stripe_double
):
    stripe_double.add_event("account.updated", {"id": "acct_1"}, account="acct_1")
    stripe_double.add_event("payment_intent.succeeded", {"id": "pi_1"})

    platform = list(gateway.list_events(created_after=LONG_AGO))
    connect = list(gateway.list_events(created_after=LONG_AGO, stripe_account="acct_1"))

    assert [e.type for e in platform] == ["payment_intent.succeeded"]
    assert [(e.type, e.account) for e in connect] == [("account.updated", "acct_1")]
    assert stripe_double.requests_to("GET", "/v1/events")[-1].stripe_account == "acct_1"


def test_the_balance_is_per_currency(gateway, stripe_double):
    stripe_double.balance = {"sek": 1234}

    assert gateway.retrieve_balance().available == {"SEK": 1234}


# --- errors --------------------------------------------------------------------------------------


def test_a_declined_card_is_card_declined(gateway, stripe_double):
    stripe_double.fail_next("POST", "/v1/payment_intents", CARD_DECLINED)

    with pytest.raises(CardDeclined) as error:
        gateway.create_payment_intent(
            amount=100, currency="SEK", metadata={}, transfer_group=None, idempotency_key="k"
        )

    assert error.value.decline_code == "generic_decline"
    assert error.value.http_status == 402


def test_transfer_failures_are_named(gateway, stripe_double):
    account = new_account(gateway, stripe_double)

    def transfer(key, destination=account.id):
        return gateway.create_transfer(
            amount=100,
            currency="SEK",
            destination=destination,
            transfer_group=None,
            metadata={},
            idempotency_key=key,
        )

    stripe_double.fail_next("POST", "/v1/transfers", INSUFFICIENT_BALANCE)
    with pytest.raises(InsufficientFunds):
        transfer("t-1")
    stripe_double.fail_next("POST", "/v1/transfers", ACCOUNT_CLOSED)
    with pytest.raises(AccountUnusable) as closed:
        transfer("t-2")
    with pytest.raises(AccountUnusable) as unknown:
        transfer("t-3", destination="acct_unknown")

    assert closed.value.code == "account_closed"
    assert unknown.value.code == "resource_missing"


def test_a_key_reused_with_other_parameters_is_an_idempotency_conflict(gateway, stripe_double):
    new_account(gateway, stripe_double, enabled=False)

    with pytest.raises(IdempotencyConflict):
        gateway.create_account(
            email="other@example.se", country="SE", metadata={}, idempotency_key="account-1"
        )


@pytest.mark.parametrize(
    ("failure", "error"), [(RATE_LIMIT, RateLimited), (SERVER_ERROR, GatewayUnavailable)]
)
def test_rate_limits_and_server_errors_are_transient(gateway, stripe_double, failure, error):
    stripe_double.fail_next("GET", "/v1/balance", failure, times=3)

    with pytest.raises(error) as raised:
        gateway.retrieve_balance()

    assert isinstance(raised.value, TransientGatewayError)


def test_a_connection_dropped_once_is_retried_by_the_sdk_with_our_key(gateway, stripe_double):
    stripe_double.fail_next("POST", "/v1/accounts", NETWORK_DROP_AFTER_CREATE)

    account = new_account(gateway, stripe_double, enabled=False)

    attempts = stripe_double.requests_to("POST", "/v1/accounts")
    assert [a.idempotency_key for a in attempts] == ["account-1", "account-1"]
    assert [a["id"] for a in stripe_double.objects("account")] == [account.id]


def test_a_connection_dropped_on_every_try_is_transient(gateway, stripe_double):
    stripe_double.fail_next("POST", "/v1/accounts", NETWORK_DROP_AFTER_CREATE, times=3)

    with pytest.raises(GatewayUnavailable):
        new_account(gateway, stripe_double, enabled=False)

    assert len(stripe_double.requests_to("POST", "/v1/accounts")) == 3


def test_a_wrong_key_is_misconfiguration(gateway, stripe_double, settings):
    stripe_double.api_key_prefixes = ("sk_live_",)

    with pytest.raises(GatewayMisconfigured):
        gateway.retrieve_balance()


# --- the demo gateway ---------------------------------------------------------------------------


@pytest.fixture
def demo(settings, db) -> DemoGateway:
    settings.STRIPE_SECRET_KEY = ""
    return get_gateway()


def test_the_demo_replays_a_key_and_refuses_it_with_other_parameters(demo):
    first = demo.create_account(
        email="a@example.se",
        country="SE",
        metadata={"trainer_profile_id": "1"},
        idempotency_key="k",
    )
    again = demo.create_account(
        email="a@example.se",
        country="SE",
        metadata={"trainer_profile_id": "1"},
        idempotency_key="k",
    )

    assert again == first
    assert first.id.startswith("acct_demo_")
    with pytest.raises(IdempotencyConflict):
        demo.create_account(email="b@example.se", country="SE", metadata={}, idempotency_key="k")


def test_demo_onboarding_enables_the_account(demo):
    account = demo.create_account(
        email="a@example.se",
        country="SE",
        metadata={"trainer_profile_id": "1"},
        idempotency_key="k",
    )

    demo.complete_onboarding(account.id)

    enabled = demo.retrieve_account(account.id)
    assert (enabled.charges_enabled, enabled.payouts_enabled, enabled.details_submitted) == (
        True,
        True,
        True,
    )
    assert enabled.requirements.currently_due == ()
    assert demo.find_account(metadata={"trainer_profile_id": "1"}).id == account.id


def test_demo_intents_refunds_and_transfers_follow_the_same_rules(demo):
    intent = demo.create_payment_intent(
        amount=45000,
        currency="SEK",
        metadata={"booking_id": "1"},
        transfer_group="booking-1",
        idempotency_key="booking-1-intent",
    )
    demo.update_object("payment_intent", intent.id, status="succeeded", amount_received=45000)
    refund = demo.create_refund(
        payment_intent_id=intent.id, amount=5000, metadata={}, idempotency_key="refund-1"
    )
    account = demo.create_account(email="a@e.se", country="SE", metadata={}, idempotency_key="a")

    with pytest.raises(AccountUnusable):
        demo.create_transfer(
            amount=1,
            currency="SEK",
            destination=account.id,
            transfer_group=None,
            metadata={},
            idempotency_key="t",
        )
    demo.complete_onboarding(account.id)
    transfer = demo.create_transfer(
        amount=30000,
        currency="SEK",
        destination=account.id,
        transfer_group="payout-1",
        metadata={},
        idempotency_key="payout-1",
    )

    assert intent.id.startswith("pi_demo_") and intent.client_secret
    assert demo.retrieve_payment_intent(intent.id).status == "succeeded"
    assert demo.find_payment_intent(metadata={"booking_id": "1"}).id == intent.id
    assert demo.list_refunds(payment_intent_id=intent.id) == [refund]
    assert demo.find_transfer(transfer_group="payout-1") == transfer
    assert demo.retrieve_balance().available == {"SEK": 45000 - 5000 - 30000}

"""The Stripe double behaves like Stripe where Traino depends on it, seen through the real SDK."""

import pytest
import stripe

from tests.stripe_double.server import (
    ACCOUNT_CLOSED,
    CARD_DECLINED,
    INSUFFICIENT_BALANCE,
    NETWORK_DROP_AFTER_CREATE,
    SERVER_ERROR_AFTER_CREATE,
    decode_form,
)

ACCOUNT_PARAMS = {
    "type": "express",
    "country": "SE",
    "email": "anna@example.se",
    "capabilities": {"transfers": {"requested": True}},
    "metadata": {"trainer_profile_id": "7"},
}


@pytest.fixture
def client(stripe_double):
    return stripe.StripeClient(
        "sk_test_double", base_addresses={"api": stripe_double.url}, max_network_retries=2
    )


def create_account(client, key="account-7", **changes):
    return client.v1.accounts.create(
        params={**ACCOUNT_PARAMS, **changes}, options={"idempotency_key": key}
    )


def test_a_created_account_starts_from_the_fixture_and_can_be_retrieved_and_listed(
    client, stripe_double
):
    account = create_account(client)

    assert account.id.startswith("acct_")
    assert account.type == "express"
    assert account.country == "SE"
    assert account.metadata.to_dict() == {"trainer_profile_id": "7"}
    assert account.charges_enabled is False
    assert "external_account" in account.requirements.currently_due  # from fixtures3.json
    assert client.v1.accounts.retrieve(account.id).email == "anna@example.se"
    assert [a.id for a in client.v1.accounts.list().data] == [account.id]


def test_every_request_is_recorded_with_decoded_params_and_headers(client, stripe_double):
    create_account(client)
    client.v1.accounts.list(options={"stripe_account": "acct_other"})

    post, get = stripe_double.requests
    assert (post.method, post.path) == ("POST", "/v1/accounts")
    assert post.params == {
        "type": "express",
        "country": "SE",
        "email": "anna@example.se",
        "capabilities": {"transfers": {"requested": "true"}},
        "metadata": {"trainer_profile_id": "7"},
    }
    assert post.idempotency_key == "account-7"
    assert post.headers["authorization"] == "Bearer sk_test_double"
    assert (get.method, get.path, get.stripe_account) == ("GET", "/v1/accounts", "acct_other")


def test_the_same_key_with_the_same_params_replays_the_first_answer(client, stripe_double):
    first = create_account(client)
    second = create_account(client)

    assert second.id == first.id
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(stripe_double.objects("account")) == 1


def test_the_same_key_with_other_params_is_an_idempotency_error(client, stripe_double):
    create_account(client)

    with pytest.raises(stripe.IdempotencyError) as error:
        create_account(client, email="someone.else@example.se")

    assert error.value.http_status == 400
    assert "account-7" in str(error.value)
    assert len(stripe_double.objects("account")) == 1


def test_a_key_is_forgotten_after_its_time_so_a_late_retry_creates_a_second_object(
    client, stripe_double
):
    first = create_account(client)
    stripe_double.advance(hours=25)

    second = create_account(client)

    assert second.id != first.id
    assert len(stripe_double.objects("account")) == 2


def test_a_refused_validation_is_not_saved_for_the_key(client, stripe_double):
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.payment_intents.create(
            params={"currency": "sek"}, options={"idempotency_key": "booking-1-intent"}
        )
    assert error.value.code == "parameter_missing"

    intent = client.v1.payment_intents.create(
        params={"amount": 45000, "currency": "sek"}, options={"idempotency_key": "booking-1-intent"}
    )

    assert intent.amount == 45000


def test_payment_intents_are_searchable_by_metadata(client, stripe_double):
    for booking in ("1", "2"):
        client.v1.payment_intents.create(
            params={"amount": 45000, "currency": "sek", "metadata": {"booking_id": booking}},
            options={"idempotency_key": f"booking-{booking}-intent"},
        )

    found = client.v1.payment_intents.search(params={"query": "metadata['booking_id']:'2'"})

    assert [intent.metadata["booking_id"] for intent in found.data] == ["2"]


def test_a_declined_card_is_a_card_error_and_the_intent_stays_unpaid(client, stripe_double):
    intent = client.v1.payment_intents.create(
        params={"amount": 45000, "currency": "sek"}, options={"idempotency_key": "pi-1"}
    )

    with pytest.raises(stripe.CardError) as error:
        client.v1.payment_intents.confirm(
            intent.id,
            params={"payment_method": "pm_card_chargeDeclined"},
            options={"idempotency_key": "pi-1-confirm"},
        )

    assert error.value.http_status == 402
    assert error.value.error.decline_code == "generic_decline"
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_payment_method"


def test_an_injected_decline_is_replayed_for_the_same_key(client, stripe_double):
    stripe_double.fail_next("POST", "/v1/payment_intents", CARD_DECLINED)
    params = {"amount": 100, "currency": "sek"}

    for _ in range(2):
        with pytest.raises(stripe.CardError):
            client.v1.payment_intents.create(params=params, options={"idempotency_key": "k"})

    assert stripe_double.objects("payment_intent") == []


def enabled_account(client, stripe_double):
    account = create_account(client)
    stripe_double.enable_account(account.id)
    return account


def test_transfers_are_listed_by_transfer_group_and_reversed(client, stripe_double):
    account = enabled_account(client, stripe_double)
    for period in ("2026-10", "2026-11"):
        client.v1.transfers.create(
            params={
                "amount": 38250,
                "currency": "sek",
                "destination": account.id,
                "transfer_group": f"payout-{period}",
            },
            options={"idempotency_key": f"payout-{period}"},
        )

    (transfer,) = client.v1.transfers.list(params={"transfer_group": "payout-2026-11"}).data
    client.v1.transfers.reversals.create(
        transfer.id, params={"amount": 1000}, options={"idempotency_key": "reversal-1"}
    )

    assert transfer.destination == account.id
    assert client.v1.transfers.retrieve(transfer.id).amount_reversed == 1000
    assert [r.amount for r in client.v1.transfers.reversals.list(transfer.id).data] == [1000]


def test_transfers_fail_on_an_empty_balance_and_on_a_closed_account(client, stripe_double):
    account = enabled_account(client, stripe_double)
    params = {"amount": 100, "currency": "sek", "destination": account.id}
    stripe_double.fail_next("POST", "/v1/transfers", INSUFFICIENT_BALANCE)

    with pytest.raises(stripe.InvalidRequestError) as empty:
        client.v1.transfers.create(params=params, options={"idempotency_key": "t-1"})
    stripe_double.close_account(account.id)
    with pytest.raises(stripe.InvalidRequestError) as closed:
        client.v1.transfers.create(params=params, options={"idempotency_key": "t-2"})

    assert empty.value.code == "balance_insufficient"
    assert closed.value.code == "account_closed"
    assert stripe_double.objects("transfer") == []


def test_an_injected_account_closed_fails_one_transfer(client, stripe_double):
    account = enabled_account(client, stripe_double)
    stripe_double.fail_next("POST", "/v1/transfers", ACCOUNT_CLOSED)
    params = {"amount": 100, "currency": "sek", "destination": account.id}

    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.transfers.create(params=params, options={"idempotency_key": "t-1"})
    transfer = client.v1.transfers.create(params=params, options={"idempotency_key": "t-2"})

    assert error.value.code == "account_closed"
    assert transfer.amount == 100


def test_a_real_balance_shortfall_is_refused_too(client, stripe_double):
    account = enabled_account(client, stripe_double)
    stripe_double.balance["sek"] = 99

    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.transfers.create(
            params={"amount": 100, "currency": "sek", "destination": account.id},
            options={"idempotency_key": "t-1"},
        )

    assert error.value.code == "balance_insufficient"
    available = {b.currency: b.amount for b in client.v1.balance.retrieve().available}
    assert available["sek"] == 99


def test_a_500_after_the_object_was_created_is_saved_and_replayed_to_the_sdk_retries(
    client, stripe_double
):
    stripe_double.fail_next("POST", "/v1/accounts", SERVER_ERROR_AFTER_CREATE)

    with pytest.raises(stripe.APIError):
        create_account(client)

    attempts = stripe_double.requests_to("POST", "/v1/accounts")
    assert len(attempts) == 3  # the first try and the SDK's two retries
    assert {a.idempotency_key for a in attempts} == {"account-7"}
    assert len(stripe_double.objects("account")) == 1  # it exists although we got a 500


def test_a_dropped_connection_after_creation_is_healed_by_the_sdk_retry_with_the_same_key(
    client, stripe_double
):
    stripe_double.fail_next("POST", "/v1/accounts", NETWORK_DROP_AFTER_CREATE)

    account = create_account(client)

    (stored,) = stripe_double.objects("account")
    assert account.id == stored["id"]
    attempts = stripe_double.requests_to("POST", "/v1/accounts")
    assert [a.idempotency_key for a in attempts] == ["account-7", "account-7"]


def test_a_connection_dropped_on_every_try_is_a_connection_error_but_the_object_exists(
    client, stripe_double
):
    stripe_double.fail_next("POST", "/v1/accounts", NETWORK_DROP_AFTER_CREATE, times=3)

    with pytest.raises(stripe.APIConnectionError):
        create_account(client)

    assert len(stripe_double.objects("account")) == 1
    assert create_account(client).id == stripe_double.objects("account")[0]["id"]


def test_events_are_listed_newest_first_by_creation_time_and_account(client, stripe_double):
    stripe_double.add_event("account.updated", {"id": "acct_1"}, account="acct_1", created=100)
    stripe_double.add_event("payment_intent.succeeded", {"id": "pi_1"}, created=200)
    stripe_double.add_event("payment_intent.created", {"id": "pi_2"}, created=300)

    platform = client.v1.events.list(params={"created": {"gte": 150}})
    connect = client.v1.events.list(options={"stripe_account": "acct_1"})
    typed = client.v1.events.list(params={"types": ["payment_intent.succeeded"]})

    assert [e.type for e in platform.data] == ["payment_intent.created", "payment_intent.succeeded"]
    assert [e.account for e in connect.data] == ["acct_1"]
    assert [e.data.object.id for e in typed.data] == ["pi_1"]


def test_lists_page_with_starting_after(client, stripe_double):
    for created in range(5):
        stripe_double.add_event("payment_intent.created", {"id": f"pi_{created}"}, created=created)

    ids = [e.data.object.id for e in client.v1.events.list(params={"limit": 2}).auto_paging_iter()]

    assert ids == ["pi_4", "pi_3", "pi_2", "pi_1", "pi_0"]


def test_a_wrong_api_key_is_refused(stripe_double):
    client = stripe.StripeClient("pk_test_wrong", base_addresses={"api": stripe_double.url})

    with pytest.raises(stripe.AuthenticationError):
        client.v1.balance.retrieve()


def test_form_decoding_builds_nested_dicts_and_lists():
    pairs = [
        ("metadata[booking_id]", "1"),
        ("types[0]", "a"),
        ("types[1]", "b"),
        ("created[gte]", "5"),
        ("capabilities[transfers][requested]", "true"),
        ("amount", "100"),
    ]

    assert decode_form(pairs) == {
        "metadata": {"booking_id": "1"},
        "types": ["a", "b"],
        "created": {"gte": "5"},
        "capabilities": {"transfers": {"requested": "true"}},
        "amount": "100",
    }

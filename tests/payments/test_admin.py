"""Staff see webhook events and connected accounts, and act on them through services."""

import pytest

from marketplace.models import Role
from payments import handlers, services
from payments.models import WebhookEvent, WebhookSource, WebhookStatus
from tests.factories import ConnectedAccountFactory, UserFactory
from tests.payments.helpers import stripe_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(role=Role.STAFF, is_staff=True, is_superuser=True))
    return client


def stored(event_type="customer.created", **changes) -> WebhookEvent:
    event = services.webhook_event_store(
        data=stripe_event(event_type), source=WebhookSource.WEBHOOK
    ).event
    WebhookEvent.objects.filter(pk=event.pk).update(**changes)
    event.refresh_from_db()
    return event


def test_the_event_list_shows_status_and_attempts(staff_client):
    stored(status=WebhookStatus.FAILED, attempts=4, last_error="GatewayUnavailable: down")

    response = staff_client.get("/admin/payments/webhookevent/?status__exact=failed")

    html = response.content.decode()
    assert response.status_code == 200
    assert "customer.created" in html
    assert ">4<" in html


def test_an_event_page_shows_its_payload_pretty_printed_and_cannot_be_edited(staff_client):
    event = stored(last_error="KeyError: 'amount'")

    response = staff_client.get(f"/admin/payments/webhookevent/{event.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<pre class="webhook-payload">' in html
    assert "&quot;type&quot;: &quot;customer.created&quot;" in html
    assert "KeyError" in html
    assert 'name="_save"' not in html


def test_process_again_reprocesses_through_the_service(
    staff_client, monkeypatch, django_capture_on_commit_callbacks
):
    event = stored("test.fixed", status=WebhookStatus.FAILED, attempts=1)
    monkeypatch.setitem(handlers.HANDLERS, "test.fixed", lambda e: None)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/payments/webhookevent/",
            {"action": "process_again", "_selected_action": [event.pk]},
            follow=True,
        )

    assert "1 event queued for processing." in response.content.decode()
    event.refresh_from_db()
    assert (event.status, event.attempts) == (WebhookStatus.PROCESSED, 2)


def test_connected_accounts_are_listed_and_refreshed_from_stripe(staff_client, stripe_double):
    from payments.gateway import get_gateway

    made = get_gateway().create_account(
        email="a@example.se", country="SE", metadata={}, idempotency_key="k"
    )
    stripe_double.enable_account(made.id)
    account = ConnectedAccountFactory(stripe_account_id=made.id)

    listing = staff_client.get("/admin/payments/connectedaccount/")
    refreshed = staff_client.post(
        "/admin/payments/connectedaccount/",
        {"action": "refresh_from_stripe", "_selected_action": [account.pk]},
        follow=True,
    )

    assert made.id in listing.content.decode()
    assert "1 account refreshed." in refreshed.content.decode()
    account.refresh_from_db()
    assert account.payouts_enabled is True

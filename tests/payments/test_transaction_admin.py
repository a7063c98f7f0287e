"""Staff's transactions: filters, totals of what is listed, refunds from the admin, the
booking's trail; refunds and booking payments are listed."""

import pytest

from marketplace.models import Role
from payments.models import PayoutStatus, Refund, Transaction
from tests.factories import TransactionFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/payments/transaction/"


@pytest.fixture
def staff(db):
    return UserFactory(role=Role.STAFF, is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_the_list_totals_what_the_filter_shows(staff_client):
    TransactionFactory(gross_amount=45000, trainer_amount=38250, platform_fee=6750)
    TransactionFactory(gross_amount=10000, trainer_amount=8500, platform_fee=1500)
    TransactionFactory(
        gross_amount=20000, trainer_amount=17000, platform_fee=3000, payout_status="paid"
    )

    everything = staff_client.get(LIST)
    pending = staff_client.get(LIST, {"payout_status__exact": PayoutStatus.PENDING})

    assert everything.status_code == 200
    assert [row["gross"] for row in everything.context["totals"]] == ["750 kr"]
    assert pending.context["totals"] == [
        {
            "currency": "SEK",
            "count": 2,
            "gross": "550 kr",
            "trainer": "467.50 kr",
            "fee": "82.50 kr",
            "refunded": "0 kr",
        }
    ]
    assert "Totals of the transactions listed" in pending.content.decode()


def test_the_list_filters_by_trainer_and_month(staff_client):
    one = TransactionFactory()
    TransactionFactory()
    month = f"{one.charged_at:%Y-%m}"

    by_trainer = staff_client.get(LIST, {"trainer__id__exact": one.trainer_id})
    by_month = staff_client.get(LIST, {"month": month})
    other_month = staff_client.get(LIST, {"month": "2001-01"})

    assert list(by_trainer.context["cl"].queryset) == [one]
    assert by_month.context["cl"].queryset.count() == 2
    assert other_month.context["cl"].queryset.count() == 0


def test_the_transaction_page_shows_the_bookings_trail_and_a_refund_link(staff_client):
    from bookings.models import BookingEvent

    txn = TransactionFactory()
    BookingEvent.objects.create(
        booking=txn.booking,
        from_status="pending_payment",
        to_status="pending_payment",
        note="Payment of 450 kr received",
    )

    page = staff_client.get(f"{LIST}{txn.pk}/change/").content.decode()

    assert "Payment of 450 kr received" in page
    assert f"{LIST}{txn.pk}/refund/" in page


def test_staff_refund_from_the_admin_up_to_what_is_left(
    staff_client, stripe_double, staff, django_capture_on_commit_callbacks
):
    txn = _paid_transaction(stripe_double)

    too_much = staff_client.post(f"{LIST}{txn.pk}/refund/", {"amount": "450.01", "note": ""})
    assert too_much.status_code == 200
    assert "at most 450 kr" in too_much.content.decode()
    assert Refund.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        done = staff_client.post(
            f"{LIST}{txn.pk}/refund/", {"amount": "100.50", "note": "Goodwill"}
        )

    assert done.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount, refund.requested_by, refund.note) == (10050, staff, "Goodwill")
    [sent] = stripe_double.requests_to("POST", "/v1/refunds")
    assert sent.params["amount"] == "10050"
    assert sent.idempotency_key == f"refund-{txn.booking_id}-staff-1"
    txn.refresh_from_db()
    assert txn.refunded_amount == 10050


def test_too_many_decimals_are_refused(staff_client):
    txn = TransactionFactory()

    response = staff_client.post(f"{LIST}{txn.pk}/refund/", {"amount": "1.005"})

    assert response.status_code == 200
    assert Refund.objects.count() == 0


def test_refunds_and_booking_payments_are_listed(staff_client):
    assert staff_client.get("/admin/payments/refund/").status_code == 200
    assert staff_client.get("/admin/payments/bookingpayment/").status_code == 200


def _paid_transaction(stripe_double) -> Transaction:
    from payments import services
    from payments.gateway import PaymentIntent
    from tests.payments.helpers import held_booking

    booking = held_booking()
    checkout = services.checkout_start(booking_id=booking.pk, user=booking.trainee)
    intent = stripe_double.succeed_payment_intent(checkout.payment_intent_id)
    return services.payment_intent_succeeded(intent=PaymentIntent.from_stripe(intent)).transaction

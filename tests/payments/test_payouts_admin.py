"""Staff run payouts from the admin and read each run's report and the reconciliation."""

import csv
import io

import pytest
from django.core import mail

from marketplace.models import Role
from payments.payouts_models import Payout, PayoutRun, PayoutRunTrigger, PayoutState
from payments.payouts_queries import reconciliation
from payments.services import payouts as payouts_service
from payments.services.payouts import run_monthly_payouts
from tests.factories import UserFactory
from tests.payments.payout_fixtures import at, session_paid, trainer

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 30, 9)


@pytest.fixture
def staff(client):
    user = UserFactory(role=Role.STAFF, is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def october(stripe_double):
    anna = trainer(double=stripe_double, name="Anna Andersson")
    session_paid(anna, end=at(2026, 10, 5), gross=45000)
    session_paid(anna, end=at(2026, 10, 6), gross=20000, refunded=5000)
    session_paid(trainer(account=False, name="Bo Berg"), end=at(2026, 10, 7), gross=10000)
    return run_monthly_payouts(period="2026-10", now=NOW).run


def test_the_run_report_lists_each_trainer_and_a_balanced_reconciliation(client, staff, october):
    response = client.get(f"/admin/payments/payoutrun/{october.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Anna Andersson" in html and "Bo Berg" in html
    assert 'data-testid="reconciliation-SEK" data-balanced="true"' in html
    assert "MISMATCH" not in html
    (row,) = reconciliation("2026-10")
    # 75 000 gross = 51 000 transferred + 9 000 fees + 5 000 refunds + 8 500 waiting (Bo)
    # + 1 500 platform fee of Bo's session
    assert (row.gross, row.transferred, row.refunds, row.pending) == (75000, 51000, 5000, 8500)
    assert row.platform_fees == 75000 - 5000 - 51000 - 8500
    assert row.balanced


def test_the_run_report_as_csv(client, staff, october):
    response = client.get(f"/admin/payments/payoutrun/{october.pk}/report.csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert {(r["trainer"], r["status"], r["amount"]) for r in rows} == {
        ("Anna Andersson", "paid", "51000"),
        ("Bo Berg", "skipped", "8500"),
    }


def test_a_mismatch_is_shown_in_red_and_emailed_to_staff(client, staff, october):
    Payout.objects.filter(status=PayoutState.PAID).update(amount=50999, earnings=50999)

    payouts_service._after_run(payouts_service.PayoutRunResult("2026-10", NOW, False))
    response = client.get(f"/admin/payments/payoutrun/{october.pk}/change/")

    html = response.content.decode()
    assert 'class="mismatch" data-testid="reconciliation-SEK" data-balanced="false"' in html
    assert "MISMATCH" in html
    (message,) = [m for m in mail.outbox if "reconciliation" in m.subject.lower()]
    assert message.to == [staff.email]
    assert "difference 1" in message.body


def test_staff_start_a_run_from_the_admin(
    client, staff, stripe_double, django_capture_on_commit_callbacks
):
    session_paid(trainer(double=stripe_double), end=at(2026, 10, 5))

    page = client.get("/admin/payments/payoutrun/start/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/payments/payoutrun/start/", {"period": "2026-10"})

    assert page.status_code == 200
    assert response.status_code == 302
    run = PayoutRun.objects.get()
    assert (run.trigger, run.started_by_id, run.period) == (
        PayoutRunTrigger.STAFF,
        staff.pk,
        "2026-10",
    )
    assert Payout.objects.get().status == PayoutState.PAID


def test_the_admin_dry_run_shows_the_plan_and_writes_nothing(client, staff, stripe_double):
    session_paid(trainer(double=stripe_double, name="Cecilia Carlsson"), end=at(2026, 10, 5))

    response = client.post(
        "/admin/payments/payoutrun/start/", {"period": "2026-10", "dry_run": "on"}
    )

    html = response.content.decode()
    assert 'data-testid="dry-run-plan"' in html and "Cecilia Carlsson" in html
    assert not PayoutRun.objects.exists()
    assert stripe_double.requests == []


def test_the_admin_refuses_an_unfinished_month(client, staff, stripe_double):
    response = client.post("/admin/payments/payoutrun/start/", {"period": "2099-01"})

    assert response.status_code == 200
    assert "has not ended yet" in response.content.decode()
    assert not PayoutRun.objects.exists()


def test_retry_failed_from_the_run_list(
    client, staff, stripe_double, django_capture_on_commit_callbacks
):
    anna = trainer(double=stripe_double)
    session_paid(anna, end=at(2026, 10, 5))
    stripe_double.close_account(anna.connected_account.stripe_account_id)
    first = run_monthly_payouts(period="2026-10", now=NOW).run
    assert Payout.objects.get().status == PayoutState.FAILED
    stripe_double.state.closed_accounts.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/payments/payoutrun/",
            {"action": "retry_failed", "_selected_action": [first.pk]},
        )

    assert Payout.objects.get().status == PayoutState.PAID
    assert PayoutRun.objects.latest("started_at").retry_failed is True


def test_payouts_reversals_and_held_lists_open(client, staff, october):
    for url in (
        "/admin/payments/payout/",
        "/admin/payments/payoutreversal/",
        "/admin/payments/heldtransaction/",
        "/admin/payments/payoutrun/",
    ):
        assert client.get(url).status_code == 200, url

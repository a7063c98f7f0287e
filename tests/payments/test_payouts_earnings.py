"""The trainer's Earnings page, statement, CSV and GET /api/trainer/earnings agree."""

import csv
import io

import pytest

from marketplace.models import Role
from payments.payouts_models import Payout, PayoutReversal, ReversalStatus
from payments.payouts_queries import payout_statement, trainer_earnings
from payments.services.payouts import run_monthly_payouts
from tests.factories import UserFactory
from tests.payments.payout_fixtures import at, session_paid, trainer

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 30, 9)


@pytest.fixture
def anna(stripe_double):
    """Paid for October (two sessions, one partly refunded); November waits; a debt is open."""
    profile = trainer(double=stripe_double, name="Anna Andersson")
    lisa = UserFactory(name="Lisa Larsson")
    session_paid(profile, end=at(2026, 10, 5), gross=45000, trainee=lisa)
    session_paid(profile, end=at(2026, 10, 6), gross=20000, refunded=5000)
    run_monthly_payouts(period="2026-10", now=NOW)
    october = Payout.objects.get()
    PayoutReversal.objects.create(
        payout=october,
        transaction=october.transactions.first(),
        trainer=profile,
        currency="SEK",
        amount=1000,
        reason="refund",
        status=ReversalStatus.DEBT,
    )
    session_paid(profile, end=at(2026, 11, 10), gross=30000)  # next payout (28 December)
    session_paid(profile, end=at(2026, 12, 20), gross=10000)  # later
    return profile


def test_statement_figures(anna):
    statement = payout_statement(Payout.objects.get(trainer=anna))

    assert statement.totals == {"gross": 65000, "fee": 9000, "refunds": 5000, "net": 51000}
    first = statement.sessions[0]
    assert (first.trainee_first_name, first.gross, first.fee, first.refunds, first.net) == (
        "Lisa",
        45000,
        6750,
        0,
        38250,
    )
    assert statement.payout.amount == 51000


def test_earnings_balance_and_next_payout(anna):
    earnings = trainer_earnings(trainer=anna, now=NOW)

    assert earnings.next_period == "2026-11"
    assert earnings.next_payout_at == at(2026, 12, 28, 2)
    (sek,) = earnings.balances
    assert (sek.pending, sek.next_payout, sek.later, sek.debt) == (34000, 25500, 8500, 1000)
    assert [s.gross for s in earnings.next_sessions] == [30000]


def test_the_api_gives_the_same_figures(anna, api_client):
    api_client.force_authenticate(anna.user)

    response = api_client.get("/api/trainer/earnings")

    body = response.json()
    assert response.status_code == 200
    assert body["next_period"] == trainer_earnings(trainer=anna).next_period
    (balance,) = body["balances"]
    assert balance["debt"] == 1000 and balance["currency"] == "SEK"
    (payout,) = body["payouts"]
    assert (payout["period"], payout["status"], payout["amount"], payout["earnings"]) == (
        "2026-10",
        "paid",
        51000,
        51000,
    )
    assert [s["net"] for s in payout["sessions"]] == [38250, 12750]


def test_the_api_refuses_non_trainers_and_anonymous(api_client):
    assert api_client.get("/api/trainer/earnings").status_code in (401, 403)
    api_client.force_authenticate(UserFactory(role=Role.TRAINEE))
    response = api_client.get("/api/trainer/earnings")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "NOT_A_TRAINER"


def test_the_earnings_page_statement_and_csv(anna, client):
    client.force_login(anna.user)
    payout = Payout.objects.get(trainer=anna)

    page = client.get("/trainer/earnings/")
    statement = client.get(f"/trainer/earnings/payouts/{payout.pk}/")
    exported = client.get("/trainer/earnings.csv")

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="balance-SEK"' in html and "340 kr" in html
    assert f'data-testid="payout-{payout.pk}"' in html
    body = statement.content.decode()
    assert statement.status_code == 200
    assert "510 kr" in body and "Lisa" in body and f"payout-{payout.pk}" in body
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[1][:3] == [str(payout.pk), "2026-10", "paid"]
    assert len(rows) == 1 + 2 + len(trainer_earnings(trainer=anna).next_sessions)


def test_another_trainers_statement_is_not_found(anna, client, stripe_double):
    other = trainer(double=stripe_double)
    client.force_login(other.user)

    response = client.get(f"/trainer/earnings/payouts/{Payout.objects.get().pk}/")

    assert response.status_code == 404


def test_a_trainee_sees_the_not_a_trainer_page(client):
    client.force_login(UserFactory(role=Role.TRAINEE))
    assert client.get("/trainer/earnings/").status_code == 200
    assert client.get("/trainer/earnings.csv").status_code == 404

"""Reads of the payouts: the trainer's earnings statement, a run's report, the period's
reconciliation and the money held too long. Pages, the API, the admin and emails all use
these, so they show the same figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments.models import PayoutStatus, Transaction
from payments.payouts_models import (
    Payout,
    PayoutReversal,
    PayoutState,
    ReversalStatus,
)
from payments.payouts_periods import next_payout_date, period_cutoff, period_of
from payments.services.payouts import share_expression

# --- the trainer's statement ---------------------------------------------------------------


@dataclass
class SessionLine:
    transaction_id: int
    date: datetime
    trainee_first_name: str
    currency: str
    gross: int
    fee: int
    refunds: int
    net: int


@dataclass
class PayoutStatement:
    payout: Payout
    sessions: list[SessionLine]
    debts_deducted: list[PayoutReversal]
    reversals: list[PayoutReversal]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "gross": sum(s.gross for s in self.sessions),
            "fee": sum(s.fee for s in self.sessions),
            "refunds": sum(s.refunds for s in self.sessions),
            "net": sum(s.net for s in self.sessions),
        }


@dataclass
class CurrencyBalance:
    currency: str
    pending: int = 0
    next_payout: int = 0
    later: int = 0
    debt: int = 0
    next_payout_count: int = 0


@dataclass
class Earnings:
    next_payout_at: datetime
    next_period: str
    balances: list[CurrencyBalance]
    next_sessions: list[SessionLine]
    payouts: list[PayoutStatement] = field(default_factory=list)


def _first_name(name: str) -> str:
    return (name or "").split(" ")[0]


def session_line(txn: Transaction) -> SessionLine:
    """A transaction as a statement line: net is the trainer's share of what was kept after
    refunds (a refund after the payout shows as a reversal or a debt on the statement)."""
    net = txn.trainer_payable_amount
    return SessionLine(
        transaction_id=txn.pk,
        date=txn.booking.start,
        trainee_first_name=_first_name(txn.booking.trainee.name),
        currency=txn.currency,
        gross=txn.gross_amount,
        fee=txn.gross_amount - txn.refunded_amount - net,
        refunds=txn.refunded_amount,
        net=net,
    )


def _transactions(queryset):
    return queryset.select_related("booking__trainee").order_by("booking__start", "pk")


def trainer_earnings(*, trainer, now: datetime | None = None, history: int = 24) -> Earnings:
    """The trainer's balance, what the next payout holds and the payouts so far."""
    now = now or timezone.now()
    next_at = next_payout_date(now)
    next_period = _period_paid_at(next_at)
    cutoff = period_cutoff(next_period)
    payable = Transaction.objects.payable().filter(trainer=trainer, payout__isnull=True)
    balances: dict[str, CurrencyBalance] = {}
    for row in payable.values("currency").annotate(
        pending=Sum(share_expression()),
        next_payout=Sum(share_expression(), filter=Q(booking__end__lt=cutoff)),
        next_count=Count("id", filter=Q(booking__end__lt=cutoff)),
    ):
        balance = balances.setdefault(row["currency"], CurrencyBalance(row["currency"]))
        balance.pending = int(row["pending"] or 0)
        balance.next_payout = int(row["next_payout"] or 0)
        balance.next_payout_count = row["next_count"]
        balance.later = balance.pending - balance.next_payout
    for row in (
        PayoutReversal.objects.filter(
            trainer=trainer, status=ReversalStatus.DEBT, settled_by__isnull=True
        )
        .values("currency")
        .annotate(total=Sum("amount"))
    ):
        balance = balances.setdefault(row["currency"], CurrencyBalance(row["currency"]))
        balance.debt = int(row["total"] or 0)
    next_sessions = [
        session_line(t) for t in _transactions(payable.filter(booking__end__lt=cutoff))
    ]
    payouts = list(
        Payout.objects.filter(trainer=trainer)
        .exclude(status=PayoutState.SKIPPED)
        .order_by("-period", "currency")[:history]
    )
    return Earnings(
        next_payout_at=next_at,
        next_period=next_period,
        balances=sorted(balances.values(), key=lambda b: b.currency),
        next_sessions=next_sessions,
        payouts=[payout_statement(p) for p in payouts],
    )


def _period_paid_at(moment: datetime) -> str:
    from payments.payouts_periods import shift_period

    return shift_period(period_of(moment), -settings.PAYOUT_PERIOD_LAG_MONTHS)


def payout_statement(payout: Payout) -> PayoutStatement:
    return PayoutStatement(
        payout=payout,
        sessions=[session_line(t) for t in _transactions(payout.transactions.all())],
        debts_deducted=list(payout.debts_settled.order_by("created_at")),
        reversals=list(payout.reversals.order_by("created_at")),
    )


# --- a run's report ------------------------------------------------------------------------


def run_report(run) -> list[Payout]:
    return list(
        Payout.objects.filter(run=run).select_related("trainer").order_by("trainer_id", "currency")
    )


# --- reconciliation ------------------------------------------------------------------------


@dataclass
class ReconciliationRow:
    """One currency's books for a period, to the öre.

    gross = transferred + debt_deducted - reversed - debts + platform_fees + refunds + pending
    (what was transferred, plus debts the payouts recovered, less what came back from or is
    owed by trainers, is the trainers' share of what was kept).
    """

    currency: str
    gross: int = 0
    refunds: int = 0
    platform_fees: int = 0
    transferred: int = 0
    debt_deducted: int = 0
    reversed: int = 0
    debts: int = 0
    pending: int = 0

    @property
    def accounted(self) -> int:
        return (
            self.transferred
            + self.debt_deducted
            - self.reversed
            - self.debts
            + self.platform_fees
            + self.refunds
            + self.pending
        )

    @property
    def difference(self) -> int:
        return self.gross - self.accounted

    @property
    def balanced(self) -> bool:
        return self.difference == 0


def reconciliation(period: str) -> list[ReconciliationRow]:
    """Per currency: the transactions the period's payouts paid plus everything still
    waiting for a payout with a session ended before the cutoff, against the payouts'
    transfers, reversals and debts."""
    cutoff = period_cutoff(period)
    paid_payouts = Payout.objects.filter(period=period, status=PayoutState.PAID)
    universe = Transaction.objects.filter(
        Q(payout__period=period)
        | Q(payout__isnull=True, payout_status=PayoutStatus.PENDING, booking__end__lt=cutoff)
    )
    rows: dict[str, ReconciliationRow] = {}

    def row(currency: str) -> ReconciliationRow:
        return rows.setdefault(currency, ReconciliationRow(currency))

    for r in universe.values("currency").annotate(
        gross=Sum("gross_amount"),
        refunds=Sum("refunded_amount"),
        kept=Sum(F("gross_amount") - F("refunded_amount")),
        share=Sum(share_expression()),
        pending=Sum(share_expression(), filter=~Q(payout_status=PayoutStatus.PAID)),
    ):
        line = row(r["currency"])
        line.gross = int(r["gross"] or 0)
        line.refunds = int(r["refunds"] or 0)
        line.platform_fees = int((r["kept"] or 0) - (r["share"] or 0))
        line.pending = int(r["pending"] or 0)
    for r in paid_payouts.values("currency").annotate(
        transferred=Sum("amount"), debt=Sum("debt_deducted")
    ):
        line = row(r["currency"])
        line.transferred = int(r["transferred"] or 0)
        line.debt_deducted = int(r["debt"] or 0)
    for r in (
        PayoutReversal.objects.filter(payout__in=paid_payouts)
        .values("currency")
        .annotate(
            reversed=Sum(
                "amount",
                filter=Q(status__in=[ReversalStatus.REVERSED, ReversalStatus.PENDING]),
            ),
            debts=Sum("amount", filter=Q(status__in=[ReversalStatus.DEBT, ReversalStatus.SETTLED])),
        )
    ):
        line = row(r["currency"])
        line.reversed = int(r["reversed"] or 0)
        line.debts = int(r["debts"] or 0)
    return sorted(rows.values(), key=lambda r: r.currency)


# --- money held too long -------------------------------------------------------------------


def held_transactions(now: datetime | None = None, *, model=Transaction):
    """Transactions waiting for a payout whose charge is older than PAYOUT_HOLD_WARN_DAYS."""
    now = now or timezone.now()
    return model.objects.filter(
        payout_status=PayoutStatus.PENDING,
        charged_at__lt=now - timedelta(days=settings.PAYOUT_HOLD_WARN_DAYS),
    )


def held_by_trainer(now: datetime | None = None) -> list[dict]:
    """Per trainer and currency: how much, since when, and what blocks the payout (a lazy
    translation: it reads in the language active where it is shown)."""
    from payments.models import ConnectedAccount

    now = now or timezone.now()
    rows = list(
        held_transactions(now)
        .values("trainer_id", "trainer__display_name", "currency")
        .annotate(
            count=Count("id"),
            amount=Sum(share_expression()),
            oldest=Min("charged_at"),
            disputed=Count("id", filter=Q(disputed=True)),
            in_payout=Count("id", filter=Q(payout__isnull=False)),
            not_over=Count("id", filter=Q(booking__end__gte=now)),
        )
        .order_by("oldest")
    )
    accounts = {
        a.trainer_id: a
        for a in ConnectedAccount.objects.filter(trainer_id__in={r["trainer_id"] for r in rows})
    }
    held = []
    for r in rows:
        account = accounts.get(r["trainer_id"])
        if account is None or not account.stripe_account_id:
            blocker = _("No Stripe account: the trainer must set one up on the Get paid page.")
        elif not account.payouts_enabled:
            blocker = _("Stripe cannot pay out to the account yet: details are missing.")
        elif r["disputed"]:
            blocker = _("Some of the payments are disputed.")
        elif r["in_payout"]:
            blocker = _("A payout holding them is waiting for funds or failed.")
        elif r["not_over"]:
            blocker = _("The sessions have not taken place yet.")
        else:
            blocker = _("Nothing on our side: the next payout run pays them.")
        held.append(
            {
                "trainer_id": r["trainer_id"],
                "trainer_name": r["trainer__display_name"],
                "currency": r["currency"],
                "count": r["count"],
                "amount": int(r["amount"] or 0),
                "oldest": r["oldest"],
                "blocker": blocker,
            }
        )
    return held

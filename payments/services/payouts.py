"""Monthly payouts: one Stripe Transfer per trainer, period and currency, safe to re-run.

For each group the ``Payout`` row, the transactions it pays and its idempotency key
(``payout-<id>``) are committed first; then Stripe is asked for the transfer; then the
transactions are marked paid in one bulk update. A crash between the second and third step
leaves a ``pending`` payout with its key: the next run (or the daily retry) sends the same
key, or, once Stripe may have forgotten it, first looks the transfer up by its
``transfer_group``. The unique (trainer, period, currency) stops a second payout of a month
however late a re-run comes. One run at a time: a database lock (``_run_lock``).

Queries grow with the number of trainers, not of transactions: eligible money is summed per
trainer and currency in one query, and each payout's transactions are linked and later
marked paid with one UPDATE each.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, CharField, Count, F, QuerySet, Sum, Value, When
from django.utils import timezone

from marketplace.models import TrainerProfile
from payments.gateway import (
    Gateway,
    GatewayError,
    InsufficientFunds,
    Transfer,
    TransientGatewayError,
    get_gateway,
)
from payments.models import ConnectedAccount, PayoutStatus, Transaction
from payments.money import trainer_share_expression
from payments.payouts_models import (
    Payout,
    PayoutReversal,
    PayoutRun,
    PayoutRunStatus,
    PayoutRunTrigger,
    PayoutState,
    ReversalStatus,
    SkipReason,
)
from payments.payouts_periods import payout_zone, require_period_over
from payments.services.payouts_lock import run_lock, run_start, running_run
from payments.services.payouts_reversals import describe_gateway_error, payout_reversal_execute

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = 25
OUTCOMES = ("paid", "skipped", "waiting_for_funds", "failed", "pending")


def share_expression():
    """The trainer's share of what a transaction kept after refunds, in SQL."""
    return trainer_share_expression(F("gross_amount") - F("refunded_amount"), F("fee_percent"))


def eligible_transactions(*, cutoff: datetime, trainer_id: int | None = None) -> QuerySet:
    """Money a run may pay: waiting for payout, in no payout yet, not disputed, not fully
    refunded, and for a session that ended before the cutoff."""
    queryset = Transaction.objects.payable().filter(payout__isnull=True, booking__end__lt=cutoff)
    if trainer_id is not None:
        queryset = queryset.filter(trainer_id=trainer_id)
    return queryset


# --- results -------------------------------------------------------------------------------


@dataclass
class PayoutLine:
    """What a run did (or, in a dry run, would do) for one trainer and currency."""

    trainer_id: int
    trainer_name: str
    currency: str
    outcome: str
    earnings: int = 0
    debt_deducted: int = 0
    amount: int = 0
    transaction_count: int = 0
    payout_id: int | None = None
    detail: str = ""


@dataclass
class PayoutRunResult:
    period: str
    cutoff: datetime
    dry_run: bool
    run: PayoutRun | None = None
    lines: list[PayoutLine] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for line in self.lines:
            counts[line.outcome] = counts.get(line.outcome, 0) + 1
        return counts

    @property
    def totals(self) -> dict[str, dict[str, int]]:
        """Per currency and outcome: amounts transferred (paid) or that would have been."""
        totals: dict[str, dict[str, int]] = {}
        for line in self.lines:
            per = totals.setdefault(line.currency, dict.fromkeys(OUTCOMES, 0))
            per[line.outcome] = per.get(line.outcome, 0) + line.amount
        return totals


Progress = Callable[[int, int], None]


def _run_finish(run: PayoutRun, result: PayoutRunResult, error: str = "") -> None:
    run.status = PayoutRunStatus.FINISHED if not error else PayoutRunStatus.INTERRUPTED
    run.finished_at = timezone.now()
    run.counts = result.counts
    run.totals = result.totals
    run.error = error
    run.save(update_fields=["status", "finished_at", "counts", "totals", "error"])


# --- the run -------------------------------------------------------------------------------


@dataclass
class _Group:
    trainer_id: int
    currency: str
    earnings: int
    count: int


@dataclass
class _Context:
    run: PayoutRun | None
    period: str
    cutoff: datetime
    accounts: dict[int, tuple[str | None, bool]]
    debts: dict[tuple[int, str], list[tuple[int, int]]]
    names: dict[int, str]
    gateway: Gateway | None
    now: datetime


def run_monthly_payouts(
    *,
    period: str,
    trigger: str = PayoutRunTrigger.COMMAND,
    started_by=None,
    trainer_id: int | None = None,
    retry_failed: bool = False,
    dry_run: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> PayoutRunResult:
    """Pay every trainer what the period owes them (see the module's docstring).

    ``dry_run`` writes nothing and calls nobody: it says what a run would do. Refuses a
    period that has not ended (PayoutPeriodNotOver) and a second run while one is in
    progress (PayoutRunInProgress, naming it).
    """
    now = now or timezone.now()
    cutoff = require_period_over(period, now)
    result = PayoutRunResult(period=period, cutoff=cutoff, dry_run=dry_run)
    if dry_run:
        _plan(result, trainer_id=trainer_id, retry_failed=retry_failed, now=now, progress=progress)
        return result
    with run_lock() as exclusive:
        run = run_start(
            period=period,
            cutoff=cutoff,
            trigger=trigger,
            started_by=started_by,
            trainer_id=trainer_id,
            retry_failed=retry_failed,
            exclusive=exclusive,
            now=now,
        )
        result.run = run
        try:
            _execute(result, trainer_id=trainer_id, retry_failed=retry_failed, progress=progress)
        except BaseException as exc:
            _run_finish(run, result, error=f"{type(exc).__name__}: {exc}")
            raise
        _run_finish(run, result)
    _after_run(result)
    return result


def payouts_retry_waiting(*, now: datetime | None = None) -> PayoutRunResult | None:
    """The daily retry: payouts waiting for funds, and any left ``pending`` by a crash, of
    every period, under the same lock as a run. None when there is nothing to retry."""
    now = now or timezone.now()
    waiting = Payout.objects.filter(
        status__in=[PayoutState.WAITING_FOR_FUNDS, PayoutState.PENDING]
    ).order_by("period", "trainer_id", "currency")
    if not waiting.exists():
        return None
    periods = sorted(set(waiting.values_list("period", flat=True)))
    result: PayoutRunResult | None = None
    for period in periods:
        cutoff = require_period_over(period, now)
        result = PayoutRunResult(period=period, cutoff=cutoff, dry_run=False)
        with run_lock() as exclusive:
            run = run_start(
                period=period,
                cutoff=cutoff,
                trigger=PayoutRunTrigger.RETRY,
                started_by=None,
                trainer_id=None,
                retry_failed=False,
                exclusive=exclusive,
                now=now,
            )
            result.run = run
            try:
                _execute(result, trainer_id=None, retry_failed=False, new_groups=False)
            except BaseException as exc:
                _run_finish(run, result, error=f"{type(exc).__name__}: {exc}")
                raise
            _run_finish(run, result)
        _after_run(result)
    return result


def _context(
    *, run: PayoutRun | None, period: str, cutoff: datetime, now: datetime, gateway
) -> _Context:
    accounts = {
        trainer_id: (account_id, payouts_enabled)
        for trainer_id, account_id, payouts_enabled in ConnectedAccount.objects.values_list(
            "trainer_id", "stripe_account_id", "payouts_enabled"
        )
    }
    debts: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for pk, trainer_id, currency, amount in (
        PayoutReversal.objects.filter(status=ReversalStatus.DEBT, settled_by__isnull=True)
        .order_by("created_at", "id")
        .values_list("pk", "trainer_id", "currency", "amount")
    ):
        debts[(trainer_id, currency)].append((pk, amount))
    return _Context(
        run=run,
        period=period,
        cutoff=cutoff,
        accounts=accounts,
        debts=debts,
        names={},
        gateway=gateway,
        now=now,
    )


def _groups(*, cutoff: datetime, trainer_id: int | None) -> list[_Group]:
    rows = (
        eligible_transactions(cutoff=cutoff, trainer_id=trainer_id)
        .values("trainer_id", "currency")
        .annotate(earnings=Sum(share_expression()), count=Count("id"))
        .order_by("trainer_id", "currency")
    )
    return [
        _Group(r["trainer_id"], r["currency"], int(r["earnings"] or 0), r["count"]) for r in rows
    ]


def _work(
    *, period: str, cutoff: datetime, trainer_id: int | None, retry_failed: bool, new_groups: bool
) -> tuple[list[Payout], list[tuple[_Group, Payout | None]]]:
    """(payouts to resume or retry as they are, groups to prepare with their existing row)."""
    existing = Payout.objects.filter(period=period)
    if trainer_id is not None:
        existing = existing.filter(trainer_id=trainer_id)
    by_key = {(p.trainer_id, p.currency): p for p in existing}
    resume = [
        p
        for p in by_key.values()
        if p.status in (PayoutState.PENDING, PayoutState.WAITING_FOR_FUNDS)
    ]
    prepare: list[tuple[_Group, Payout | None]] = []
    if new_groups:
        reusable = {PayoutState.SKIPPED} | ({PayoutState.FAILED} if retry_failed else set())
        for group in _groups(cutoff=cutoff, trainer_id=trainer_id):
            payout = by_key.get((group.trainer_id, group.currency))
            if payout is None or payout.status in reusable:
                prepare.append((group, payout))
    resume.sort(key=lambda p: (p.trainer_id, p.currency))
    return resume, prepare


def _trainer_names(trainer_ids) -> dict[int, str]:
    return dict(
        TrainerProfile.objects.filter(pk__in=set(trainer_ids)).values_list("pk", "display_name")
    )


def _execute(
    result: PayoutRunResult,
    *,
    trainer_id: int | None,
    retry_failed: bool,
    new_groups: bool = True,
    progress: Progress | None = None,
) -> None:
    """Payouts in batches: commit a batch's rows and keys, ask Stripe for its transfers a few
    at a time, then record the answers (paid ones in one bulk update)."""
    run = result.run
    context = _context(
        run=run, period=result.period, cutoff=result.cutoff, now=run.started_at, gateway=None
    )
    resume, prepare = _work(
        period=result.period,
        cutoff=result.cutoff,
        trainer_id=trainer_id,
        retry_failed=retry_failed,
        new_groups=new_groups,
    )
    total = len(resume) + len(prepare)
    if not total:
        return
    context.names = _trainer_names(
        [p.trainer_id for p in resume] + [g.trainer_id for g, _ in prepare]
    )
    context.gateway = get_gateway()
    done = 0
    size = settings.PAYOUT_BATCH_SIZE
    workers = max(1, settings.PAYOUT_TRANSFER_CONCURRENCY)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="payout") as pool:
        for offset in range(0, len(resume), size):
            calls = [_resume_call(payout) for payout in resume[offset : offset + size]]
            done = _transfer_batch(calls, context, result, pool, done, total, progress)
        for offset in range(0, len(prepare), size):
            payouts = _prepare_batch(prepare[offset : offset + size], context)
            calls = []
            for payout in payouts:
                if payout.status == PayoutState.SKIPPED:
                    result.lines.append(_line(payout, context, "skipped"))
                    done += 1
                    _tick(run, done, total, progress)
                else:
                    calls.append(_Call(payout))
            done = _transfer_batch(calls, context, result, pool, done, total, progress)


def _tick(run: PayoutRun, done: int, total: int, progress: Progress | None) -> None:
    if progress is not None:
        progress(done, total)
    if done % HEARTBEAT_EVERY == 0:
        PayoutRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())


def _line(payout: Payout, context: _Context, outcome: str, detail: str = "") -> PayoutLine:
    return PayoutLine(
        trainer_id=payout.trainer_id,
        trainer_name=context.names.get(payout.trainer_id, ""),
        currency=payout.currency,
        outcome=outcome,
        earnings=payout.earnings,
        debt_deducted=payout.debt_deducted,
        amount=payout.amount,
        transaction_count=payout.transaction_count,
        payout_id=payout.pk,
        detail=detail or payout.error or payout.get_skip_reason_display() or "",
    )


def _skip_reason(context: _Context, trainer_id: int) -> tuple[str, str | None]:
    account_id, payouts_enabled = context.accounts.get(trainer_id, (None, False))
    if not account_id:
        return SkipReason.NO_ACCOUNT, None
    if not payouts_enabled:
        return SkipReason.PAYOUTS_DISABLED, account_id
    return "", account_id


def _take_debts(context: _Context, group: _Group) -> list[tuple[int, int]]:
    """The oldest outstanding debts that fit in the earnings, whole (the rest waits)."""
    taken, room = [], group.earnings
    for pk, amount in context.debts.get((group.trainer_id, group.currency), []):
        if amount <= room:
            taken.append((pk, amount))
            room -= amount
    return taken


PREPARED_FIELDS = [
    "run",
    "status",
    "skip_reason",
    "earnings",
    "debt_deducted",
    "amount",
    "transaction_count",
    "destination",
    "error",
    "attempts",
    "idempotency_key",
    "attempted_at",
    "updated_at",
]


def _prepare_batch(items: list[tuple[_Group, Payout | None]], context: _Context) -> list[Payout]:
    """Commit a batch of payouts before Stripe is called: each row with the transactions it
    pays (one UPDATE for the batch), its sum, the debts it deducts and its key; or skipped."""
    now = timezone.now()
    with transaction.atomic():
        locked = {
            p.pk: p
            for p in Payout.objects.select_for_update().filter(
                pk__in=[existing.pk for _, existing in items if existing is not None]
            )
        }
        created = Payout.objects.bulk_create(
            [
                Payout(
                    run=context.run,
                    trainer_id=group.trainer_id,
                    period=context.period,
                    currency=group.currency,
                )
                for group, existing in items
                if existing is None
            ]
        )
        fresh = iter(created)
        payouts: list[Payout] = []
        payable: list[tuple[_Group, Payout]] = []
        skipped: list[Payout] = []
        for group, existing in items:
            payout = locked[existing.pk] if existing is not None else next(fresh)
            payout.run = context.run
            payout.updated_at = now
            reason, account_id = _skip_reason(context, group.trainer_id)
            if reason:
                payout.status = PayoutState.SKIPPED
                payout.skip_reason = reason
                payout.earnings = payout.amount = group.earnings
                payout.debt_deducted = 0
                payout.transaction_count = group.count
                payout.error = ""
                skipped.append(payout)
            else:
                payout.destination = account_id or ""
                payable.append((group, payout))
            payouts.append(payout)
        if payable:
            _link_transactions(payable, context)
            sums = {
                row["payout_id"]: row
                for row in Transaction.objects.filter(
                    payout_id__in=[payout.pk for _, payout in payable]
                )
                .values("payout_id")
                .annotate(earnings=Sum("payout_share"), count=Count("id"))
            }
        for group, payout in payable:
            linked = sums.get(payout.pk, {})
            earnings = int(linked.get("earnings") or 0)
            debts = _take_debts(context, _Group(group.trainer_id, group.currency, earnings, 0))
            if debts:
                PayoutReversal.objects.filter(pk__in=[pk for pk, _ in debts]).update(
                    settled_by=payout, status=ReversalStatus.SETTLED
                )
                key = (group.trainer_id, group.currency)
                context.debts[key] = [d for d in context.debts[key] if d not in debts]
            payout.earnings = earnings
            payout.debt_deducted = sum(amount for _, amount in debts)
            payout.amount = earnings - payout.debt_deducted
            payout.transaction_count = linked.get("count") or 0
            payout.status = PayoutState.PENDING
            payout.skip_reason = ""
            payout.error = ""
            payout.attempts += 1
            payout.idempotency_key = payout.key_for_attempt(payout.attempts)
            payout.attempted_at = now
        bulk_update_payouts(payouts, PREPARED_FIELDS)
        if skipped:
            from payments.payouts_mail import payout_skipped_notify

            ids = [payout.pk for payout in skipped]
            transaction.on_commit(lambda: [payout_skipped_notify(payout_id=pk) for pk in ids])
    return payouts


def bulk_update_payouts(payouts: list[Payout], fields: list[str]) -> None:
    """``bulk_update``, on PostgreSQL as one UPDATE joined with the rows' new values (Django's
    CASE per field and row is evaluated row by row and grows with the batch twice over)."""
    if not payouts:
        return
    if connection.vendor != "postgresql":
        Payout.objects.bulk_update(payouts, fields)
        return
    columns = [Payout._meta.get_field(name) for name in fields]
    casts = ", ".join(["%s::bigint"] + [f"%s::{column.db_type(connection)}" for column in columns])
    rows = ", ".join([f"({casts})"] * len(payouts))
    values = [
        value
        for payout in payouts
        for value in (
            payout.pk,
            *(
                column.get_db_prep_save(getattr(payout, column.attname), connection)
                for column in columns
            ),
        )
    ]
    names = [column.column for column in columns]
    assignments = ", ".join(f'"{name}" = v."{name}"' for name in names)
    aliases = ", ".join(f'"{name}"' for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Payout._meta.db_table} AS p SET {assignments} "  # noqa: S608 - our names
            f"FROM (VALUES {rows}) AS v(id, {aliases}) WHERE p.id = v.id",
            values,
        )


def _link_transactions(payable: list[tuple[_Group, Payout]], context: _Context) -> None:
    """Tie each group's eligible transactions to its payout (one UPDATE for the batch), then
    record the share each counts."""
    ids = [payout.pk for _, payout in payable]
    eligible = eligible_transactions(cutoff=context.cutoff).filter(
        trainer_id__in={group.trainer_id for group, _ in payable},
        currency__in={group.currency for group, _ in payable},
    )
    if connection.vendor == "postgresql":
        # A join with the batch's (trainer, currency, payout) rows: a CASE with a branch per
        # payout is evaluated on every row and grows with the batch.
        subquery, params = eligible.values("id").query.sql_with_params()
        rows = ", ".join(["(%s::bigint, %s::varchar, %s::bigint)"] * len(payable))
        values = [v for group, p in payable for v in (group.trainer_id, group.currency, p.pk)]
        table = Transaction._meta.db_table
        with connection.cursor() as cursor:
            # payout_share: payments.money.trainer_share_expression of what was kept, written
            # out here so each row is written once (tests compare it with the Python rule).
            cursor.execute(
                f"UPDATE {table} AS t SET payout_id = v.payout_id, "  # noqa: S608 - our names
                f"payout_share = ((t.gross_amount - t.refunded_amount)::bigint "
                f"* (100 - t.fee_percent) + 50) / 100 "
                f"FROM (VALUES {rows}) AS v(trainer_id, currency, payout_id) "
                f"WHERE t.trainer_id = v.trainer_id AND t.currency = v.currency "
                f"AND t.id IN ({subquery})",
                [*values, *params],
            )
        return
    eligible.update(
        payout_id=Case(
            *[
                When(trainer_id=group.trainer_id, currency=group.currency, then=Value(p.pk))
                for group, p in payable
            ],
            default=None,
            output_field=BigIntegerField(),
        )
    )
    Transaction.objects.filter(payout_id__in=ids).update(payout_share=share_expression())


@dataclass
class _Call:
    """A transfer to ask Stripe for: the payout as committed, and whether to look first."""

    payout: Payout
    look_first: bool = False


@dataclass
class _Answer:
    call: _Call
    transfer: Transfer | None = None
    error: GatewayError | None = None
    detail: str = ""


def _resume_call(payout: Payout) -> _Call:
    """A payout left pending (a crash, or Stripe did not answer) goes on with its key, after
    looking for its transfer when Stripe may have forgotten the key or saved an error; one
    waiting for funds gets a new attempt (Stripe refused the last one outright)."""
    if payout.status == PayoutState.WAITING_FOR_FUNDS:
        with transaction.atomic():
            payout = Payout.objects.select_for_update().get(pk=payout.pk)
            payout.attempts += 1
            payout.idempotency_key = payout.key_for_attempt(payout.attempts)
            payout.attempted_at = timezone.now()
            payout.save(update_fields=["attempts", "idempotency_key", "attempted_at", "updated_at"])
        return _Call(payout)
    key_may_be_forgotten = (
        payout.attempted_at is None
        or timezone.now() - payout.attempted_at >= settings.PAYOUT_IDEMPOTENCY_KEY_TTL
    )
    # Stripe replays a saved error (a 500 too) for a known key, and a forgotten key would
    # make a second transfer: either way the transfer is looked for first.
    return _Call(payout, look_first=key_may_be_forgotten or bool(payout.error))


def _transfer_metadata(payout: Payout) -> dict[str, str]:
    return {
        "payout_id": str(payout.pk),
        "run_id": str(payout.run_id),
        "trainer_id": str(payout.trainer_id),
        "period": payout.period,
    }


def _transfer_call(call: _Call, gateway: Gateway) -> _Answer:
    """Stripe only, no database (it runs in a worker thread; the demo gateway's calls, which
    use the database, run in the caller's)."""
    payout = call.payout
    if payout.amount == 0:
        return _Answer(call, detail="settled by debt")
    try:
        if call.look_first:
            found = gateway.find_transfer(
                transfer_group=payout.transfer_group, metadata={"payout_id": str(payout.pk)}
            )
            if found is not None:
                return _Answer(call, transfer=found, detail="found at Stripe")
        transfer = gateway.create_transfer(
            amount=payout.amount,
            currency=payout.currency,
            destination=payout.destination,
            transfer_group=payout.transfer_group,
            metadata=_transfer_metadata(payout),
            idempotency_key=payout.idempotency_key,
        )
    except GatewayError as exc:
        return _Answer(call, error=exc)
    return _Answer(call, transfer=transfer)


def _transfer_batch(
    calls: list[_Call],
    context: _Context,
    result: PayoutRunResult,
    pool: ThreadPoolExecutor,
    done: int,
    total: int,
    progress: Progress | None,
) -> int:
    """The batch's transfers, a few at a time; then its answers, recorded together."""
    answers: list[_Answer] = []
    if context.gateway.is_demo:  # the demo gateway keeps its objects in our database
        completed = (_transfer_call(call, context.gateway) for call in calls)
    else:
        futures = [pool.submit(_transfer_call, call, context.gateway) for call in calls]
        completed = (future.result() for future in as_completed(futures))
    for answer in completed:
        answers.append(answer)
        done += 1
        if progress is not None:
            progress(done, total)
    paid = [answer for answer in answers if answer.error is None]
    if paid:
        _mark_paid([(answer.call.payout, answer.transfer) for answer in paid])
    for answer in answers:
        payout, exc = answer.call.payout, answer.error
        if exc is None:
            result.lines.append(_line(payout, context, "paid", answer.detail))
        elif isinstance(exc, InsufficientFunds):
            _mark_waiting(payout, exc)
            result.lines.append(_line(payout, context, "waiting_for_funds"))
        elif isinstance(exc, TransientGatewayError):
            _mark_unconfirmed(payout, exc)
            result.lines.append(_line(payout, context, "pending"))
        else:
            _mark_failed(payout, exc)
            result.lines.append(_line(payout, context, "failed"))
    PayoutRun.objects.filter(pk=context.run.pk).update(heartbeat_at=timezone.now())
    return done


def _mark_paid(paid: list[tuple[Payout, Transfer | None]]) -> None:
    """The payouts and their transactions, paid: one bulk update of the transactions, one of
    the payouts; then reversals that waited for them go to Stripe."""
    now = timezone.now()
    paid_on = timezone.localtime(now, payout_zone()).date()
    for payout, transfer in paid:
        payout.status = PayoutState.PAID
        payout.stripe_transfer_id = transfer.id if transfer else None
        payout.paid_at = now
        payout.error = ""
        payout.updated_at = now
    ids = [payout.pk for payout, _ in paid]
    with transaction.atomic():
        _mark_transactions_paid(paid, paid_on)
        bulk_update_payouts(
            [payout for payout, _ in paid],
            ["status", "stripe_transfer_id", "paid_at", "error", "updated_at"],
        )
        waiting_reversals = list(
            PayoutReversal.objects.filter(
                payout_id__in=ids, status=ReversalStatus.PENDING
            ).values_list("pk", flat=True)
        )
    for reversal_id in waiting_reversals:
        try:
            payout_reversal_execute(reversal_id=reversal_id)
        except TransientGatewayError:
            logger.warning("Reversal %s: Stripe did not answer; it stays pending", reversal_id)


def _mark_transactions_paid(paid: list[tuple[Payout, Transfer | None]], paid_on) -> None:
    """One UPDATE: each payout's transactions get its transfer id, the status and the date."""
    if connection.vendor == "postgresql":
        rows = ", ".join(["(%s::bigint, %s::varchar)"] * len(paid))
        values = [v for payout, _ in paid for v in (payout.pk, payout.stripe_transfer_id or "")]
        table = Transaction._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS t SET payout_status = %s, payout_date = %s, "  # noqa: S608
                f"stripe_transfer_id = v.transfer_id "
                f"FROM (VALUES {rows}) AS v(payout_id, transfer_id) "
                f"WHERE t.payout_id = v.payout_id",
                [PayoutStatus.PAID, paid_on, *values],
            )
        return
    Transaction.objects.filter(payout_id__in=[payout.pk for payout, _ in paid]).update(
        payout_status=PayoutStatus.PAID,
        stripe_transfer_id=Case(
            *[
                When(payout_id=payout.pk, then=Value(payout.stripe_transfer_id or ""))
                for payout, _ in paid
            ],
            default=Value(""),
            output_field=CharField(),
        ),
        payout_date=paid_on,
    )


def _mark_waiting(payout: Payout, exc: GatewayError) -> None:
    payout.status = PayoutState.WAITING_FOR_FUNDS
    payout.error = describe_gateway_error(exc)
    payout.save(update_fields=["status", "error", "updated_at"])


def _mark_unconfirmed(payout: Payout, exc: GatewayError) -> None:
    """Stripe did not answer: the transfer may exist. The payout stays pending, and the
    next run or the daily retry goes on with the same key."""
    payout.error = describe_gateway_error(exc)
    payout.save(update_fields=["error", "updated_at"])


def _mark_failed(payout: Payout, exc: GatewayError) -> None:
    """Refused for good: the transactions and debts go back to wait for a later payout."""
    with transaction.atomic():
        Transaction.objects.filter(payout=payout).update(payout=None, payout_share=None)
        PayoutReversal.objects.filter(settled_by=payout).update(
            settled_by=None, status=ReversalStatus.DEBT
        )
        payout.status = PayoutState.FAILED
        payout.error = describe_gateway_error(exc)
        payout.save(update_fields=["status", "error", "updated_at"])


# --- the dry run ---------------------------------------------------------------------------


def _plan(
    result: PayoutRunResult,
    *,
    trainer_id: int | None,
    retry_failed: bool,
    now: datetime,
    progress: Progress | None,
) -> None:
    """What a run would do, read-only: no row written, no Stripe call."""
    context = _context(run=None, period=result.period, cutoff=result.cutoff, now=now, gateway=None)
    resume, prepare = _work(
        period=result.period,
        cutoff=result.cutoff,
        trainer_id=trainer_id,
        retry_failed=retry_failed,
        new_groups=True,
    )
    context.names = _trainer_names(
        [p.trainer_id for p in resume] + [g.trainer_id for g, _ in prepare]
    )
    total = len(resume) + len(prepare)
    for done, payout in enumerate(resume, start=1):
        result.lines.append(_line(payout, context, "pending", "would be retried"))
        if progress:
            progress(done, total)
    for done, (group, _existing) in enumerate(prepare, start=len(resume) + 1):
        reason, _account = _skip_reason(context, group.trainer_id)
        debt = sum(amount for _, amount in _take_debts(context, group))
        line = PayoutLine(
            trainer_id=group.trainer_id,
            trainer_name=context.names.get(group.trainer_id, ""),
            currency=group.currency,
            outcome="skipped" if reason else "paid",
            earnings=group.earnings,
            debt_deducted=0 if reason else debt,
            amount=group.earnings if reason else group.earnings - debt,
            transaction_count=group.count,
            detail=str(SkipReason(reason).label) if reason else "would be paid",
        )
        result.lines.append(line)
        if progress:
            progress(done, total)


# --- after a run ---------------------------------------------------------------------------


def _after_run(result: PayoutRunResult) -> None:
    """Check the period's books; staff hear of a mismatch."""
    from payments.payouts_mail import reconciliation_mismatch_notify
    from payments.payouts_queries import reconciliation

    try:
        rows = reconciliation(result.period)
    except Exception:  # the run's payouts are done; a report failing must not hide that
        logger.exception("Reconciliation of %s failed", result.period)
        return
    if any(not row.balanced for row in rows):
        reconciliation_mismatch_notify(period=result.period, rows=rows)


__all__ = [
    "PayoutLine",
    "PayoutRunResult",
    "eligible_transactions",
    "payouts_retry_waiting",
    "run_monthly_payouts",
    "running_run",
]

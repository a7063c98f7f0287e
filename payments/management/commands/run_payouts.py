"""``manage.py run_payouts``: the monthly payouts by hand, with a progress bar and a summary.

Without ``--period`` it pays the period the scheduled run would pay today (PAYOUT_DAY's
rule: the previous calendar month by default). ``--dry-run`` writes nothing and calls
nobody. A period that has not ended is refused, and so is a second run while one is in
progress (the command names it).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from marketplace.money import format_money
from payments.payouts_models import PayoutRunTrigger
from payments.payouts_periods import period_to_pay
from payments.services.payouts import OUTCOMES, PayoutRunResult, run_monthly_payouts
from traino.exceptions import DomainError


class Command(BaseCommand):
    help = "Pay trainers for a finished month: one Stripe transfer per trainer and currency."

    def add_arguments(self, parser):
        parser.add_argument("--period", help="YYYY-MM (default: the month the schedule pays)")
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would happen; write and send nothing"
        )
        parser.add_argument("--trainer", type=int, help="only this trainer (profile id)")
        parser.add_argument(
            "--retry-failed", action="store_true", help="also retry the period's failed payouts"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        period = options["period"] or period_to_pay()
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if options["no_progress"]:
                return
            if bar is None:
                bar = tqdm(total=total, unit="payout", desc=period, file=self.stderr._out)
            bar.update(done - bar.n)

        try:
            result = run_monthly_payouts(
                period=period,
                trigger=PayoutRunTrigger.COMMAND,
                trainer_id=options["trainer"],
                retry_failed=options["retry_failed"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except DomainError as refusal:
            raise CommandError(f"{refusal.code}: {refusal.message}") from refusal
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(summary(result))


def summary(result: PayoutRunResult) -> str:
    """The run's outcome as a table: payouts and amounts per currency and outcome."""
    head = f"Payouts for {result.period} (sessions ended before {result.cutoff:%Y-%m-%d %H:%M} UTC)"
    if result.dry_run:
        head += " - DRY RUN: nothing was written or sent"
    elif result.run is not None:
        head += f" - run #{result.run.pk}"
    lines = [head, ""]
    width = max([len(o) for o in OUTCOMES] + [8])
    counts = result.counts
    currencies = sorted(result.totals)
    lines.append(
        f"{'outcome':<{width}}  {'payouts':>7}" + "".join(f"  {c:>16}" for c in currencies)
    )
    for outcome in OUTCOMES:
        amounts = "".join(
            f"  {format_money(result.totals[c].get(outcome, 0), c):>16}" for c in currencies
        )
        lines.append(f"{outcome.replace('_', ' '):<{width}}  {counts.get(outcome, 0):>7}{amounts}")
    problems = [line for line in result.lines if line.outcome != "paid"]
    if problems:
        lines += ["", "Not paid:"]
        lines += [
            f"  trainer {line.trainer_id} {line.trainer_name}: {line.outcome.replace('_', ' ')}"
            f" {format_money(line.amount, line.currency)} - {line.detail}"
            for line in problems
        ]
    return "\n".join(lines) + "\n"

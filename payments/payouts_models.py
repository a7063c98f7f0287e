"""Monthly payouts' rows: a run, the payouts it makes (one Stripe Transfer each), and money
taken back from a trainer after a payout (transfer reversals, and the debt carried when a
reversal fails). ``payments.models`` imports these, so they belong to the payments app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments.models import Transaction


class PayoutRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    INTERRUPTED = "interrupted", _("Interrupted")


class PayoutRunTrigger(models.TextChoices):
    BEAT = "beat", _("Monthly schedule")
    RETRY = "retry", _("Daily retry")
    COMMAND = "command", _("Command")
    STAFF = "staff", _("Staff")


class PayoutRun(models.Model):
    """One pass of ``run_monthly_payouts`` over a period.

    Only one run is ``running`` at a time (a partial unique index; on PostgreSQL also a
    session advisory lock, which the server releases when the process dies, so a crashed
    run is recognised at once and marked ``interrupted`` by the next one).
    """

    period = models.CharField(_("period"), max_length=7, db_index=True, help_text="YYYY-MM")
    cutoff = models.DateTimeField(_("sessions ended before"))
    trigger = models.CharField(_("started by"), max_length=16, choices=PayoutRunTrigger)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff user"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PayoutRunStatus, default=PayoutRunStatus.RUNNING
    )
    only_trainer = models.ForeignKey(
        "marketplace.TrainerProfile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only this trainer"),
    )
    retry_failed = models.BooleanField(_("failed payouts retried"), default=False)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    heartbeat_at = models.DateTimeField(_("last sign of life"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    counts = models.JSONField(_("payouts by status"), default=dict, blank=True)
    totals = models.JSONField(_("amounts by currency and status"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True, default="")

    class Meta:
        verbose_name = _("payout run")
        verbose_name_plural = _("payout runs")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="running"),
                name="payout_run_one_running",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.period} ({self.get_status_display()})"


class PayoutState(models.TextChoices):
    PENDING = "pending", _("Being paid")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")
    WAITING_FOR_FUNDS = "waiting_for_funds", _("Waiting for funds")
    REVERSED = "reversed", _("Reversed")


class SkipReason(models.TextChoices):
    NO_ACCOUNT = "no_account", _("No Stripe account yet")
    PAYOUTS_DISABLED = "payouts_disabled", _("Stripe cannot pay out to the account yet")


class Payout(models.Model):
    """What a trainer is paid for a period in one currency: one Stripe Transfer.

    Unique per (trainer, period, currency): Stripe forgets idempotency keys after about a
    day, a re-run can come later, so the database is what stops a second payout. The row,
    its transactions and its idempotency key are committed before Stripe is called.
    ``earnings`` is the trainers' share of the transactions it pays, ``debt_deducted`` what
    earlier failed reversals took off it, ``amount`` what was transferred.
    """

    run = models.ForeignKey(
        PayoutRun, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("run")
    )
    trainer = models.ForeignKey(
        "marketplace.TrainerProfile",
        on_delete=models.PROTECT,
        related_name="payouts",
        verbose_name=_("trainer"),
    )
    period = models.CharField(_("period"), max_length=7, help_text="YYYY-MM")
    currency = models.CharField(_("currency"), max_length=3)
    earnings = models.BigIntegerField(_("earnings"), default=0)
    debt_deducted = models.BigIntegerField(_("debt deducted"), default=0)
    amount = models.BigIntegerField(_("amount transferred"), default=0)
    transaction_count = models.PositiveIntegerField(_("transactions"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=PayoutState, default=PayoutState.PENDING
    )
    skip_reason = models.CharField(
        _("skip reason"), max_length=20, choices=SkipReason, blank=True, default=""
    )
    destination = models.CharField(_("connected account"), max_length=255, blank=True, default="")
    stripe_transfer_id = models.CharField(
        _("Stripe transfer"), max_length=255, unique=True, null=True, blank=True
    )
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=255, unique=True, null=True, blank=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    attempted_at = models.DateTimeField(_("current key first sent"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    amount_reversed = models.BigIntegerField(_("reversed"), default=0)
    error = models.TextField(_("error"), blank=True, default="")
    note = models.TextField(_("note"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-period", "trainer_id", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainer", "period", "currency"], name="payout_one_per_trainer_period"
            ),
            models.CheckConstraint(
                condition=models.Q(amount=models.F("earnings") - models.F("debt_deducted")),
                name="payout_amount_is_earnings_less_debt",
            ),
        ]
        indexes = [models.Index(fields=["status", "period"], name="payout_status_period")]

    def __str__(self) -> str:
        return f"payout-{self.pk} {self.period} {self.currency}"

    @property
    def transfer_group(self) -> str:
        return f"payout-{self.pk}"

    def key_for_attempt(self, attempt: int) -> str:
        """``payout-<id>`` first; after Stripe refused an attempt outright (no transfer was
        made) the next one needs a fresh key, since Stripe replays a saved error."""
        return f"payout-{self.pk}" if attempt <= 1 else f"payout-{self.pk}-attempt-{attempt}"


class ReversalReason(models.TextChoices):
    REFUND = "refund", _("Refund after payout")
    DISPUTE_LOST = "dispute_lost", _("Dispute lost after payout")


class ReversalStatus(models.TextChoices):
    PENDING = "pending", _("To be reversed")
    REVERSED = "reversed", _("Reversed")
    DEBT = "debt", _("Carried as debt")
    SETTLED = "settled", _("Deducted from a later payout")


class PayoutReversal(models.Model):
    """The trainer's share of money that went back to a trainee after it was paid out.

    Stripe is asked to reverse that much of the payout's transfer; if it cannot (the
    trainer's Stripe balance is empty), the amount is a debt the next payout deducts
    (``settled_by``). The row and its key (``reversal-<id>``) are stored before the call.
    """

    payout = models.ForeignKey(
        Payout, on_delete=models.PROTECT, related_name="reversals", verbose_name=_("payout")
    )
    transaction = models.ForeignKey(
        "payments.Transaction",
        on_delete=models.PROTECT,
        related_name="payout_reversals",
        verbose_name=_("transaction"),
    )
    trainer = models.ForeignKey(
        "marketplace.TrainerProfile",
        on_delete=models.PROTECT,
        related_name="payout_reversals",
        verbose_name=_("trainer"),
    )
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.BigIntegerField(_("amount"))
    reason = models.CharField(_("why"), max_length=16, choices=ReversalReason)
    status = models.CharField(
        _("status"), max_length=16, choices=ReversalStatus, default=ReversalStatus.PENDING
    )
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=255, unique=True, null=True, blank=True
    )
    stripe_reversal_id = models.CharField(
        _("Stripe reversal"), max_length=255, unique=True, null=True, blank=True
    )
    settled_by = models.ForeignKey(
        Payout,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="debts_settled",
        verbose_name=_("deducted from payout"),
    )
    error = models.TextField(_("error"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("payout reversal")
        verbose_name_plural = _("payout reversals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payout_reversal_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"reversal-{self.pk} {self.amount} {self.currency}"


class HeldTransaction(Transaction):
    """Transactions still waiting for a payout long after the charge (the holding-limit
    list in the admin): a proxy, no table of its own."""

    class Meta:
        proxy = True
        verbose_name = _("transaction held too long")
        verbose_name_plural = _("transactions held too long")

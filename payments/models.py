"""Payments' rows: trainers' Stripe Connect accounts, Stripe's webhook events as received,
and the demo gateway's stand-in objects."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PENDING = "pending", _("Details missing")
    RESTRICTED = "restricted", _("Restricted")
    ENABLED = "enabled", _("Ready")


class ConnectedAccount(models.Model):
    """A trainer's Stripe Connect Express account: where monthly payouts are transferred.

    The row (with its idempotency key) is committed before Stripe is asked to create the
    account, so a retry or a second click repeats the same request; ``stripe_account_id`` is
    filled in from Stripe's answer. Charges, payouts and requirements mirror Stripe's account
    as of ``stripe_state_at`` (``account.updated`` events older than that are not applied).
    """

    trainer = models.OneToOneField(
        "marketplace.TrainerProfile",
        on_delete=models.PROTECT,
        related_name="connected_account",
        verbose_name=_("trainer"),
    )
    stripe_account_id = models.CharField(
        _("Stripe account id"), max_length=255, unique=True, null=True, blank=True
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    is_demo = models.BooleanField(_("demo account"), default=False)
    livemode = models.BooleanField(_("live mode"), default=False)
    country = models.CharField(_("country"), max_length=2)
    charges_enabled = models.BooleanField(_("charges enabled"), default=False)
    payouts_enabled = models.BooleanField(_("payouts enabled"), default=False)
    details_submitted = models.BooleanField(_("details submitted"), default=False)
    requirements = models.JSONField(_("requirements"), default=dict, blank=True)
    create_attempted_at = models.DateTimeField(_("creation last attempted"), null=True, blank=True)
    stripe_state_at = models.DateTimeField(_("Stripe state as of"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("connected account")
        verbose_name_plural = _("connected accounts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.stripe_account_id or f"(pending) {self.idempotency_key}"

    @property
    def state(self) -> str:
        if not self.stripe_account_id:
            return AccountState.NOT_STARTED
        if self.charges_enabled and self.payouts_enabled:
            return AccountState.ENABLED
        if self.details_submitted:
            return AccountState.RESTRICTED
        return AccountState.PENDING

    @property
    def can_receive_payouts(self) -> bool:
        return bool(self.stripe_account_id) and self.payouts_enabled


class WebhookStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class WebhookSource(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
    RECONCILE = "reconcile", _("Daily reconcile")
    DEMO = "demo", _("Demo gateway")


class WebhookEvent(models.Model):
    """A Stripe event as received, stored before it is acknowledged and processed.

    The Stripe event id is unique, so a redelivery is recognised; processing claims the row
    under a lock, so two workers never apply one event twice.
    """

    stripe_event_id = models.CharField(_("Stripe event id"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100, db_index=True)
    livemode = models.BooleanField(_("live mode"), default=False)
    account = models.CharField(
        _("connected account"), max_length=255, blank=True, default="", db_index=True
    )
    stripe_created_at = models.DateTimeField(_("created at Stripe"), null=True, blank=True)
    payload = models.JSONField(_("payload"))
    source = models.CharField(
        _("source"), max_length=16, choices=WebhookSource, default=WebhookSource.WEBHOOK
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=WebhookStatus, default=WebhookStatus.RECEIVED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, default="")
    note = models.CharField(_("note"), max_length=255, blank=True, default="")
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"], name="webhook_status_received")]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_event_id}"


class DemoObject(models.Model):
    """An object of the demo gateway (account, payment intent, refund ...) in Stripe's JSON
    shape. Kept in the database so that web and worker processes see the same demo state."""

    id = models.CharField(primary_key=True, max_length=64)
    object_type = models.CharField(max_length=32, db_index=True)
    data = models.JSONField()
    idempotency_key = models.CharField(max_length=255, unique=True, null=True, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("demo object")
        verbose_name_plural = _("demo objects")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.id


# --- money taken: transactions and refunds ------------------------------------------------


class PayoutStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for payout")
    PAID = "paid", _("Paid out")
    REVERSED = "reversed", _("Payout reversed")


class DisputeStatus(models.TextChoices):
    """Stripe's dispute statuses, as far as we keep them."""

    WARNING_NEEDS_RESPONSE = "warning_needs_response", _("Inquiry: needs a response")
    WARNING_UNDER_REVIEW = "warning_under_review", _("Inquiry: under review")
    WARNING_CLOSED = "warning_closed", _("Inquiry: closed")
    NEEDS_RESPONSE = "needs_response", _("Needs a response")
    UNDER_REVIEW = "under_review", _("Under review")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class TransactionQuerySet(models.QuerySet):
    def pending_payout(self):
        return self.filter(payout_status=PayoutStatus.PENDING)

    def payable(self):
        """Money the trainer may be paid: waiting for payout, not disputed, and not fully
        refunded. (Whether the session is over is the payout run's own rule.)"""
        return self.pending_payout().filter(
            disputed=False, refunded_amount__lt=models.F("gross_amount")
        )

    def with_kept(self):
        """Annotates ``kept`` (gross less refunds) and ``trainer_payable`` (the trainer's share
        of what was kept, by the same half-up rule as the split): the SQL twins of the
        properties ``kept_amount`` and ``trainer_payable_amount``, for sums per trainer."""
        from payments.money import trainer_share_expression

        kept = models.F("gross_amount") - models.F("refunded_amount")
        return self.annotate(
            kept=models.ExpressionWrapper(kept, output_field=models.BigIntegerField()),
            trainer_payable=trainer_share_expression(kept, models.F("fee_percent")),
        )

    def for_trainer(self, trainer):
        return self.filter(trainer=trainer)

    def in_month(self, year: int, month: int):
        return self.filter(charged_at__year=year, charged_at__month=month)


class Transaction(models.Model):
    """A card payment that succeeded for a booking (the seed's ``transactions``): the gross
    in minor units and its split between the trainer and the platform, fixed when charged.

    Made once per PaymentIntent (``payment_intent_id`` and ``idempotency_key`` unique) by the
    idempotent confirmation that both the webhook and the return page use. Refunds raise
    ``refunded_amount``; a dispute flags it. The monthly payout run pays what ``payable()``
    finds and records the transfer here.
    """

    booking = models.ForeignKey(
        "bookings.Booking",
        on_delete=models.PROTECT,
        related_name="transactions",
        verbose_name=_("booking"),
    )
    trainer = models.ForeignKey(
        "marketplace.TrainerProfile",
        on_delete=models.PROTECT,
        related_name="transactions",
        verbose_name=_("trainer"),
    )
    payment_intent_id = models.CharField(_("payment intent"), max_length=255, unique=True)
    charge_id = models.CharField(_("charge"), max_length=255, blank=True, default="")
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    currency = models.CharField(_("currency"), max_length=3)
    gross_amount = models.PositiveBigIntegerField(
        _("gross"), help_text=_("In the currency's minor unit (öre).")
    )
    fee_percent = models.PositiveSmallIntegerField(_("platform fee (%)"))
    trainer_amount = models.PositiveBigIntegerField(_("trainer's share"))
    platform_fee = models.PositiveBigIntegerField(_("platform fee"))
    refunded_amount = models.PositiveBigIntegerField(_("refunded"), default=0)
    disputed = models.BooleanField(_("disputed"), default=False)
    dispute_id = models.CharField(_("dispute"), max_length=255, blank=True, default="")
    dispute_status = models.CharField(
        _("dispute status"), max_length=32, choices=DisputeStatus, blank=True, default=""
    )
    payout_status = models.CharField(
        _("payout status"),
        max_length=16,
        choices=PayoutStatus,
        default=PayoutStatus.PENDING,
        db_index=True,
    )
    stripe_transfer_id = models.CharField(
        _("Stripe transfer"), max_length=255, blank=True, default=""
    )
    payout_date = models.DateField(_("payout date"), null=True, blank=True)
    # The payout that pays this transaction (payouts_models), and the trainer's share it
    # counted: set together when the payout is prepared, before Stripe is called.
    payout = models.ForeignKey(
        "payments.Payout",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transactions",
        verbose_name=_("payout"),
    )
    payout_share = models.BigIntegerField(_("share counted in the payout"), null=True, blank=True)
    livemode = models.BooleanField(_("live mode"), default=False)
    is_demo = models.BooleanField(_("demo payment"), default=False)
    charged_at = models.DateTimeField(_("charged"), db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TransactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["-charged_at", "-id"]
        indexes = [
            models.Index(fields=["trainer", "payout_status"], name="transaction_trainer_payout"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    trainer_amount__lte=models.F("gross_amount"),
                    platform_fee=models.F("gross_amount") - models.F("trainer_amount"),
                ),
                name="transaction_split_adds_up",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_amount__lte=models.F("gross_amount")),
                name="transaction_refund_within_gross",
            ),
            models.CheckConstraint(
                condition=models.Q(fee_percent__lte=100), name="transaction_fee_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return self.payment_intent_id

    @property
    def kept_amount(self) -> int:
        return self.gross_amount - self.refunded_amount

    @property
    def refundable_amount(self) -> int:
        return self.gross_amount - self.refunded_amount

    @property
    def fully_refunded(self) -> bool:
        return self.refunded_amount >= self.gross_amount

    @property
    def trainer_payable_amount(self) -> int:
        """The trainer's share of what was kept after refunds (same rounding as the split)."""
        from payments.money import trainer_share

        return trainer_share(self.kept_amount, self.fee_percent)


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SUCCEEDED = "succeeded", _("Succeeded")
    PENDING = "pending", _("Pending at Stripe")
    FAILED = "failed", _("Failed")


class RefundSource(models.TextChoices):
    BOOKING_CANCELLED = "cancellation", _("Booking cancelled")
    NO_SHOW = "no_show", _("Trainer did not come")
    LATE_PAYMENT = "late_payment", _("Paid after the seat was gone")
    STAFF = "staff", _("Staff")
    STRIPE = "stripe", _("Made at Stripe")


class Refund(models.Model):
    """Money given back on a transaction. The row and its idempotency key are stored before
    Stripe is asked (``refund-<booking id>`` for the booking's decided refund), so a retry
    repeats the same request and one decision is never refunded twice."""

    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("transaction")
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    stripe_refund_id = models.CharField(
        _("Stripe refund"), max_length=255, unique=True, null=True, blank=True
    )
    amount = models.PositiveBigIntegerField(
        _("amount"), help_text=_("In the currency's minor unit (öre).")
    )
    currency = models.CharField(_("currency"), max_length=3)
    source = models.CharField(_("why"), max_length=16, choices=RefundSource)
    status = models.CharField(
        _("status"), max_length=16, choices=RefundStatus, default=RefundStatus.REQUESTED
    )
    note = models.TextField(_("note"), blank=True, default="")
    last_error = models.TextField(_("last error"), blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.stripe_refund_id or f"(requested) {self.idempotency_key}"


class BookingPayment(models.Model):
    """The PaymentIntent asked for a booking: its idempotency key (``booking-<id>-intent``)
    and the time of the first attempt are committed before Stripe is asked, so a second
    request, a retry or a crash between Stripe and us ends with the same one intent."""

    booking = models.OneToOneField(
        "bookings.Booking",
        on_delete=models.PROTECT,
        related_name="payment",
        verbose_name=_("booking"),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    payment_intent_id = models.CharField(
        _("payment intent"), max_length=255, unique=True, null=True, blank=True
    )
    amount = models.PositiveBigIntegerField(
        _("amount"), help_text=_("In the currency's minor unit (öre).")
    )
    currency = models.CharField(_("currency"), max_length=3)
    intent_status = models.CharField(_("Stripe status"), max_length=32, blank=True, default="")
    is_demo = models.BooleanField(_("demo payment"), default=False)
    livemode = models.BooleanField(_("live mode"), default=False)
    first_attempt_at = models.DateTimeField(_("first attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("booking payment")
        verbose_name_plural = _("booking payments")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.payment_intent_id or f"(pending) {self.idempotency_key}"


# Monthly payouts (runs, payouts, reversals and debts) live in their own module.
from payments.payouts_models import (  # noqa: E402, F401
    HeldTransaction,
    Payout,
    PayoutReversal,
    PayoutRun,
)

"""Payments' rows: trainers' Stripe Connect accounts, Stripe's webhook events as received,
and the demo gateway's stand-in objects."""

from __future__ import annotations

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

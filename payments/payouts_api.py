"""``GET /api/trainer/earnings``: the Earnings page's figures, typed."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.permissions import trainer_profile_of
from payments.payouts_errors import NotATrainer
from payments.payouts_models import PayoutState
from payments.payouts_queries import trainer_earnings
from payments.schema import error_responses


class SessionLineOut(serializers.Serializer):
    transaction_id = serializers.IntegerField()
    date = serializers.DateTimeField()
    trainee_first_name = serializers.CharField()
    currency = serializers.CharField()
    gross = serializers.IntegerField(help_text="Minor units (öre).")
    fee = serializers.IntegerField()
    refunds = serializers.IntegerField()
    net = serializers.IntegerField(help_text="The trainer's share of what was kept.")


class BalanceOut(serializers.Serializer):
    currency = serializers.CharField()
    pending = serializers.IntegerField(help_text="Everything waiting for a payout.")
    next_payout = serializers.IntegerField(help_text="What the next payout holds (before debt).")
    next_payout_count = serializers.IntegerField()
    later = serializers.IntegerField(help_text="Sessions that end after the next cutoff.")
    debt = serializers.IntegerField(help_text="Taken back after a payout; the next one deducts.")


class ReversalOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    transaction_id = serializers.IntegerField()
    amount = serializers.IntegerField()
    currency = serializers.CharField()
    reason = serializers.CharField()
    status = serializers.CharField()


class PayoutOut(serializers.Serializer):
    id = serializers.IntegerField(source="payout.pk")
    period = serializers.CharField(source="payout.period")
    currency = serializers.CharField(source="payout.currency")
    status = serializers.ChoiceField(choices=PayoutState.choices, source="payout.status")
    earnings = serializers.IntegerField(source="payout.earnings")
    debt_deducted = serializers.IntegerField(source="payout.debt_deducted")
    amount = serializers.IntegerField(source="payout.amount", help_text="Transferred.")
    amount_reversed = serializers.IntegerField(source="payout.amount_reversed")
    paid_at = serializers.DateTimeField(source="payout.paid_at", allow_null=True)
    sessions = SessionLineOut(many=True)
    debts_deducted = ReversalOut(many=True)
    reversals = ReversalOut(many=True)


class EarningsOut(serializers.Serializer):
    next_payout_at = serializers.DateTimeField()
    next_period = serializers.CharField(help_text="YYYY-MM: the month the next payout pays.")
    balances = BalanceOut(many=True)
    next_sessions = SessionLineOut(many=True)
    payouts = PayoutOut(many=True)


class TrainerEarningsView(APIView):
    """The signed-in trainer's balance, next payout and payouts (amounts in minor units)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="trainer_earnings",
        responses={
            200: EarningsOut,
            **error_responses({401: ["NOT_AUTHENTICATED"], 403: ["NOT_A_TRAINER"]}),
        },
    )
    def get(self, request):
        profile = trainer_profile_of(request.user)
        if profile is None:
            raise NotATrainer()
        return Response(EarningsOut(trainer_earnings(trainer=profile)).data)

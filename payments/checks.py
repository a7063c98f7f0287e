"""Deployment checks of payments (``manage.py check --deploy``)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def demo_gateway_in_production(app_configs=None, **kwargs):
    """The demo gateway confirms payments nobody made: never what a live site should run."""
    if settings.PRODUCTION and not settings.STRIPE_SECRET_KEY:
        return [
            checks.Warning(
                "STRIPE_SECRET_KEY is empty: payments run on the demo gateway (no real money).",
                hint="Set STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET.",
                id="payments.W001",
            )
        ]
    return []

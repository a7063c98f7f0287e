"""Payments' settings at start-up (in a subprocess, like tests/traino/test_settings.py)."""

from tests.traino.test_settings import NO_ISSUES, generated_production_values, run


def test_production_with_a_stripe_key_refuses_the_development_webhook_secret():
    variables = {**generated_production_values(), "STRIPE_WEBHOOK_SECRET": ""}

    result = run("manage.py", "check", **variables)

    assert result.returncode != 0
    assert (
        "STRIPE_WEBHOOK_SECRET must be set when STRIPE_SECRET_KEY is and DJANGO_ENV=production."
        in result.stderr
    )


def test_production_on_the_demo_gateway_is_a_deploy_warning():
    variables = {
        **generated_production_values(),
        "STRIPE_SECRET_KEY": "",
        "STRIPE_WEBHOOK_SECRET": "",
    }

    result = run("manage.py", "check", "--deploy", **variables)

    assert result.returncode == 0, result.stderr
    assert "payments.W001" in result.stderr + result.stdout
    assert "payments run on the demo gateway" in result.stderr + result.stdout


def test_the_production_example_with_generated_keys_passes_the_payments_deploy_check():
    variables = generated_production_values()

    result = run("manage.py", "check", "--deploy", "--tag", "security", **variables)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == NO_ISSUES


def test_the_platform_fee_must_be_a_percentage():
    result = run("manage.py", "check", PLATFORM_FEE_PERCENT="101")

    assert result.returncode != 0
    assert "PLATFORM_FEE_PERCENT must be between 0 and 100, not 101." in result.stderr


def test_the_embedded_default_uses_the_demo_gateway_with_a_development_webhook_secret():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "from payments.gateway import get_gateway; "
        "print(type(get_gateway()).__name__, s.STRIPE_WEBHOOK_SECRET.startswith('whsec_'), "
        "s.STRIPE_API_BASE, s.STRIPE_CONNECT_COUNTRY, s.PLATFORM_FEE_PERCENT)"
    )

    result = run("-c", script, DJANGO_SETTINGS_MODULE="traino.settings")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["DemoGateway", "True", "https://api.stripe.com", "SE", "15"]

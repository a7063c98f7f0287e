"""Reads for payments' pages."""

from django.utils.translation import gettext_lazy as _

# What Stripe asks for, in words a trainer understands; by the requirement's first part(s).
REQUIREMENT_LABELS = {
    "external_account": _("A bank account for your payouts"),
    "tos_acceptance": _("Accepting Stripe's terms of service"),
    "individual.verification": _("An identity document"),
    "individual.dob": _("Your date of birth"),
    "individual.address": _("Your home address"),
    "individual.id_number": _("Your personal identity number"),
    "individual.first_name": _("Your name"),
    "individual.last_name": _("Your name"),
    "individual.email": _("Your email address"),
    "individual.phone": _("Your phone number"),
    "business_profile": _("A description of your business"),
    "business_type": _("Whether you train as a private person or a company"),
    "company": _("Your company's details"),
}


def requirement_labels(requirements: dict) -> list[str]:
    """Stripe's currently due and past due requirements as distinct readable lines."""
    codes = [*requirements.get("past_due", []), *requirements.get("currently_due", [])]
    labels: list[str] = []
    for code in codes:
        parts = code.split(".")
        label = REQUIREMENT_LABELS.get(".".join(parts[:2])) or REQUIREMENT_LABELS.get(parts[0])
        text = str(label) if label else code
        if text not in labels:
            labels.append(text)
    return labels

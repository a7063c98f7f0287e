import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from . import services
from .account_services import link_hours


@shared_task
def delete_expired_api_tokens() -> int:
    """Beat job: expired and revoked tokens can never authenticate again, so drop their rows."""
    return services.api_tokens_delete_expired()


def _send(*, to: str, template: str, context: dict, language: str) -> None:
    """A plain-text and HTML email rendered in ``language``."""
    with translation.override(language):
        subject = render_to_string(f"marketplace/email/{template}_subject.txt", context)
        text = render_to_string(f"marketplace/email/{template}.txt", context)
        html = render_to_string(f"marketplace/email/{template}.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


@shared_task(
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=True,
    max_retries=3,
)
def send_email_change_link(*, user_id: int, token: str, url: str, language: str) -> bool:
    """The confirmation link, to the new address (read from the token: no address in the
    broker). False when the link is no longer valid (the change was made or superseded)."""
    from .account_services import read_email_change_token
    from .errors import EmailChangeLinkExpired, EmailChangeLinkInvalid

    try:
        user, new_email = read_email_change_token(token, check_age=False)
    except (EmailChangeLinkInvalid, EmailChangeLinkExpired):
        return False
    if user.pk != user_id:
        return False
    context = {"name": user.name, "url": url, "hours": link_hours(), "email": new_email}
    _send(to=new_email, template="email_change", context=context, language=language)
    return True


@shared_task(
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=True,
    max_retries=3,
)
def send_email_changed_notice(*, user_id: int, old_email_sealed: str, language: str) -> bool:
    """Tell the old address that the account's email changed (in case it was not them)."""
    from .account_services import open_old_email
    from .models import User

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return False
    old_email = open_old_email(user=user, sealed=old_email_sealed)
    context = {"name": user.name, "email": user.email}
    _send(to=old_email, template="email_changed", context=context, language=language)
    return True

"""Where log-in and sign-up send people back to: the page they came from, never elsewhere.

Every "Log in" / "Sign up" link carries the page it is on as ``?next=`` (the
``{% login_url %}`` and ``{% signup_url %}`` tags); the forms keep it, and after a log-in or
a trainee's sign-up the user lands there. A ``next`` is used only when it is a path on this
site (``url_has_allowed_host_and_scheme``): anything else (another host, ``//host``,
``javascript:``) is dropped, so the links cannot be used for an open redirect.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

NEXT = "next"

# The log-in and sign-up journey's own pages: a link on one of them passes on the ``next`` it
# was given instead of pointing back at itself.
ACCOUNT_JOURNEY = frozenset(
    {
        "login",
        "logout",
        "signup",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
)


def safe_next(request, value: str | None) -> str:
    """``value`` when it is a path on this site, else ""."""
    if not value:
        return ""
    allowed = url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return value if allowed else ""


def requested_next(request) -> str:
    """The request's own ``next`` (form field first, then query string), if it is safe."""
    value = request.POST.get(NEXT, "") if request.method == "POST" else ""
    return safe_next(request, value or request.GET.get(NEXT, ""))


def return_path(request) -> str:
    """Where a log-in started on this page should return to."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name in ACCOUNT_JOURNEY:
        return requested_next(request)
    return request.get_full_path()


def with_next(url_name: str, next_path: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({NEXT: next_path})}" if next_path else url

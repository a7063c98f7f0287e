"""Every API error is JSON {"error": {"code", "message", "fields"}}, in English or Swedish.

This module is also the URLconf of the tests marked ``pytest.mark.urls(__name__)``: the real
routes plus a few views that fail on purpose.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.test import Client
from django.urls import path
from django.utils import timezone
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient
from rest_framework.views import APIView

from marketplace import services
from traino import urls as traino_urls
from traino.exceptions import DomainError

pytestmark = pytest.mark.django_db

LANGS = ["en", "sv"]


class _FailingView(APIView):
    permission_classes = [AllowAny]
    failure: Exception = RuntimeError("set by as_view")

    def get(self, request):
        raise self.failure


class _CrashingView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("a bug inside an API view")


urlpatterns = [
    path("api/test/crash", _CrashingView.as_view()),
    path(
        "api/test/django-validation",
        _FailingView.as_view(
            failure=DjangoValidationError({"email": ["Enter a valid email address."]})
        ),
    ),
    path("api/test/http404", _FailingView.as_view(failure=Http404())),
    path("api/test/permission-denied", _FailingView.as_view(failure=PermissionDenied())),
    path(
        "api/test/api-error",
        _FailingView.as_view(
            failure=DomainError(code="SLOT_UNAVAILABLE", fields={"slot": ["Taken."]}, status=409)
        ),
    ),
    *traino_urls.urlpatterns,
]
handler400 = traino_urls.handler400
handler403 = traino_urls.handler403
handler404 = traino_urls.handler404
handler500 = traino_urls.handler500


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


MALFORMED = {
    "en": "The request body could not be read: send valid JSON or form data.",
    "sv": "Begärans innehåll kunde inte läsas: skicka giltig JSON eller formulärdata.",
}


@pytest.mark.parametrize("lang", LANGS)
def test_malformed_json_is_400_malformed_request(api_client, lang):
    response = api_client.post(
        "/api/auth/token",
        data='{"email": "a@example.se", ',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
    )

    assert _error(response, 400) == {
        "code": "MALFORMED_REQUEST",
        "message": MALFORMED[lang],
        "fields": {},
    }


VALIDATION = {
    "en": (
        "Some fields are not valid.",
        {"email": ["Enter a valid email address."], "password": ["This field is required."]},
    ),
    "sv": (
        "Några fält är inte giltiga.",
        {"email": ["Ange en giltig mejladress."], "password": ["Det här fältet är obligatoriskt."]},
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_invalid_fields_are_400_with_a_message_per_field(api_client, lang):
    response = api_client.post(
        "/api/auth/token", {"email": "not-an-email"}, format="json", HTTP_ACCEPT_LANGUAGE=lang
    )

    message, fields = VALIDATION[lang]
    assert _error(response, 400) == {
        "code": "VALIDATION_ERROR",
        "message": message,
        "fields": fields,
    }


def test_accept_language_with_region_and_weights_picks_swedish(api_client):
    response = api_client.get("/api/me", HTTP_ACCEPT_LANGUAGE="sv-SE,sv;q=0.9,en;q=0.5")

    assert _error(response, 401)["message"] == (
        "Logga in eller skicka en API-token: Authorization: Bearer <token>."
    )


def test_unknown_language_falls_back_to_english(api_client):
    response = api_client.get("/api/me", HTTP_ACCEPT_LANGUAGE="fi")

    assert _error(response, 401)["message"] == (
        "Log in or send an API token: Authorization: Bearer <token>."
    )


NOT_AUTHENTICATED = {
    "en": "Log in or send an API token: Authorization: Bearer <token>.",
    "sv": "Logga in eller skicka en API-token: Authorization: Bearer <token>.",
}
TOKEN_INVALID = {"en": "This API token is not valid.", "sv": "Den här API-token är inte giltig."}
TOKEN_EXPIRED = {
    "en": "This API token has expired. Ask for a new one.",
    "sv": "Den här API-token har gått ut. Begär en ny.",
}


@pytest.mark.parametrize("lang", LANGS)
def test_no_credentials_is_401_not_authenticated(api_client, lang):
    response = api_client.get("/api/me", HTTP_ACCEPT_LANGUAGE=lang)

    assert _error(response, 401) == {
        "code": "NOT_AUTHENTICATED",
        "message": NOT_AUTHENTICATED[lang],
        "fields": {},
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("lang", LANGS)
def test_wrong_token_is_401_token_invalid(api_client, lang):
    response = api_client.get(
        "/api/me", HTTP_AUTHORIZATION="Bearer trn_wrong", HTTP_ACCEPT_LANGUAGE=lang
    )

    assert _error(response, 401) == {
        "code": "TOKEN_INVALID",
        "message": TOKEN_INVALID[lang],
        "fields": {},
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("lang", LANGS)
def test_expired_token_is_401_token_expired(api_client, user, lang):
    _token, raw = services.api_token_issue(user=user, now=timezone.now() - timedelta(days=30))

    response = api_client.get(
        "/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=lang
    )

    assert _error(response, 401) == {
        "code": "TOKEN_EXPIRED",
        "message": TOKEN_EXPIRED[lang],
        "fields": {},
    }


CSRF = {
    "en": "The CSRF check failed. Reload the page and try again.",
    "sv": "CSRF-kontrollen misslyckades. Ladda om sidan och försök igen.",
}


@pytest.mark.parametrize("lang", LANGS)
def test_session_request_without_csrf_token_is_403_csrf_failed(user, lang):
    # given a browser session (the web log-in) that calls the API without its CSRF token
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get("/api/me").status_code == 200

    # when it sends an unsafe request
    response = browser.post("/api/bookings", {}, format="json", HTTP_ACCEPT_LANGUAGE=lang)

    # then the API refuses it before anything else
    assert _error(response, 403) == {"code": "CSRF_FAILED", "message": CSRF[lang], "fields": {}}


def test_session_request_with_csrf_token_passes_the_check(user):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.get("/accounts/login/")  # sets the CSRF cookie
    csrf_token = browser.cookies["csrftoken"].value

    response = browser.post("/api/bookings", {}, format="json", HTTP_X_CSRFTOKEN=csrf_token)

    assert _error(response, 400)["code"] == "VALIDATION_ERROR"


PERMISSION_DENIED = {
    "en": "You do not have permission to do this.",
    "sv": "Du har inte behörighet att göra det här.",
}


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("lang", LANGS)
def test_permission_denied_raised_in_a_view_is_403(api_client, lang):
    response = api_client.get("/api/test/permission-denied", HTTP_ACCEPT_LANGUAGE=lang)

    assert _error(response, 403) == {
        "code": "PERMISSION_DENIED",
        "message": PERMISSION_DENIED[lang],
        "fields": {},
    }


UNKNOWN_ROUTE = {
    "en": "There is no API endpoint at this address.",
    "sv": "Det finns ingen API-ändpunkt på den här adressen.",
}


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("url", ["/api/no-such-thing", "/api/auth/token/extra/", "/api/"])
def test_unknown_api_route_is_json_404_even_with_debug(client, settings, lang, debug, url):
    settings.DEBUG = debug

    response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)

    assert _error(response, 404) == {
        "code": "NOT_FOUND",
        "message": UNKNOWN_ROUTE[lang],
        "fields": {},
    }


NOT_FOUND = {
    "en": "Nothing was found at this address.",
    "sv": "Det finns inget på den här adressen.",
}


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("lang", LANGS)
def test_http404_raised_in_a_view_is_json_404(api_client, lang):
    response = api_client.get("/api/test/http404", HTTP_ACCEPT_LANGUAGE=lang)

    assert _error(response, 404) == {"code": "NOT_FOUND", "message": NOT_FOUND[lang], "fields": {}}


METHOD_NOT_ALLOWED = {
    "en": "This method is not allowed here.",
    "sv": "Den här metoden är inte tillåten här.",
}


@pytest.mark.parametrize("lang", LANGS)
def test_wrong_method_is_405_with_allow_header(api_client, user, lang):
    _token, raw = services.api_token_issue(user=user)

    response = api_client.put(
        "/api/me", {}, format="json", HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=lang
    )

    assert _error(response, 405) == {
        "code": "METHOD_NOT_ALLOWED",
        "message": METHOD_NOT_ALLOWED[lang],
        "fields": {},
    }
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_wrong_method_on_the_token_endpoint_lists_its_methods(api_client):
    response = api_client.get("/api/auth/token", HTTP_AUTHORIZATION="Bearer trn_x")

    # the method is checked first: no GET here, whatever the credentials
    assert _error(response, 405)["code"] == "METHOD_NOT_ALLOWED"
    assert response["Allow"] == "POST, DELETE, OPTIONS"


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post", "trace"])
def test_a_method_an_endpoint_lacks_is_405_before_credentials(api_client, method):
    response = api_client.generic(method.upper(), "/api/me", "{}", content_type="application/json")

    assert _error(response, 405)["code"] == "METHOD_NOT_ALLOWED"
    assert response["Allow"] == "GET, HEAD, OPTIONS"


SERVER_ERROR = {
    "en": "Something went wrong on our side. Try again later.",
    "sv": "Något gick fel hos oss. Försök igen senare.",
}


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("lang", LANGS)
def test_a_crash_inside_an_api_view_is_json_500(lang):
    client = Client(raise_request_exception=False)

    response = client.get("/api/test/crash", HTTP_ACCEPT_LANGUAGE=lang)

    assert _error(response, 500) == {
        "code": "SERVER_ERROR",
        "message": SERVER_ERROR[lang],
        "fields": {},
    }
    assert b"<html" not in response.content.lower()


@pytest.mark.urls(__name__)
def test_django_validation_error_from_a_service_is_400_with_fields(api_client):
    response = api_client.get("/api/test/django-validation")

    assert _error(response, 400) == {
        "code": "VALIDATION_ERROR",
        "message": "Some fields are not valid.",
        "fields": {"email": ["Enter a valid email address."]},
    }


@pytest.mark.urls(__name__)
def test_api_error_keeps_its_code_status_and_fields(api_client):
    response = api_client.get("/api/test/api-error")

    assert _error(response, 409) == {
        "code": "SLOT_UNAVAILABLE",
        "message": "The request could not be processed.",
        "fields": {"slot": ["Taken."]},
    }


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/me", 401),
        ("get", "/api/does-not-exist", 404),
        ("delete", "/api/auth/token", 401),
        ("post", "/api/me", 405),
        ("patch", "/api/schema/", 405),
        ("post", "/api/auth/token", 415),  # a form body: the API reads JSON
    ],
)
def test_api_errors_are_never_html(client, method, url, status):
    response = getattr(client, method)(url, HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert b"<html" not in response.content.lower()
    assert response.json()["error"]["code"]


@pytest.mark.parametrize("url", ["/api/me", "/api/schema/"])
def test_asking_for_html_only_is_406_in_json(client, url):
    response = client.get(url, HTTP_ACCEPT="text/html")

    assert _error(response, 406) == {
        "code": "NOT_ACCEPTABLE",
        "message": "This API answers in JSON only.",
        "fields": {},
    }


def test_web_pages_still_get_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def _po_entries(path) -> list[dict]:
    """The .po file's entries as {"msgid": ..., "msgid_plural": ..., "msgstr[0]": ...}."""
    import ast
    import re

    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, key = {}, None
        for line in block.splitlines():
            if line.startswith("#, ") and "fuzzy" in line:
                entry["fuzzy"] = True
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                key = match.group(1)
                entry[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def test_every_message_has_a_swedish_translation_and_the_mo_file_is_current(settings):
    import gettext

    locale_dir = settings.BASE_DIR / "locale"
    entries = _po_entries(locale_dir / "sv" / "LC_MESSAGES" / "django.po")
    compiled = gettext.translation("django", localedir=locale_dir, languages=["sv"])

    assert len(entries) > 100
    untranslated = [
        e["msgid"]
        for e in entries
        if e.get("fuzzy") or not all(v for k, v in e.items() if k.startswith("msgstr"))
    ]
    assert untranslated == []
    stale = []
    for e in entries:
        if "msgctxt" in e:
            got = compiled.pgettext(e["msgctxt"], e["msgid"])
        elif "msgid_plural" in e:
            got = compiled.ngettext(e["msgid"], e["msgid_plural"], 1)
        else:
            got = compiled.gettext(e["msgid"])
        if got != e.get("msgstr", e.get("msgstr[0]")):
            stale.append(e["msgid"])
    assert stale == []

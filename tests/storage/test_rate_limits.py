"""Uploads per user are limited (UPLOADS_PER_HOUR), through the API and the HTML form together,
in the shared cache, so that two worker processes count against the same number; and the form
refuses a body over the size limit before anything reads it."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from marketplace import services as marketplace_services
from marketplace.models import Role
from storage.models import UserFile
from tests.factories import UserFactory

from .samples import pdf

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.storage.urls")]

ROOT = Path(__file__).resolve().parents[2]
TOO_MANY = {
    "en": "Too many requests. Slow down.",
    "sv": "För många anrop. Vänta en stund.",
}


def upload(api_client, n: int, lang: str = "en"):
    return api_client.post(
        "/api/uploads",
        {"folder": "document", "file": SimpleUploadedFile(f"doc-{n}.pdf", pdf(f"doc {n}"))},
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def form_upload(client, n: int, lang: str = "en"):
    return client.post(
        "/test-upload/?next=/trainer/profile/",
        {"folder": "document", "file": SimpleUploadedFile(f"form-{n}.pdf", pdf(f"form {n}"))},
        HTTP_ACCEPT_LANGUAGE=lang,
    )


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_uploads_past_the_hourly_limit_are_429_with_retry_after(settings, api_client, lang):
    # given a limit of 2 uploads an hour
    settings.UPLOADS_PER_HOUR = 2
    user = UserFactory()
    api_client.force_authenticate(user)

    # when the user sends three
    statuses = [upload(api_client, n).status_code for n in range(2)]
    refused = upload(api_client, 3, lang=lang)

    # then the third is refused with the JSON error and when to come back, and not stored
    assert statuses == [201, 201]
    assert refused.status_code == 429
    assert refused.json() == {
        "error": {"code": "TOO_MANY_REQUESTS", "message": TOO_MANY[lang], "fields": {}}
    }
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert UserFile.objects.filter(user=user).count() == 2


def test_the_limit_is_per_user(settings, api_client):
    settings.UPLOADS_PER_HOUR = 1
    first, second = UserFactory(), UserFactory()
    api_client.force_authenticate(first)
    assert [upload(api_client, n).status_code for n in range(2)] == [201, 429]

    api_client.force_authenticate(second)

    assert upload(api_client, 3).status_code == 201


def test_refused_uploads_count_too(settings, api_client):
    """Each request costs reading and inspecting its file, whatever the outcome."""
    settings.UPLOADS_PER_HOUR = 2
    api_client.force_authenticate(UserFactory())
    not_a_file = SimpleUploadedFile("notes.pdf", b"just text")

    first = api_client.post("/api/uploads", {"folder": "document", "file": not_a_file})

    assert first.status_code == 422
    assert [upload(api_client, n).status_code for n in range(2)] == [201, 429]


def test_zero_means_no_upload_limit(settings, api_client):
    settings.UPLOADS_PER_HOUR = 0
    api_client.force_authenticate(UserFactory())

    assert {upload(api_client, n).status_code for n in range(4)} == {201}


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "You have uploaded too many files for now. Try again in "),
        ("sv", "Du har laddat upp för många filer just nu. Försök igen om "),
    ],
)
def test_the_form_shares_the_limit_with_the_api_and_says_when_to_come_back(
    settings, client, api_client, lang, message
):
    # given a user who used their 2 uploads of the hour through the API
    settings.UPLOADS_PER_HOUR = 2
    user = UserFactory(role=Role.TRAINER)
    api_client.force_authenticate(user)
    assert [upload(api_client, n).status_code for n in range(2)] == [201, 201]
    client.force_login(user)

    # when they upload one more with the form
    response = form_upload(client, 3, lang=lang)

    # then they are sent back with the reason, and nothing is stored
    assert response.status_code == 302
    assert response["Location"] == "/trainer/profile/"
    (shown,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown.startswith(message)
    assert UserFile.objects.filter(user=user).count() == 2


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args, **kwargs):
        raise AssertionError("the body was read")

    readline = read


def test_the_form_refuses_a_body_over_the_limit_before_reading_it(client):
    # given a logged-in user and a browser that enforces CSRF like a real one
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory(role=Role.TRAINER))

    # when it announces a 50 MB multipart body
    response = browser.generic(
        "POST",
        "/test-upload/?next=/trainer/profile/",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
        **{"wsgi.input": UnreadableBody()},
    )

    # then it is sent back with the size limit, the body unread, nothing stored
    assert response.status_code == 302
    assert response["Location"] == "/trainer/profile/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The file is too large: at most 10.0 MB."
    ]
    assert UserFile.objects.count() == 0


def test_the_form_still_needs_its_csrf_token(client):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory(role=Role.TRAINER))

    response = form_upload(browser, 1)

    assert response.status_code == 403
    assert UserFile.objects.count() == 0


# --- two processes, one Redis -----------------------------------------------------------------

CHILD = """
import json, os, sys
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(HTTP_AUTHORIZATION="Bearer " + os.environ["TRAINO_TEST_TOKEN"])
pdf = bytes.fromhex(os.environ["TRAINO_TEST_PDF"])
results = []
for n in range(int(os.environ["TRAINO_TEST_UPLOADS"])):
    file = SimpleUploadedFile(f"{os.getpid()}-{n}.pdf", pdf)
    response = client.post("/api/uploads", {"folder": "document", "file": file})
    code = response.json().get("error", {}).get("code")
    results.append([response.status_code, response.get("Retry-After"), code])
print(json.dumps(results))
"""


def database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )


@pytest.mark.postgres
def test_the_upload_limit_holds_across_two_processes_sharing_redis(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the two processes need one database they both reach: PostgreSQL")
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("REDIS_URL is not set: the processes would each count in their own memory")

    # given a user allowed 5 uploads an hour, with a token on each of two devices
    user = UserFactory()
    tokens = [marketplace_services.api_token_issue(user=user)[1] for _ in range(2)]
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "traino.settings",
        "DJANGO_ENV": "test",
        "DJANGO_ENV_FILE": os.devnull,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "UPLOADS_PER_HOUR": "5",
        "TRAINO_TEST_UPLOADS": "4",
        "TRAINO_TEST_PDF": pdf().hex(),
    }

    # when two worker processes each take 4 uploads at the same time, one token each
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD],
            cwd=ROOT,
            env={**environment, "TRAINO_TEST_TOKEN": token},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for token in tokens
    ]
    results = []
    for child in children:
        stdout, stderr = child.communicate(timeout=120)
        assert child.returncode == 0, stderr
        results.extend(json.loads(stdout))

    # then exactly 5 of the 8 are accepted, between them, and the others are 429 with Retry-After
    accepted = [result for result in results if result[0] == 201]
    refused = [result for result in results if result[0] != 201]
    assert len(accepted) == 5
    assert [(status, code) for status, _retry, code in refused] == [(429, "TOO_MANY_REQUESTS")] * 3
    assert all(1 <= int(retry_after) <= 3600 for _status, retry_after, _code in refused)
    assert UserFile.objects.filter(user=user).count() == 5

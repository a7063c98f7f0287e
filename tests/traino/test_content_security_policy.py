"""The Content-Security-Policy header on every kind of HTML page, the hosts it names, the
nonce on every script, per-view additions, and templates that need no inline code.

The browser side (no violation while the pages run) is enforced by the ``page`` fixture of
tests/e2e/conftest.py in every browser test.
"""

import json
import re
from pathlib import Path

import pytest
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from tests.factories import (
    CategoryFactory,
    OfferingFactory,
    ScheduleFactory,
    TrainerProfileFactory,
    UserFactory,
)
from tests.traino.test_settings import run
from traino.content_policy import storage_image_sources, tile_image_sources

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'nonce-…'"],
    "style-src": ["'self'", "'nonce-…'"],
    "img-src": ["'self'", "data:", "https://tile.openstreetmap.org"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
EXPECTED_WITHOUT_NONCE = {
    name: [source for source in sources if source != "'nonce-…'"]
    for name, sources in EXPECTED.items()
}


def policy(response) -> dict[str, list[str]]:
    """The header as directive -> sources."""
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def without_nonce(directives: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        name: [re.sub(r"^'nonce-.+'$", "'nonce-…'", source) for source in sources]
        for name, sources in directives.items()
    }


def nonce_of(directives: dict[str, list[str]]) -> str | None:
    nonces = [s for s in directives["script-src"] if s.startswith("'nonce-")]
    assert len(nonces) <= 1
    return nonces[0].removeprefix("'nonce-").removesuffix("'") if nonces else None


@pytest.fixture
def trainer(db):
    profile = TrainerProfileFactory(slug="anna-lindqvist")
    schedule = ScheduleFactory(offering=OfferingFactory(trainer=profile))
    return profile, schedule


def page_urls(profile, schedule) -> dict[str, tuple[str | None, str]]:
    """Page kind -> (who is logged in, URL)."""
    return {
        "public: the map": (None, "/"),
        "public: a trainer's page": (None, f"/trainers/{profile.slug}/"),
        "public: log in": (None, "/accounts/login/"),
        "public: not found": (None, "/no-such-page/"),
        "trainer: profile": ("trainer", "/trainer/profile/"),
        "trainer: calendar": ("trainer", "/trainer/calendar/"),
        "trainer: offerings": ("trainer", "/trainer/offerings/"),
        "trainer: schedule form": ("trainer", f"/trainer/schedules/{schedule.pk}/edit/"),
        "account: overview": ("trainee", "/accounts/"),
        "account: password change": ("trainee", "/accounts/password/"),
        "admin: index": ("staff", "/admin/"),
        "admin: change list": ("staff", "/admin/marketplace/category/"),
        "admin: change form": ("staff", f"/admin/marketplace/trainerprofile/{profile.pk}/change/"),
        "docs: Swagger UI": (None, "/api/docs/"),
    }


def test_every_kind_of_html_page_carries_the_policy_and_nonces_its_scripts(client, trainer):
    # given a published trainer with a schedule, a trainee, and a staff member
    profile, schedule = trainer
    CategoryFactory(slug="boxing", name_en="Boxing", name_sv="Boxning")
    users = {
        "trainer": profile.user,
        "trainee": UserFactory(),
        "staff": UserFactory(is_staff=True, is_superuser=True),
    }
    seen_nonces = set()
    for kind, (who, url) in page_urls(profile, schedule).items():
        # when the page is fetched by the one it is for
        client.logout()
        if who:
            client.force_login(users[who], backend="django.contrib.auth.backends.ModelBackend")
        response = client.get(url)

        # then it is HTML with exactly the site's policy (a page that never asked for a
        # nonce has none in its header)
        assert response.status_code == (404 if "not found" in kind else 200), kind
        assert response["Content-Type"].startswith("text/html"), kind
        directives = policy(response)
        nonce = nonce_of(directives)
        assert without_nonce(directives) == (EXPECTED if nonce else EXPECTED_WITHOUT_NONCE), kind
        # and each script tag carries this response's nonce, one no other page had; Django's
        # admin templates have no nonce, their scripts load from our origin ('self')
        # (json_script's data blocks are not run, so the policy does not apply to them)
        scripts = [
            tag.decode()
            for tag in re.findall(rb"<script\b[^>]*>", response.content)
            if b'type="application/json"' not in tag
        ]
        for tag in scripts:
            if kind.startswith("admin"):
                assert re.search(r'\ssrc="/[^/]', tag), (kind, tag)
            else:
                assert nonce and f'nonce="{nonce}"' in tag, (kind, tag)
        if nonce:
            assert nonce not in seen_nonces, kind
            seen_nonces.add(nonce)
    # (the map, a trainer's page, profile, calendar, schedule form and docs run scripts)
    assert len(seen_nonces) >= 6


def test_swagger_ui_loads_its_start_up_code_as_a_script_of_our_own(client, db):
    # when the docs page is fetched
    response = client.get("/api/docs/")

    # then it has no inline script or style block: the start-up code is a separate request
    html = response.content.decode()
    assert "<style" not in html
    assert re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S) == ["", "", ""]
    assert 'src="/api/docs/?script="' in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_a_view_adds_sources_for_its_own_response_only():
    # given a view that needs Stripe.js, decorated the way such a page is meant to be
    stripe = {
        "script-src": ["https://js.stripe.com"],
        "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
        "connect-src": ["https://api.stripe.com"],
    }

    @csp_update(stripe)
    def payment_page(request):
        return HttpResponse("<html></html>")

    def plain_page(request):
        return HttpResponse("<html></html>")

    # when both answer through the middleware
    request = RequestFactory().get("/")
    with_stripe = policy(CSPMiddleware(payment_page)(request))
    plain = policy(CSPMiddleware(plain_page)(RequestFactory().get("/")))

    # then only the decorated one allows Stripe, on top of the site's policy
    assert with_stripe["script-src"] == ["'self'", "https://js.stripe.com"]
    assert with_stripe["frame-src"] == ["https://js.stripe.com", "https://hooks.stripe.com"]
    assert with_stripe["connect-src"] == ["'self'", "https://api.stripe.com"]
    assert with_stripe["frame-ancestors"] == ["'none'"]
    assert plain["script-src"] == ["'self'"]
    assert "frame-src" not in plain
    assert plain["connect-src"] == ["'self'"]


# --- hosts derived from the settings ------------------------------------------------------------


@pytest.mark.parametrize(
    ("tile_url", "expected"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", ["https://tile.openstreetmap.org"]),
        ("https://{s}.tile.example.se:8443/{z}/{x}/{y}.png", ["https://*.tile.example.se:8443"]),
        ("/tiles/{z}/{x}/{y}.png", []),
    ],
)
def test_the_tile_host_comes_from_the_tile_url(tile_url, expected):
    assert tile_image_sources(tile_url) == expected


@pytest.mark.parametrize(
    ("storage", "expected"),
    [
        ({"bucket": ""}, []),
        (
            {"bucket": "media", "custom_domain": "cdn.traino.se/images"},
            ["https://cdn.traino.se"],
        ),
        ({"bucket": "media", "endpoint_url": "http://minio:9000"}, ["http://minio:9000"]),
        (
            {"bucket": "media", "endpoint_url": "https://s3.test", "addressing_style": "virtual"},
            ["https://media.s3.test"],
        ),
        ({"bucket": "media", "addressing_style": "path"}, ["https://s3.eu-north-1.amazonaws.com"]),
        (
            {"bucket": "media"},
            ["https://media.s3.amazonaws.com", "https://media.s3.eu-north-1.amazonaws.com"],
        ),
    ],
)
def test_the_storage_host_is_where_public_images_are_served_from(storage, expected):
    arguments = {
        "endpoint_url": None,
        "custom_domain": None,
        "region": "eu-north-1",
        "addressing_style": "auto",
        **storage,
    }
    assert storage_image_sources(**arguments) == expected


SHOW_IMG_SRC = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]))
"""


def test_images_are_allowed_from_the_configured_storage_and_tile_hosts():
    # given S3 behind a CDN and a tile server of our own choosing, when the settings load
    result = run(
        "-c",
        SHOW_IMG_SRC,
        DJANGO_SETTINGS_MODULE="traino.settings",
        AWS_STORAGE_BUCKET_NAME="traino-media",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        AWS_S3_CUSTOM_DOMAIN="images.traino.se",
        TRAINO_MAP_TILE_URL="https://tiles.example.se/{z}/{x}/{y}.png",
    )

    # then images may come from us, the CDN and the tile server, and nowhere else
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "'self'",
        "data:",
        "https://images.traino.se",
        "https://tiles.example.se",
    ]


# --- templates ---------------------------------------------------------------------------------

# Email bodies (templates/*/emails/) are read by mail clients, not served under the policy:
# they keep their styles inline, as mail clients need.
TEMPLATES = sorted(
    path for path in (ROOT / "templates").rglob("*.html") if "emails" not in path.parts
)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_code_and_nonce_every_script(path):
    source = path.read_text()
    assert not INLINE_HANDLER.search(source), "an on*= handler: bind it in static/js"
    assert not STYLE_ATTRIBUTE.search(source), "a style attribute: use a class in static/css"
    assert "<style" not in source, "a <style> block: move it to static/css"
    for attributes, body in SCRIPT_TAG.findall(source):
        assert 'nonce="{{ CSP_NONCE }}"' in attributes, f"<script{attributes}> has no nonce"
        assert "src=" in attributes, "inline script code: move it to static/js (json_script)"
        assert not body.strip()


def test_the_template_check_finds_what_it_forbids():
    assert INLINE_HANDLER.search('<button type="submit" onclick="go()">')
    assert STYLE_ATTRIBUTE.search('<p class="x" style="color: red">')
    assert not INLINE_HANDLER.search('<form method="post" action="/x" data-confirm="on=">')
    assert not STYLE_ATTRIBUTE.search("<p>Pick a style=bold</p>")

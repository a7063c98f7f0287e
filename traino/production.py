"""What DJANGO_ENV=production refuses to start with: placeholders, keys too short to be secret.

``.env.example`` is copied to make a real ``.env``; a value left as it was would run a public
site with keys anyone can read in this repository. The settings call
``refuse_insecure_values`` last, with every variable they read, and it raises one
ImproperlyConfigured naming each offending variable, so one failed start lists them all.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

# Every placeholder in .env.example contains it (passwords, keys, the SMTP URL...).
PLACEHOLDER = "change-me"
# .env.example's encryption key: its 32 bytes spell "CHANGE-ME-generate-a-real-key!!!".
EXAMPLE_ENCRYPTION_KEY = "k1:Q0hBTkdFLU1FLWdlbmVyYXRlLWEtcmVhbC1rZXkhISE="
EXAMPLE_BLIND_INDEX_KEY = "change-me-to-another-long-random-string-never-rotated-0123456789"
# Django's own deployment check (security.W009) asks for 50 characters.
SECRET_KEY_MIN_LENGTH = 50
# Counted in characters of the value as given: the blind index uses the value's UTF-8 bytes as
# its HMAC key without decoding it, so 32 characters are at least 32 bytes (256 bits when
# random). secrets.token_urlsafe(48) gives 64.
BLIND_INDEX_KEY_MIN_LENGTH = 32


def insecure_values(values: Mapping[str, str]) -> dict[str, str]:
    """Variable name -> why production refuses it, for each refused one among ``values``."""
    refused: dict[str, str] = {}
    for name, value in values.items():
        if PLACEHOLDER in value.lower():
            refused[name] = f'a placeholder ("{PLACEHOLDER}") from .env.example'

    checks = {
        "SECRET_KEY": lambda value: _too_short(value, SECRET_KEY_MIN_LENGTH),
        "ENCRYPTION_KEY": _encryption_key_problem,
        "BLIND_INDEX_KEY": _blind_index_key_problem,
    }
    for name, check in checks.items():
        if name in values and name not in refused:
            reason = check(values[name])
            if reason:
                refused[name] = reason
    return dict(sorted(refused.items(), key=lambda item: list(values).index(item[0])))


def _too_short(value: str, minimum: int) -> str | None:
    if len(value) < minimum:
        return f"{len(value)} characters, at least {minimum} are needed"
    return None


def _blind_index_key_problem(value: str) -> str | None:
    if value == EXAMPLE_BLIND_INDEX_KEY:
        return "the example key of .env.example"
    return _too_short(value, BLIND_INDEX_KEY_MIN_LENGTH)


def _encryption_key_problem(spec: str) -> str | None:
    # The one parser of the key's form ("<key id>:<base64 of 32 bytes>"), also behind the
    # marketplace.E001 system check; imported here because settings load before the apps.
    from marketplace.crypto import parse_key

    try:
        _key_id, key = parse_key(spec, setting="ENCRYPTION_KEY")
    except ImproperlyConfigured as exc:
        return str(exc).replace("ENCRYPTION_KEY: ", "").replace("ENCRYPTION_KEY ", "")
    _example_id, example = parse_key(EXAMPLE_ENCRYPTION_KEY, setting="EXAMPLE_ENCRYPTION_KEY")
    if key == example or PLACEHOLDER.encode() in key.lower():
        return "the example key of .env.example"
    return None


def refuse_insecure_values(values: Mapping[str, str]) -> None:
    """Raise one ImproperlyConfigured naming every refused variable, or return."""
    refused = insecure_values(values)
    if refused:
        lines = "".join(f"\n  {name}: {reason}" for name, reason in refused.items())
        raise ImproperlyConfigured(
            "DJANGO_ENV=production refuses these values; generate real ones "
            f'(README, "Production mode"):{lines}'
        )

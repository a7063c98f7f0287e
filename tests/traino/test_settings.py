"""Settings from the environment, and the files that document them kept in step with the code.

Start-up behaviour is tested in a subprocess with a clean environment (only PATH), because the
settings module runs once per process. DJANGO_ENV_FILE=/dev/null keeps a developer's .env out.
"""

import ast
import base64
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from traino import production
from traino import settings as traino_settings

ROOT = Path(__file__).resolve().parents[2]
NO_ISSUES = "System check identified no issues (0 silenced)."
# django-environ's readers; a call env.<one of these>("NAME", ...) reads NAME.
ENV_READERS = {
    "str",
    "bool",
    "int",
    "float",
    "list",
    "tuple",
    "dict",
    "json",
    "url",
    "db",
    "db_url",
    "cache",
    "cache_url",
    "email",
    "email_url",
    "search_url",
    "path",
    "get_value",
}


def env_example() -> dict[str, str]:
    """.env.example as NAME -> value, read the way docker compose and django-environ read it."""
    values = {}
    for number, line in enumerate((ROOT / ".env.example").read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", name), f"line {number}: {line!r}"
        assert name not in values, f"{name} is set twice in .env.example"
        values[name] = value
    return values


def variables_read_by_settings() -> set[str]:
    tree = ast.parse((ROOT / "traino" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        first, func = node.args[0], node.func
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        if (
            (isinstance(func, ast.Name) and func.id in {"env", "required"})
            or (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and (
                    (func.value.id == "env" and func.attr in ENV_READERS)
                    or (func.value.id == "os" and func.attr == "getenv")
                )
            )
            or (isinstance(func, ast.Attribute) and ast.unparse(func) == "os.environ.get")
        ):
            names.add(first.value)
    return names


def run(*args: str, **variables: str) -> subprocess.CompletedProcess:
    """Run Python in the project with only PATH and the given variables in its environment."""
    environment = {"PATH": os.environ["PATH"], "DJANGO_ENV_FILE": os.devnull, **variables}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- the embedded default ---------------------------------------------------------------------

SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "debug": s.DEBUG,
    "database": [s.DATABASES["default"]["ENGINE"], str(s.DATABASES["default"]["NAME"])],
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "broker": s.CELERY_BROKER_URL,
    "cache": s.CACHES["default"]["BACKEND"],
    "media": [s.STORAGES["default"]["BACKEND"], str(s.MEDIA_ROOT)],
    "email": s.EMAIL_BACKEND,
    "hosts": s.ALLOWED_HOSTS,
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
}))
"""


def test_nothing_set_runs_the_embedded_default():
    # given an empty environment, when the settings load
    result = run("-c", SHOW_SETTINGS, DJANGO_SETTINGS_MODULE="traino.settings")

    # then it is SQLite, eager Celery, local memory cache, local media and console email
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "debug": True,
        "database": ["django.db.backends.sqlite3", str(ROOT / "db.sqlite3")],
        "eager": True,
        "broker": "",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "media": ["django.core.files.storage.FileSystemStorage", str(ROOT / "media")],
        "email": "django.core.mail.backends.console.EmailBackend",
        "hosts": ["localhost", "127.0.0.1"],
        "ssl_redirect": False,
    }


# --- production -------------------------------------------------------------------------------


def readme_key_commands() -> dict[str, str]:
    """The README's one command per secret: {"SECRET_KEY": "python -c ...", ...}."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Production mode", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    lines = block.strip().splitlines()
    commands = {}
    for comment, command in zip(lines[::2], lines[1::2], strict=True):
        name = re.match(r"# ([A-Z_]+):", comment).group(1)
        commands[name] = command
    return commands


def generate(command: str) -> str:
    """Run one README command as a person would, with this interpreter as `python`."""
    words = shlex.split(command)
    variables = {}
    while "=" in words[0]:
        name, _sep, value = words.pop(0).partition("=")
        variables[name] = value
    assert words[0] == "python", command
    result = run(*words[1:], **variables)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def generated_production_values() -> dict[str, str]:
    """.env.example with generated secrets: the README's commands for the keys, random
    passwords in place of every other "change-me"."""
    variables = env_example()
    for name, value in variables.items():
        variables[name] = re.sub(
            r"change-me[A-Za-z0-9-]*", lambda _match: secrets.token_urlsafe(16), value
        )
    variables.update({name: generate(command) for name, command in readme_key_commands().items()})
    return variables


def test_the_readme_has_one_command_per_key_and_each_makes_an_acceptable_key():
    commands = readme_key_commands()
    assert set(commands) == {"SECRET_KEY", "ENCRYPTION_KEY", "BLIND_INDEX_KEY"}

    keys = {name: generate(command) for name, command in commands.items()}

    assert production.insecure_values(keys) == {}
    assert re.fullmatch(r"k1:[A-Za-z0-9+/]{43}=", keys["ENCRYPTION_KEY"])
    assert len(keys["SECRET_KEY"]) >= 50
    assert len(keys["BLIND_INDEX_KEY"]) >= 32
    assert all(
        re.fullmatch(r"[A-Za-z0-9_-]+", keys[name]) for name in ("SECRET_KEY", "BLIND_INDEX_KEY")
    )
    assert keys != {name: generate(command) for name, command in commands.items()}


@pytest.fixture(scope="module")
def production_values() -> dict[str, str]:
    return generated_production_values()


def test_env_example_with_generated_secrets_passes_check_deploy_without_a_warning(
    production_values,
):
    # given .env.example (DJANGO_ENV=production) with generated secrets
    variables = production_values
    assert variables["DJANGO_ENV"] == "production"
    assert not [name for name, value in variables.items() if "change-me" in value]
    assert variables["ENCRYPTION_KEY"] != env_example()["ENCRYPTION_KEY"]

    # when Django's deployment checks run
    result = run("manage.py", "check", "--deploy", **variables)

    # then there is nothing to warn about
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == NO_ISSUES, result.stdout + result.stderr


def test_production_refuses_env_example_as_it_is_naming_every_placeholder():
    # given .env.example copied without replacing anything
    result = run("manage.py", "check", **env_example())

    # then start-up stops with one message naming each variable still holding a placeholder
    assert result.returncode != 0
    assert result.stdout == ""
    message = result.stderr.split("ImproperlyConfigured: ", 1)[1]
    assert message.strip().splitlines() == [
        "DJANGO_ENV=production refuses these values; generate real ones "
        '(README, "Production mode"):',
        '  SECRET_KEY: a placeholder ("change-me") from .env.example',
        '  DATABASE_URL: a placeholder ("change-me") from .env.example',
        "  ENCRYPTION_KEY: the example key of .env.example",
        '  BLIND_INDEX_KEY: a placeholder ("change-me") from .env.example',
        '  STRIPE_SECRET_KEY: a placeholder ("change-me") from .env.example',
        '  STRIPE_PUBLISHABLE_KEY: a placeholder ("change-me") from .env.example',
        '  STRIPE_WEBHOOK_SECRET: a placeholder ("change-me") from .env.example',
        '  AWS_SECRET_ACCESS_KEY: a placeholder ("change-me") from .env.example',
        '  EMAIL_URL: a placeholder ("change-me") from .env.example',
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECRET_KEY", "x" * 49),
        ("BLIND_INDEX_KEY", "b" * 31),
        ("ENCRYPTION_KEY", "k1:" + base64.b64encode(b"sixteen-byte-key").decode()),
        ("DEFAULT_FROM_EMAIL", "Traino <change-me@traino.example.com>"),
    ],
)
def test_production_refuses_to_start_with_one_weak_value_naming_it(production_values, name, value):
    # given generated production values with one weak value
    variables = {**production_values, name: value}

    # when Django starts
    result = run("manage.py", "check", **variables)

    # then it stops naming that variable, and only that one
    assert result.returncode != 0
    message = result.stderr.split("ImproperlyConfigured: ", 1)[1].strip().splitlines()
    assert len(message) == 2
    assert message[1].startswith(f"  {name}: ")


GOOD = {
    "SECRET_KEY": "s" * 50,
    "ENCRYPTION_KEY": "k2:" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode(),
    "BLIND_INDEX_KEY": "b" * 32,
    "DATABASE_URL": "postgres://traino:a-real-password@postgres:5432/traino",
}


def test_values_at_the_minimum_lengths_are_accepted():
    assert production.insecure_values(GOOD) == {}


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("SECRET_KEY", "s" * 49, "49 characters, at least 50 are needed"),
        ("SECRET_KEY", "", "0 characters, at least 50 are needed"),
        (
            "SECRET_KEY",
            "change-me-to-a-long-random-string-of-at-least-50-characters-0123456789",
            'a placeholder ("change-me") from .env.example',
        ),
        ("BLIND_INDEX_KEY", "b" * 31, "31 characters, at least 32 are needed"),
        (
            "BLIND_INDEX_KEY",
            production.EXAMPLE_BLIND_INDEX_KEY,
            'a placeholder ("change-me") from .env.example',
        ),
        (
            "BLIND_INDEX_KEY",
            "CHANGE-ME" + "b" * 40,
            'a placeholder ("change-me") from .env.example',
        ),
        ("ENCRYPTION_KEY", production.EXAMPLE_ENCRYPTION_KEY, "the example key of .env.example"),
        # the example's key bytes under another key id are still the example key
        (
            "ENCRYPTION_KEY",
            "k9:Q0hBTkdFLU1FLWdlbmVyYXRlLWEtcmVhbC1rZXkhISE=",
            "the example key of .env.example",
        ),
        (
            "ENCRYPTION_KEY",
            "k1:" + base64.b64encode(b"0123456789abcdef").decode(),
            "the key must be 32 bytes (AES-256), not 16.",
        ),
        (
            "ENCRYPTION_KEY",
            "0123456789abcdef0123456789abcdef",
            "must look like '<key id>:<base64 of 32 bytes>'.",
        ),
        ("ENCRYPTION_KEY", "k1:not base64!", "the key is not valid base64."),
        (
            "DATABASE_URL",
            "postgres://traino:change-me-postgres-password@postgres/traino",
            'a placeholder ("change-me") from .env.example',
        ),
        (
            "AWS_SECRET_ACCESS_KEY",
            "change-me-minio-password",
            'a placeholder ("change-me") from .env.example',
        ),
        (
            "EMAIL_URL",
            "smtp+tls://traino:change-me-smtp-password@smtp.example.com:587",
            'a placeholder ("change-me") from .env.example',
        ),
    ],
)
def test_each_refused_value_is_named_with_its_reason(name, value, reason):
    assert production.insecure_values({**GOOD, name: value}) == {name: reason}


def test_every_refused_variable_is_named_in_one_message():
    values = {**GOOD, "SECRET_KEY": "short", "BLIND_INDEX_KEY": "short", "EMAIL_URL": "change-me"}

    with pytest.raises(ImproperlyConfigured) as error:
        production.refuse_insecure_values(values)

    assert str(error.value).splitlines()[1:] == [
        "  SECRET_KEY: 5 characters, at least 50 are needed",
        "  BLIND_INDEX_KEY: 5 characters, at least 32 are needed",
        '  EMAIL_URL: a placeholder ("change-me") from .env.example',
    ]


def test_the_example_keys_are_the_ones_in_env_example():
    """Guards the refusals above: .env.example's keys are the ones production knows."""
    example = env_example()

    assert example["ENCRYPTION_KEY"] == production.EXAMPLE_ENCRYPTION_KEY
    assert example["BLIND_INDEX_KEY"] == production.EXAMPLE_BLIND_INDEX_KEY


@pytest.mark.parametrize("name", traino_settings.REQUIRED_IN_PRODUCTION)
def test_production_refuses_to_start_without_a_required_variable(name):
    # given production values with one required variable left empty
    variables = {**env_example(), name: ""}

    # when Django starts
    result = run("manage.py", "check", **variables)

    # then it stops, naming that variable and only that one
    assert result.returncode != 0
    assert f"ImproperlyConfigured: DJANGO_ENV=production needs {name} set" in result.stderr
    assert result.stdout == ""


def test_production_refuses_debug():
    result = run("manage.py", "check", **{**env_example(), "DJANGO_DEBUG": "true"})

    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off when DJANGO_ENV=production." in result.stderr


def test_production_refuses_the_development_fallback_key():
    variables = {**env_example(), "SECRET_KEY": traino_settings._DEV_SECRET_KEY}

    result = run("manage.py", "check", **variables)

    assert result.returncode != 0
    assert "SECRET_KEY is the development fallback: set a real one." in result.stderr


def test_a_misspelt_boolean_stops_start_up_naming_the_variable():
    result = run("manage.py", "check", DJANGO_DEBUG="ture")

    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false, not 'ture'." in result.stderr


# --- strict parsing (in process) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *[("true", True), ("True", True), ("1", True), ("yes", True), ("ON", True)],
        *[("false", False), ("FALSE", False), ("0", False), ("no", False), ("off", False)],
    ],
)
def test_booleans_read_the_documented_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("TRAINO_TEST_FLAG", raw)

    assert traino_settings.env.bool("TRAINO_TEST_FLAG", default=not expected) is expected


@pytest.mark.parametrize("raw", ["ture", "2", "-1", "enabled", "y"])
def test_booleans_refuse_anything_else(monkeypatch, raw):
    monkeypatch.setenv("TRAINO_TEST_FLAG", raw)

    with pytest.raises(ImproperlyConfigured) as error:
        traino_settings.env.bool("TRAINO_TEST_FLAG", default=False)

    assert str(error.value) == f"TRAINO_TEST_FLAG must be true or false, not {raw!r}."


def test_integers_refuse_what_is_not_a_whole_number(monkeypatch):
    monkeypatch.setenv("TRAINO_TEST_NUMBER", "1.5")

    with pytest.raises(ImproperlyConfigured) as error:
        traino_settings.env.int("TRAINO_TEST_NUMBER", default=3)

    assert str(error.value) == "TRAINO_TEST_NUMBER must be a whole number, not '1.5'."


def test_an_empty_value_means_the_default(monkeypatch):
    monkeypatch.setenv("TRAINO_TEST_VALUE", " ")
    env = traino_settings.env

    assert env.bool("TRAINO_TEST_VALUE", default=True) is True
    assert env.int("TRAINO_TEST_VALUE", default=7) == 7
    assert env.str("TRAINO_TEST_VALUE", default="fallback") == "fallback"
    assert env.list("TRAINO_TEST_VALUE", default=["a"]) == ["a"]


def test_an_empty_value_without_a_default_names_the_variable(monkeypatch):
    monkeypatch.delenv("TRAINO_TEST_VALUE", raising=False)

    with pytest.raises(ImproperlyConfigured) as error:
        traino_settings.env.str("TRAINO_TEST_VALUE")

    assert str(error.value) == "Set the TRAINO_TEST_VALUE environment variable."


# --- documentation in step with the code ------------------------------------------------------


def test_the_settings_parser_finds_the_variables():
    """Guards the test below: a parser that finds nothing would pass it."""
    names = variables_read_by_settings()

    assert set(traino_settings.REQUIRED_IN_PRODUCTION) <= names
    assert {"DJANGO_ENV", "DJANGO_DEBUG", "EMAIL_URL", "REDIS_URL", "DB_CONN_MAX_AGE"} <= names


def test_every_variable_the_settings_read_is_documented_in_env_example():
    missing = variables_read_by_settings() - set(env_example())

    assert missing == set(), "add these to .env.example with a comment"


def test_every_variable_in_env_example_has_a_comment_above_it():
    lines = (ROOT / ".env.example").read_text().splitlines()
    uncommented = []
    for index, line in enumerate(lines):
        if not line or line.startswith("#"):
            continue
        above = index - 1
        while above >= 0 and lines[above] and not lines[above].startswith("#"):
            above -= 1  # a group of variables shares the comment above it
        if above < 0 or not lines[above].startswith("#"):
            uncommented.append(line.partition("=")[0])

    assert uncommented == []


def test_every_variable_in_env_example_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    in_table = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", readme, flags=re.MULTILINE))

    assert set(env_example()) - in_table == set()
    assert in_table - set(env_example()) == set()


def test_readme_begins_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]

    assert first_block.split() == ["sh", "make", "run", "make", "test"]


# --- Docker -----------------------------------------------------------------------------------


def compose() -> dict:
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML comes with drf-spectacular
        pytest.skip("PyYAML is not installed: docker-compose.yml cannot be parsed")
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


INTERPOLATION = re.compile(r"^\$\{([A-Z][A-Z0-9_]*)(:?[?-][^}]*)?\}$")


def test_compose_takes_every_value_from_variables_documented_in_env_example():
    """The app services read .env whole; the others get single values from it by ${NAME}."""
    text = (ROOT / "docker-compose.yml").read_text()
    interpolated = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text))
    hard_coded, app_keys = [], set()
    for name, service in compose()["services"].items():
        for key, value in service.get("environment", {}).items():
            if service.get("env_file"):
                app_keys.add(key)
            elif not INTERPOLATION.match(str(value)):
                hard_coded.append(f"{name}: {key}={value}")

    assert {"POSTGRES_PASSWORD", "AWS_SECRET_ACCESS_KEY"} <= interpolated
    assert (interpolated | app_keys) - set(env_example()) == set()
    assert hard_coded == []


def test_compose_runs_the_full_stack_in_order():
    services = compose()["services"]

    assert set(services) == {"postgres", "redis", "minio", "minio-init", "web", "worker", "beat"}
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("postgres", "redis", "minio", "web"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("web", "worker", "beat"):
        assert services[name]["env_file"] == [".env"], name
    assert services["web"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "minio-init": {"condition": "service_completed_successfully"},
    }
    assert services["minio-init"]["depends_on"] == {"minio": {"condition": "service_healthy"}}
    for name in ("worker", "beat"):
        assert services[name]["depends_on"] == {"web": {"condition": "service_healthy"}}, name
    web = " ".join(services["web"]["command"])
    assert web.startswith("sh -c python manage.py migrate --noinput && ")
    assert "&& exec gunicorn traino.wsgi:application --bind 0.0.0.0:8000" in web
    assert "/health" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "traino", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "traino", "beat"]


def dockerfile_collectstatic_variables() -> dict[str, str]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    (line,) = [row for row in text.splitlines() if "collectstatic" in row and "RUN" in row]
    return dict(re.findall(r"\b([A-Z][A-Z0-9_]*)=(\S+)", line))


def test_dockerfile_collects_static_files_in_production_mode(tmp_path):
    # given the throw-away environment the Dockerfile builds with
    variables = dockerfile_collectstatic_variables()
    assert variables["DJANGO_ENV"] == "production"
    assert set(traino_settings.REQUIRED_IN_PRODUCTION) <= set(variables)

    # when collectstatic runs with it (into a temporary directory)
    result = run(
        "manage.py",
        "collectstatic",
        "--noinput",
        "--verbosity=0",
        **{**variables, "STATIC_ROOT": str(tmp_path)},
    )

    # then the manifest that production's static storage needs is written
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert "css/traino.css" in manifest["paths"]


def test_the_image_runs_in_production_mode():
    runtime_stage = (ROOT / "Dockerfile").read_text().rsplit("\nFROM ", 1)[1]

    assert re.search(r"^ENV DJANGO_ENV=production$", runtime_stage, flags=re.MULTILINE)


def test_dockerfile_installs_the_locked_environment_and_drops_root():
    text = (ROOT / "Dockerfile").read_text()

    assert "COPY --from=ghcr.io/astral-sh/uv:" in text
    assert "uv sync --locked --no-dev" in text
    users = re.findall(r"^USER (\S+)", text, flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}

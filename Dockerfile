# syntax=docker/dockerfile:1
# Traino's image for docker-compose.yml: web (gunicorn), worker and beat (celery) all run it.
# Dependencies come from uv.lock exactly (uv sync --locked); the app runs as a non-root user.

FROM python:3.12-slim-bookworm AS build
COPY --from=ghcr.io/astral-sh/uv:0.13 /uv /uvx /bin/
# Bytecode compiled at build time; copy (not hard-link) out of the cache mount; the image's
# Python, never a downloaded one, so the environment also works in the runtime stage.
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never \
    PATH="/app/.venv/bin:$PATH"
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, in their own layer: it is rebuilt only when the lock changes.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --locked --no-dev --no-install-project
COPY . /app
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev
# Compiled translations (.mo) when there are .po files; gettext stays in this stage.
RUN if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
        DJANGO_ENV_FILE=/dev/null python manage.py compilemessages; \
    fi


FROM python:3.12-slim-bookworm
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
# The image is for deployment: it starts only with real secrets (README, "Production mode").
ENV DJANGO_ENV=production
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin traino
WORKDIR /app
COPY --from=build /app /app

# Static files are collected into the image. The settings below exist for this one command
# and are not kept in the image (the real ones come from the environment, see .env.example).
# Production mode, so that the hashed-name manifest production's static storage reads is made.
RUN DJANGO_ENV=production DJANGO_ENV_FILE=/dev/null \
    SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret-build-only \
    ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    ENCRYPTION_KEY=build:YnVpbGQtb25seS1ub3QtYS1rZXktYnVpbGQtb25seSE= \
    BLIND_INDEX_KEY=build-only-not-a-secret-build-only-not-a-secret \
    python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/media /app/private-media \
    && chown traino /app/media /app/private-media

USER traino
EXPOSE 8000
CMD ["gunicorn", "traino.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]

# The README's commands. `make run` and `make test` work on a fresh machine: they install uv
# (from PyPI) if it is missing and sync the locked environment first.
SHELL := /bin/bash
UV = $(shell scripts/ensure-uv)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format bench migrate seed messages clean

install:
	@$(UV) sync --locked --quiet

migrate: install
	$(UV) run python manage.py migrate --noinput

seed: migrate
	$(UV) run python manage.py seed_demo

run: seed
	@echo "Traino is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(UV) run python manage.py runserver $(HOST):$(PORT)

test: install
	DJANGO_ENV=test DJANGO_ENV_FILE=/dev/null $(UV) run pytest $(PYTEST_ARGS)

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	DJANGO_ENV=test DJANGO_ENV_FILE=/dev/null $(UV) run python manage.py makemigrations --check --dry-run

format: install
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

bench: install
	@for f in bench/[!_]*.py; do echo "== $$f"; $(UV) run python $$f || exit 1; done

messages: install
	$(UV) run python manage.py makemessages -l sv --no-obsolete
	$(UV) run python manage.py compilemessages -l sv

clean:
	rm -rf .venv .tools staticfiles .pytest_cache .ruff_cache

"""Shared set-up for the benchmark scripts: Django settings, a gunicorn server and percentile
maths."""

import os
import socket
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    # WhiteNoise warns that collectstatic has not run; benchmarks do not serve static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traino.settings")
    import django

    django.setup()
    _create_missing_database()


def _create_missing_database() -> None:
    """A PostgreSQL DATABASE_URL may name a database that is not there yet (a benchmark
    database of its own, say): create it, as createdb would, rather than fail on connect."""
    from django.db import OperationalError, connection

    if connection.vendor != "postgresql":
        return
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        name = connection.settings_dict["NAME"]
        if f'database "{name}" does not exist' not in str(exc):
            raise
        # Django's own way to reach the server without a database (its test runner uses it).
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
        print(f"created the database {name}")


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    """p50 and p95 of a list of milliseconds."""
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return cuts[49], cuts[94]


def cpu_seconds_by_program(database: str) -> dict[str, float]:
    """CPU time (user + system) used so far by the processes of each program this machine's
    benchmarks share the cores with: gunicorn, PostgreSQL's backends serving ``database``,
    redis, this benchmark (its clients), everything else (other databases' backends and
    PostgreSQL's shared processes, such as the WAL writer, too).
    Linux /proc; processes that ended meanwhile are not counted, so take it around a phase
    in which the servers keep running."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat_file:
                stat = stat_file.read()
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline_file:
                command = cmdline_file.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / ticks
        if int(pid) == os.getpid():
            program = "benchmark clients"
        elif "gunicorn" in command:
            program = "gunicorn"
        elif command.startswith("postgres:") and f" {database} " in command:
            program = "postgres"
        elif name.startswith("redis"):
            program = "redis"
        else:
            program = "other"
        used[program] = used.get(program, 0.0) + seconds
    return used


def start_gunicorn(
    port: int, *, workers: int, threads: int, env: dict, extra_args: tuple[str, ...] = ()
) -> subprocess.Popen:
    """traino.wsgi under gunicorn's gthread workers on 127.0.0.1:port, once it accepts."""
    command = [sys.executable, "-m", "gunicorn", "traino.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--worker-class", "gthread", "--workers", str(workers)]
    command += ["--threads", str(threads), *extra_args, "--log-level", "error"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")

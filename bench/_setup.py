"""Shared set-up for the benchmark scripts: Django settings and percentile maths."""

import os
import statistics
import sys
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


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    """p50 and p95 of a list of milliseconds."""
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return cuts[49], cuts[94]

"""Availability cache keys: one version number per trainer, bumped by every change.

Cached answers live under a key that contains the trainer's current version, so bumping it
makes every cached window of that trainer unreachable at once (no key scan, works the same on
Redis and local memory). A reader takes the version before it reads the database: an answer
computed from rows older than a change is stored under the old version, which nobody reads
any more. A slot just taken is therefore never served from the cache.

The guarantee needs one cache shared by every web process: Redis (REDIS_URL), as in
production. Without it the cache is per-process memory, which is right for the embedded
default (one runserver process) only.
"""

import time

from django.core.cache import cache
from django.db import transaction


def _version_key(trainer_id: int) -> str:
    return f"availability:version:{trainer_id}"


def availability_version(trainer_id: int) -> int:
    key = _version_key(trainer_id)
    version = cache.get(key)
    if version is None:
        # Nanoseconds, not 1: a version key evicted and re-created never reuses an old number.
        cache.add(key, time.time_ns(), timeout=None)
        version = cache.get(key, time.time_ns())
    return version


def availability_invalidate(trainer_id: int) -> None:
    """Call after a trainer's schedules or bookings changed (after commit: see below)."""
    key = _version_key(trainer_id)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, time.time_ns(), timeout=None)


def availability_invalidate_many(trainer_ids: list[int]) -> None:
    """Bulk form (demo data): a deleted version key is re-created as a new number on read."""
    cache.delete_many([_version_key(trainer_id) for trainer_id in trainer_ids])


def availability_invalidate_on_commit(trainer_id: int) -> None:
    """Bump the version once the change is visible to other connections."""
    transaction.on_commit(lambda: availability_invalidate(trainer_id))


def availability_key(trainer_id: int, version: int, start: str, end: str) -> str:
    return f"availability:{trainer_id}:{version}:{start}:{end}"

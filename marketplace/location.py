"""A trainer's public point: where the map, the list, the API and the public page put them.

The exact point (``TrainerProfile.latitude/longitude``, often a home or a studio address)
is shown only to the trainer, staff and trainees who booked (``bookings.location``). Every
public response carries this point instead: the world is cut into cells of about 500 m
(``CELL_METRES``), and the point is a spot inside the exact point's cell chosen by an HMAC
of the trainer and the cell under ``PUBLIC_LOCATION_KEY``. So

- it is deterministic: the pin does not jump between requests, and averaging many answers
  gives back the same point, not the exact one;
- it says no more than "somewhere in this cell" (no rounding artefact that points at the
  cell's corner, and neighbours in one cell get different spots);
- without the key nobody can recompute the offset to undo it.

A move inside the same cell keeps the public point; a move to another cell moves it.
"""

from __future__ import annotations

import hashlib
import hmac
import math

from django.conf import settings

CELL_METRES = 500
METRES_PER_DEGREE = 111_320
CELL_DEGREES_LAT = CELL_METRES / METRES_PER_DEGREE
# The spot keeps this share of the cell's size away from its edges, so it never sits on a
# line that neighbouring cells share.
MARGIN = 0.1
DECIMALS = 5  # about a metre: more would only look exact


def _key() -> bytes:
    return (settings.PUBLIC_LOCATION_KEY or settings.SECRET_KEY).encode()


def _fraction(digest: bytes, offset: int) -> float:
    """A number in [MARGIN, 1 - MARGIN) from four bytes of the digest."""
    value = int.from_bytes(digest[offset : offset + 4], "big") / 2**32
    return MARGIN + value * (1 - 2 * MARGIN)


def public_point(
    *, key: int | None, latitude: float | None, longitude: float | None
) -> tuple[float | None, float | None]:
    """The public (latitude, longitude) of a trainer identified by ``key`` (the user's id,
    known before the profile row exists); (None, None) without a location."""
    if latitude is None or longitude is None:
        return None, None
    row = math.floor(latitude / CELL_DEGREES_LAT)
    # Cells are about as wide as they are high: a degree of longitude shrinks with the
    # cosine of the latitude, taken at the cell's centre so every point of a row agrees.
    centre_latitude = (row + 0.5) * CELL_DEGREES_LAT
    cell_degrees_lon = CELL_DEGREES_LAT / max(math.cos(math.radians(centre_latitude)), 0.01)
    column = math.floor(longitude / cell_degrees_lon)
    message = f"{key}:{row}:{column}".encode()
    digest = hmac.new(_key(), message, hashlib.sha256).digest()
    public_latitude = (row + _fraction(digest, 0)) * CELL_DEGREES_LAT
    public_longitude = (column + _fraction(digest, 4)) * cell_degrees_lon
    return (
        round(min(90.0, max(-90.0, public_latitude)), DECIMALS),
        round(min(180.0, max(-180.0, public_longitude)), DECIMALS),
    )


def public_point_fields(*, key: int, latitude: float | None, longitude: float | None) -> dict:
    """The two columns for rows written without ``save()`` (bulk inserts, migrations)."""
    public_latitude, public_longitude = public_point(
        key=key, latitude=latitude, longitude=longitude
    )
    return {"public_latitude": public_latitude, "public_longitude": public_longitude}

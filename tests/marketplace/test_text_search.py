"""Discovery's text search (q=): category names in English and Swedish through the profile's
``category_names`` copy, the copy kept in step, and on PostgreSQL the trigram index that
keeps the search off a sequential scan."""

import importlib
import json
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection, transaction

from marketplace import services
from marketplace.management.commands import seed_demo
from marketplace.models import TEXT_SEARCH_FIELDS, TrainerProfile
from marketplace.queries import TEXT_SEARCH_INDEX, trainer_text_matches
from tests.factories import CategoryFactory, OfferingFactory, TrainerProfileFactory

pytestmark = pytest.mark.django_db

BOX = "17.9,59.2,18.2,59.4"  # west, south, east, north: Stockholm


def search(api_client, q: str, **params):
    response = api_client.get("/api/trainers", {"bbox": BOX, "q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def ids(body) -> list[int]:
    return [row["id"] for row in body["results"]]


def names_of(profile) -> str:
    profile.refresh_from_db(fields=["category_names"])
    return profile.category_names


@pytest.fixture
def boxing():
    return CategoryFactory(slug="boxing", name_en="Boxing", name_sv="Boxning")


@pytest.fixture
def boxers(boxing):
    """Two Boxing trainers whose texts never say so, a yoga teacher, and an unpublished boxer."""
    yoga = CategoryFactory(slug="yoga", name_en="Yoga", name_sv="Yoga")
    first = TrainerProfileFactory(display_name="Anna Lindqvist", bio="Teknik och kondition.")
    second = TrainerProfileFactory(display_name="Erik Berg", bio="Snabba fötter.")
    yogi = TrainerProfileFactory(display_name="Sara Ek", bio="Lugna pass.")
    hidden = TrainerProfileFactory(display_name="Dold Draftsson", bio="", is_published=False)
    services.trainer_profile_update(profile=first, categories=[boxing, yoga])
    services.trainer_profile_update(profile=second, categories=[boxing])
    services.trainer_profile_update(profile=yogi, categories=[yoga])
    hidden.categories.set([boxing])
    return first, second, yogi


# --- searching ----------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["boxing", "Boxning", "BOXNING", "box"])
def test_a_category_name_in_english_or_swedish_finds_its_trainers(api_client, boxers, q):
    first, second, _yogi = boxers

    # when a visitor searches for the category's English or Swedish name, or part of it
    body = search(api_client, q)

    # then the category's published trainers are listed, in id order, and no one else
    assert ids(body) == [first.pk, second.pk]
    assert body["count"] == 2


def test_text_and_category_matches_are_listed_together_each_trainer_once(api_client, boxers):
    first, second, _yogi = boxers
    # given a trainer outside the category whose offering says "boxning", and a boxer whose
    # own bio says it too
    by_title = TrainerProfileFactory(display_name="Olle Holm", bio="")
    OfferingFactory(trainer=by_title, title="Boxning för nybörjare")
    services.trainer_refresh_min_price(profile=by_title)
    services.trainer_profile_update(profile=second, bio="Boxning, teknik och snabba fötter.")

    # when "boxning" is searched
    body = search(api_client, "boxning")

    # then the category's trainers and the text match are listed, each once, in id order
    assert ids(body) == sorted([first.pk, second.pk, by_title.pk])
    assert body["count"] == 3


def test_a_category_match_keeps_the_other_filters(api_client, boxers):
    first, second, _yogi = boxers
    services.trainer_profile_update(profile=first, latitude=57.7089, longitude=11.9746)

    # when Stockholm is searched with the category filter and a price limit that leaves out
    # no one
    body = search(api_client, "boxing", price_max="100000", category="boxing")

    # then the boxer who moved to Göteborg is not listed
    assert ids(body) == [second.pk]


def test_a_word_that_names_no_category_matches_text_only(api_client, boxers):
    first, _second, _yogi = boxers

    body = search(api_client, "lindqvist")

    assert ids(body) == [first.pk]


@pytest.mark.postgres
def test_a_swedish_category_name_matches_in_capitals_on_postgresql(api_client):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's LIKE folds ASCII letters only; PostgreSQL folds å, ä, ö")
    running = CategoryFactory(slug="running", name_en="Running", name_sv="Löpning")
    runner = TrainerProfileFactory(bio="")
    services.trainer_profile_update(profile=runner, categories=[running])
    TrainerProfileFactory(bio="")

    body = search(api_client, "LÖPNING")

    assert ids(body) == [runner.pk]


# --- the copy kept in step ----------------------------------------------------------------------


def test_the_copy_holds_both_names_in_english_order_and_a_shared_name_once(boxing):
    yoga = CategoryFactory(slug="yoga", name_en="Yoga", name_sv="Yoga")
    aerial = CategoryFactory(slug="aerial", name_en="Aerial", name_sv="Luftakrobatik")
    profile = TrainerProfileFactory()

    services.trainer_profile_update(profile=profile, categories=[yoga, boxing, aerial])

    assert names_of(profile) == "Aerial\nLuftakrobatik\nBoxing\nBoxning\nYoga"


def test_the_copy_follows_a_trainers_categories_from_either_side(boxing):
    yoga = CategoryFactory(slug="yoga", name_en="Yoga", name_sv="Yoga")
    profile = TrainerProfileFactory()

    profile.categories.add(boxing)
    assert names_of(profile) == "Boxing\nBoxning"
    yoga.trainers.add(profile)
    assert names_of(profile) == "Boxing\nBoxning\nYoga"
    boxing.trainers.remove(profile)
    assert names_of(profile) == "Yoga"
    yoga.trainers.clear()
    assert names_of(profile) == ""
    profile.categories.set([boxing])
    assert names_of(profile) == "Boxing\nBoxning"
    profile.categories.clear()
    assert names_of(profile) == ""


def test_renaming_a_category_renames_it_on_its_trainers_and_searches_find_the_new_name(
    api_client, boxers, boxing
):
    first, second, yogi = boxers

    # when staff rename the category (as the admin does: a plain save)
    boxing.name_sv = "Boxningsträning"
    boxing.save()

    # then its trainers carry the new name, the others are untouched
    assert names_of(second) == "Boxing\nBoxningsträning"
    assert names_of(first) == "Boxing\nBoxningsträning\nYoga"
    assert names_of(yogi) == "Yoga"
    assert ids(search(api_client, "boxningsträning")) == [first.pk, second.pk]


def test_deleting_a_category_takes_its_name_off_its_trainers(api_client, boxers, boxing):
    first, second, _yogi = boxers

    boxing.delete()

    assert names_of(first) == "Yoga"
    assert names_of(second) == ""
    assert ids(search(api_client, "boxing")) == []


def test_seeded_trainers_carry_the_copy_the_service_would_write():
    # given demo trainers written as plain rows (no m2m_changed)
    call_command("seed_demo", trainers=8, stdout=StringIO(), stderr=StringIO())
    seeded = {p.pk: p.category_names for p in TrainerProfile.objects.all()}
    assert all(seeded.values())

    # when the service recomputes every copy, then nothing changes
    services.trainer_refresh_category_names(trainer_ids=list(seeded))
    assert {p.pk: p.category_names for p in TrainerProfile.objects.all()} == seeded


def test_the_migration_fills_the_copy_for_existing_trainers(boxers):
    # given profiles whose copy is empty, as before the migration added it
    first, second, yogi = boxers
    expected = {p.pk: names_of(p) for p in (first, second, yogi)}
    TrainerProfile.objects.update(category_names="")
    migration = importlib.import_module("marketplace.migrations.0007_trainer_text_search_index")

    # when its data step runs
    migration.copy_category_names(django_apps, None)

    # then each profile has what the service keeps
    assert {p.pk: names_of(p) for p in (first, second, yogi)} == expected


# --- PostgreSQL: the trigram index --------------------------------------------------------------


def require_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's (pg_trgm); SQLite has none")


@pytest.mark.postgres
def test_the_trigram_index_exists_on_the_search_column():
    require_postgresql()

    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        extension = cursor.fetchall()
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname = %s",
            [TrainerProfile._meta.db_table, TEXT_SEARCH_INDEX],
        )
        [(definition,)] = cursor.fetchall()

    assert extension == [("pg_trgm",)]
    assert definition.endswith(
        "USING gin (search_text gin_trgm_ops) WITH (fastupdate=off) WHERE is_published"
    )


@pytest.mark.postgres(reason="statistics targets and GIN options are PostgreSQL's")
def test_the_search_column_has_finer_statistics_and_the_index_no_pending_list():
    require_postgresql()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname = 'search_text'",
            [TrainerProfile._meta.db_table],
        )
        [(target,)] = cursor.fetchall()
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [TEXT_SEARCH_INDEX]
        )
        [(options,)] = cursor.fetchall()

    assert target == 300
    assert options == ["fastupdate=off"]


@pytest.mark.postgres
@pytest.mark.parametrize("q", ["lindqvist", "boxning"])
def test_the_text_filter_is_answered_from_the_trigram_index(q):
    require_postgresql()
    # given a few trainers; on a table this small the planner would read every row, so
    # sequential scans are priced out and the box index is set aside (dropped in a
    # transaction that is rolled back): the plan then shows whether the trigram index can
    # answer the filter's own SQL at all
    TrainerProfileFactory.create_batch(20)
    queryset = TrainerProfile.objects.filter(trainer_text_matches(q), is_published=True)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("DROP INDEX trainer_published_public_idx")  # the box index
        plan = queryset.explain()
        transaction.set_rollback(True)

    # then the upper-cased word is looked up in the index, no row read one by one
    assert f"Bitmap Index Scan on {TEXT_SEARCH_INDEX}" in plan
    assert f"(search_text ~~ '%{q.upper()}%'::text)" in plan
    assert "Seq Scan on marketplace_trainerprofile" not in plan


@pytest.mark.postgres(reason="the estimate comes from PostgreSQL's column histogram")
def test_a_phrase_met_in_one_histogram_bucket_reads_as_too_rare_to_walk_the_table():
    require_postgresql()
    # given 400 demo trainers and fresh statistics: ANALYZE samples every row of a table this
    # small, so the column's histogram is the same on every run
    trainers = 400
    slugs = [slug for slug, *_rest in seed_demo.CATEGORIES]
    specs = [seed_demo.demo_trainer_spec(n, slugs) for n in range(1, trainers + 1)]
    seed_demo.create_demo_trainers(specs, seed_demo.ensure_categories())
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TrainerProfile._meta.db_table}")
        cursor.execute(
            "SELECT histogram_bounds::text::text[] FROM pg_stats "
            "WHERE tablename = %s AND attname = 'search_text'",
            [TrainerProfile._meta.db_table],
        )
        [(bounds,)] = cursor.fetchall()
    phrase = bounds[len(bounds) // 2]  # one trainer's whole text: in one bucket only
    assert [b for b in bounds if phrase in b] == [phrase]

    # when the planner estimates how many trainers contain it
    plan = json.loads(
        TrainerProfile.objects.filter(trainer_text_matches(phrase)).explain(format="json")
    )
    estimate = plan[0]["Plan"]["Plan Rows"]

    # then under 0.5 % of them: the share at which walking the primary key in id order
    # starts to look cheaper than the trigram index (100 buckets made it 1 %)
    assert len(bounds) == 301
    assert estimate / trainers < 0.005


def test_the_search_column_holds_every_searched_field_in_capitals(boxing):
    # given a trainer with text in every searched field
    profile = TrainerProfileFactory(display_name="Anna Lindqvist", city="Solna", bio="Teknik.")
    OfferingFactory(trainer=profile, title="Boxercise")
    services.trainer_refresh_min_price(profile=profile)
    services.trainer_profile_update(profile=profile, categories=[boxing])

    # when the row is read back, then the database has written them one per line, in capitals
    profile.refresh_from_db()
    assert TEXT_SEARCH_FIELDS == (
        "display_name",
        "city",
        "bio",
        "offering_titles",
        "category_names",
    )
    assert profile.search_text == "ANNA LINDQVIST\nSOLNA\nTEKNIK.\nBOXERCISE\nBOXING\nBOXNING"

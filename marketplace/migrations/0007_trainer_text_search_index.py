"""Text search over 100,000 trainers without a sequential scan.

Each profile gets a copy of its categories' names (English and Swedish), so that a search
for "boxing" or "boxning" finds the Boxing trainers from the profile row alone, and a stored
generated column, ``search_text``: name, city, bio, offering titles and category names, one
per line, in capitals, which discovery's text filter matches with one LIKE. On PostgreSQL,
pg_trgm and a trigram GIN index on that column, partial on published trainers like the
filter. SQLite gets the columns and no index.

pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it without
being a superuser. Going back drops the index and leaves the extension, which other objects
may use.
"""

import django.db.models.functions.text
from django.db import migrations, models

INDEX = "trainer_search_text_trgm_idx"


def copy_category_names(apps, schema_editor):
    """What services.trainer_refresh_category_names keeps, for the profiles there are."""
    TrainerProfile = apps.get_model("marketplace", "TrainerProfile")
    Link = TrainerProfile.categories.through
    names: dict[int, list[str]] = {}
    links = Link.objects.order_by("trainerprofile_id", "category__name_en", "category_id")
    rows = links.values_list("trainerprofile_id", "category__name_en", "category__name_sv")
    for trainer_id, name_en, name_sv in rows.iterator(chunk_size=5000):
        lines = names.setdefault(trainer_id, [])
        lines.extend([name_en] if name_sv == name_en else [name_en, name_sv])
    ids = list(names)
    for start in range(0, len(ids), 2000):
        profiles = list(TrainerProfile.objects.filter(pk__in=ids[start : start + 2000]))
        for profile in profiles:
            profile.category_names = "\n".join(names[profile.pk])
        TrainerProfile.objects.bulk_update(profiles, ["category_names"])


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON marketplace_trainerprofile "
        "USING gin (search_text gin_trgm_ops) WHERE is_published"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("marketplace", "0006_trainer_time_zone_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainerprofile",
            name="category_names",
            field=models.TextField(
                blank=True,
                default="",
                editable=False,
                help_text="In English and Swedish, one per line, copied from the categories for the text search.",
                verbose_name="category names",
            ),
        ),
        migrations.RunPython(copy_category_names, migrations.RunPython.noop),
        migrations.AddField(
            model_name="trainerprofile",
            name="search_text",
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Upper(django.db.models.functions.text.Concat(models.F('display_name'), models.Value('\n'), models.F('city'), models.Value('\n'), models.F('bio'), models.Value('\n'), models.F('offering_titles'), models.Value('\n'), models.F('category_names'), output_field=models.TextField())), output_field=models.TextField(), verbose_name='search text'),
        ),
        migrations.RunPython(create_index, drop_index),
    ]

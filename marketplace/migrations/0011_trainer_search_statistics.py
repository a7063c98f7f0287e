"""The text search's plans on PostgreSQL: finer statistics on ``search_text`` and a trigram
index without a pending list. SQLite has neither, so nothing happens there.

The planner picks between walking the primary key in id order (cheap when many trainers
match) and the trigram index plus a sort (cheap when few do) from the share of the column's
histogram that matches the pattern. With the default 100 buckets a full name met in one
bucket reads as 1 % of the trainers, and its page walked the whole table (about 100 ms for
100,000 trainers). 300 buckets put one bucket at 0.33 %, under the point where walking wins,
for about 0.1 ms more planning per query (bench/discovery.py).

With ``fastupdate`` a written profile's trigrams wait in a pending list that every search
reads in full until VACUUM merges it; 2,000 updated profiles made a frequent word's count
2.5 times slower (60 ms against 24). Without it each write updates the index itself, which profiles, written
seldom and searched often, can afford.
"""

from django.db import migrations

TABLE = "marketplace_trainerprofile"
INDEX = "trainer_search_text_trgm_idx"
STATISTICS_TARGET = 300


def tune(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ALTER COLUMN search_text SET STATISTICS {STATISTICS_TARGET}"
    )
    schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = off)")
    # The target counts from the next ANALYZE; a pending list left from before is merged now.
    schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")
    schema_editor.execute(f"ANALYZE {TABLE}")


def untune(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN search_text SET STATISTICS -1")
    schema_editor.execute(f"ALTER INDEX {INDEX} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0010_fill_public_points")]

    operations = [migrations.RunPython(tune, untune)]

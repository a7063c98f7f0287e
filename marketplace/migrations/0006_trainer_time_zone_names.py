"""Time zones must be one of zoneinfo's listed names (marketplace.validators): a stored name
that ZoneInfo loaded but is not one ("localtime", "Factory", "posix/...", "right/...") is
replaced by the default zone."""

import zoneinfo

from django.conf import settings
from django.db import migrations

# A copy of marketplace.validators.time_zone_names' rule: a migration keeps the rule it applies.
NOT_PLACES = {"localtime", "Factory"}


def reset_unlisted_time_zones(apps, schema_editor):
    TrainerProfile = apps.get_model("marketplace", "TrainerProfile")
    names = zoneinfo.available_timezones() - NOT_PLACES
    stored = TrainerProfile.objects.values_list("time_zone", flat=True).distinct()
    unlisted = [name for name in stored if name not in names]
    if unlisted:
        TrainerProfile.objects.filter(time_zone__in=unlisted).update(
            time_zone=settings.TRAINO_DEFAULT_TIME_ZONE
        )


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0005_trainer_time_zone_validator"),
    ]

    operations = [
        migrations.RunPython(reset_unlisted_time_zones, migrations.RunPython.noop),
    ]

"""Every trainer with a location gets its public point (marketplace/location.py)."""

from django.db import migrations

from marketplace.location import public_point_fields


def fill(apps, schema_editor):
    TrainerProfile = apps.get_model("marketplace", "TrainerProfile")
    rows = TrainerProfile.objects.filter(latitude__isnull=False).only(
        "id", "user_id", "latitude", "longitude"
    )
    batch = []
    for profile in rows.iterator(chunk_size=2000):
        fields = public_point_fields(
            key=profile.user_id, latitude=profile.latitude, longitude=profile.longitude
        )
        profile.public_latitude = fields["public_latitude"]
        profile.public_longitude = fields["public_longitude"]
        batch.append(profile)
        if len(batch) >= 2000:
            TrainerProfile.objects.bulk_update(batch, ["public_latitude", "public_longitude"])
            batch = []
    if batch:
        TrainerProfile.objects.bulk_update(batch, ["public_latitude", "public_longitude"])


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0009_trainer_verified_public_point_certificate_rejection")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]

"""Create the uploads bucket if it is missing and open its public image folders to reads.

Idempotent, so docker-compose (or a deploy) can run it on every start.
"""

from botocore.exceptions import ClientError
from django.core.management.base import BaseCommand, CommandError

from storage import backends


class Command(BaseCommand):
    help = "Create the S3 bucket for uploads and apply the public-read policy for images."

    def handle(self, *args, **options):
        store = backends.get_store()
        if not isinstance(store, backends.S3FileStore):
            raise CommandError("AWS_STORAGE_BUCKET_NAME is not set: uploads go to MEDIA_ROOT.")
        client = store.client
        try:
            client.head_bucket(Bucket=store.bucket)
            self.stdout.write(f"Bucket {store.bucket} exists.")
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 404:
                raise CommandError(f"Cannot reach bucket {store.bucket}: {exc}") from exc
            region = client.meta.region_name
            extra = (
                {"CreateBucketConfiguration": {"LocationConstraint": region}}
                if region and region != "us-east-1"
                else {}
            )
            client.create_bucket(Bucket=store.bucket, **extra)
            self.stdout.write(f"Bucket {store.bucket} created.")
        client.put_bucket_policy(
            Bucket=store.bucket, Policy=backends.public_read_policy(store.bucket)
        )
        self.stdout.write("Public read allowed on */profile/* and */gallery/*; the rest private.")

"""S3 tests talk to moto's server over real HTTP with the real boto3; the rest use tmp dirs."""

import uuid
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

from storage import backends

REGION = "eu-north-1"


@pytest.fixture(scope="session")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass
class S3:
    endpoint: str
    bucket: str
    client: object

    def object_keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def get(self, key: str) -> dict:
        return self.client.get_object(Bucket=self.bucket, Key=key)

    def anonymous_url(self, key: str) -> str:
        return f"{self.endpoint}/{self.bucket}/{key}"


@pytest.fixture(autouse=True)
def local_media(settings, tmp_path):
    """Every storage test writes into its own directories, never into the project's media/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/media/"},
        },
    }
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path


@pytest.fixture
def s3(settings, moto_endpoint, local_media):
    """A fresh bucket with the project's public-read policy, and the default storage on it."""
    bucket = f"traino-test-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    client.put_bucket_policy(Bucket=bucket, Policy=backends.public_read_policy(bucket))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": moto_endpoint,
                "region_name": REGION,
                "access_key": "testing",
                "secret_key": "testing",
                "addressing_style": "path",
            },
        },
    }
    s3 = S3(endpoint=moto_endpoint, bucket=bucket, client=client)
    yield s3
    for key in s3.object_keys():
        client.delete_object(Bucket=bucket, Key=key)
    client.delete_bucket(Bucket=bucket)

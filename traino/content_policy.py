"""Hosts the Content-Security-Policy must name, derived from the settings that choose them.

Settings import this module before Django is set up, so it uses nothing but the standard
library. The policy itself is ``CONTENT_SECURITY_POLICY`` in traino/settings.py.
"""

from urllib.parse import urlsplit


def _origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an absolute URL; None for a relative one (served by us)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def tile_image_sources(tile_url: str) -> list[str]:
    """Where the map's tiles come from: Leaflet's ``{s}`` subdomain placeholder becomes a
    wildcard (``https://{s}.tile.example`` -> ``https://*.tile.example``)."""
    origin = _origin(tile_url.replace("{s}", "*"))
    return [origin] if origin else []


def storage_image_sources(
    *,
    bucket: str,
    endpoint_url: str | None,
    custom_domain: str | None,
    region: str,
    addressing_style: str,
) -> list[str]:
    """Where public upload images (profile photos, gallery) are served from.

    Mirrors storage.backends.S3FileStore.public_url: the custom domain when set, else the
    address boto3 gives an object in the bucket. Without a bucket, images come from
    MEDIA_URL on our own host and need no entry.
    """
    if not bucket:
        return []
    if custom_domain:
        # django-storages' AWS_S3_URL_PROTOCOL defaults to https: and settings keep it.
        return [f"https://{custom_domain.split('/', 1)[0]}"]
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        if addressing_style == "virtual":
            return [f"{parts.scheme}://{bucket}.{parts.netloc}"]
        return [f"{parts.scheme}://{parts.netloc}"]
    if addressing_style == "path":
        return [f"https://s3.{region}.amazonaws.com"]
    # "auto" answers with the global virtual host, "virtual" with the regional one.
    return [f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{region}.amazonaws.com"]

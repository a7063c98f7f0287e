"""Image -> WebP: orientation applied, metadata dropped, long side capped, plus a thumbnail.

Kept free of Django and S3 so the benchmark (bench/images.py) times exactly this code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

from .validation import open_image

MAX_SIDE = 2048
THUMBNAIL_SIDE = 400
WEBP_QUALITY = 80
# libwebp's speed/size trade-off, 0 (fast) .. 6 (small). 4 is cwebp's default and Pillow's.
WEBP_METHOD = 4
# Downscaling filter. Bilinear (antialiased in Pillow) averages like cwebp's own rescaler; it
# is ~0.4 s/12 MP cheaper than Lanczos and its slightly softer result encodes ~8 % smaller.
# bench/images.py prints the figures behind both choices.
RESAMPLE = Image.Resampling.BILINEAR

_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class WebP:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Converted:
    image: WebP
    thumbnail: WebP


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours from an embedded ICC profile, converted so the profile itself can be dropped."""
    icc = image.info.get("icc_profile")
    mode = "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
                image = image.convert(mode)
            return ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: fall back to the pixel values as they are
    return image.convert(mode) if image.mode != mode else image


def _encode(image: Image.Image, method: int) -> WebP:
    out = io.BytesIO()
    # No exif/icc_profile/xmp arguments: Pillow's WebP writer stores metadata only when asked.
    image.save(out, "WEBP", quality=WEBP_QUALITY, method=method)
    return WebP(data=out.getvalue(), width=image.width, height=image.height)


def convert_to_webp(data: bytes, pillow_format: str, *, method: int = WEBP_METHOD) -> Converted:
    """The stored image and its thumbnail, both WebP, oriented upright and without metadata."""
    with open_image(data, pillow_format) as source:
        source.seek(0)
        if max(source.size) > MAX_SIDE:
            # Resize first (in place; JPEGs decode at a reduced DCT scale where possible):
            # every later step then works on at most 2048 x 2048 pixels.
            source.thumbnail((MAX_SIDE, MAX_SIDE), RESAMPLE)
        image = ImageOps.exif_transpose(source)
        image = _to_srgb(image)
        image.info = {}
        thumbnail = image.copy()
        thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), RESAMPLE)
        return Converted(image=_encode(image, method), thumbnail=_encode(thumbnail, method))

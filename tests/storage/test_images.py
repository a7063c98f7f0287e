"""The conversion itself, without storage: sizes, orientation after resizing, modes, colour."""

import io

from PIL import ExifTags, Image, ImageCms

from storage.images import convert_to_webp


def _decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_large_rotated_photo_is_resized_and_stood_upright():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), (10, 120, 30)).save(out, "JPEG", exif=exif)

    converted = convert_to_webp(out.getvalue(), "JPEG")

    assert (converted.image.width, converted.image.height) == (1365, 2048)
    assert _decoded(converted.image.data).size == (1365, 2048)
    assert _decoded(converted.thumbnail.data).size == (267, 400)


def test_small_images_are_not_enlarged():
    out = io.BytesIO()
    Image.new("RGB", (300, 200)).save(out, "PNG")

    converted = convert_to_webp(out.getvalue(), "PNG")

    assert _decoded(converted.image.data).size == (300, 200)
    assert _decoded(converted.thumbnail.data).size == (300, 200)


def test_transparency_survives_and_palette_images_convert():
    rgba, palette = io.BytesIO(), io.BytesIO()
    Image.new("RGBA", (50, 40), (255, 0, 0, 0)).save(rgba, "PNG")
    Image.new("P", (50, 40), 0).save(palette, "PNG", transparency=0)

    for data in (rgba.getvalue(), palette.getvalue()):
        stored = _decoded(convert_to_webp(data, "PNG").image.data)
        assert stored.mode == "RGBA"
        assert stored.getpixel((10, 10))[3] == 0


def test_an_embedded_colour_profile_is_applied_then_dropped():
    # given a JPEG tagged with a (non-sRGB) LAB-derived profile
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 100, 50)).save(out, "JPEG", icc_profile=profile.tobytes())

    stored = _decoded(convert_to_webp(out.getvalue(), "JPEG").image.data)

    assert "icc_profile" not in stored.info


def test_a_cmyk_jpeg_becomes_rgb():
    out = io.BytesIO()
    Image.new("CMYK", (40, 30), (0, 255, 255, 0)).save(out, "JPEG")

    stored = _decoded(convert_to_webp(out.getvalue(), "JPEG").image.data)

    assert stored.mode == "RGB"
    red, green, blue = stored.getpixel((20, 15))
    assert red > 200 and green < 60 and blue < 60

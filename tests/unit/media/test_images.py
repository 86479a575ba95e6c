"""Uploaded images: the type read from the bytes, limits checked before decoding, every piece of
metadata gone after re-encoding, orientation applied, previews and profile images sized."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from fedi.media import images
from tests.testrig import pictures


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_a_photo_loses_its_gps_position_camera_and_comment() -> None:
    source = pictures.jpeg_with_gps()
    assert _open(source).getexif().get_ifd(0x8825)  # the test photo does carry a position
    processed = images.process_attachment(source)
    for data in (processed.original.data, processed.preview.data):
        image = _open(data)
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert not {"exif", "comment", "icc_profile", "xmp"} & set(image.info)
        assert pictures.CAMERA.encode() not in data
        assert b"Exif" not in data


def test_the_exif_orientation_is_applied_before_it_is_dropped() -> None:
    processed = images.process_attachment(pictures.jpeg_with_gps((600, 400), orientation=6))
    assert (processed.original.width, processed.original.height) == (400, 600)
    assert _open(processed.original.data).size == (400, 600)


def test_png_text_chunks_are_dropped() -> None:
    processed = images.process_attachment(pictures.png_with_text())
    assert processed.original.media_type == "image/png"
    assert pictures.CAMERA.encode() not in processed.original.data
    assert b"tEXt" not in processed.original.data


def test_an_icc_profile_is_converted_away() -> None:
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 200, 10)).save(buffer, "PNG", icc_profile=profile)
    processed = images.process_attachment(buffer.getvalue())
    assert "icc_profile" not in _open(processed.original.data).info


def test_a_preview_keeps_the_aspect_within_mastodons_small_size() -> None:
    processed = images.process_attachment(pictures.jpeg_with_gps((1600, 1200)))
    preview = processed.preview
    assert preview.width * preview.height <= images.PREVIEW_PIXELS
    assert abs(preview.width / preview.height - 4 / 3) < 0.01
    assert _open(preview.data).size == (preview.width, preview.height)
    assert len(processed.blurhash) == 28


def test_an_animation_keeps_its_frames_and_loses_its_comment() -> None:
    processed = images.process_attachment(pictures.animated_gif(frames=4))
    image = _open(processed.original.data)
    assert (image.format, getattr(image, "n_frames", 1)) == ("GIF", 4)
    assert pictures.CAMERA.encode() not in processed.original.data
    assert processed.preview.media_type == "image/png"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"just some text, renamed to photo.png",
        b"<html><body><script>alert(document.cookie)</script></body></html>",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"\x89PNG\r\n\x1a\n<script>alert(1)</script>",  # a PNG signature and nothing valid
        pictures.jpeg_with_gps()[:200],  # cut short
    ],
)
def test_anything_but_a_whole_supported_image_is_refused(data: bytes) -> None:
    with pytest.raises(images.ImageError):
        images.process_attachment(data)


def test_other_image_formats_are_not_even_decoded() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "BMP")
    with pytest.raises(images.ImageError):
        images.process_attachment(buffer.getvalue())


def test_html_after_the_image_data_does_not_survive() -> None:
    polyglot = pictures.png_with_text() + b"<html><script>alert(1)</script></html>"
    processed = images.process_attachment(polyglot)
    assert b"<script" not in processed.original.data


@pytest.mark.parametrize("size", [(8000, 5000), (100_000, 100_000), (1, 40_000_000)])
def test_too_many_pixels_are_refused_from_the_header(size: tuple[int, int]) -> None:
    with pytest.raises(images.ImageError, match="pixels"):
        images.process_attachment(pictures.png_claiming(*size))


def test_too_many_bytes_are_refused_before_decoding() -> None:
    with pytest.raises(images.ImageTooLarge):
        images.process_attachment(b"\xff\xd8" + b"\x00" * images.SIZE_LIMIT)


def test_an_animation_over_the_frame_budget_is_refused() -> None:
    with pytest.raises(images.ImageError, match="frames"):
        images.process_attachment(pictures.animated_gif(frames=images.MAX_FRAMES + 1, size=(2, 2)))


def test_profile_images_fit_their_box_without_metadata() -> None:
    avatar = images.process_profile_image(pictures.jpeg_with_gps((1000, 800)), images.AVATAR_BOX)
    assert (avatar.width, avatar.height) == (400, 320)
    assert dict(_open(avatar.data).getexif()) == {}
    header = images.process_profile_image(pictures.png_with_text((3000, 600)), images.HEADER_BOX)
    assert (header.width, header.height) == (1500, 300)
    still = images.process_profile_image(pictures.animated_gif(), images.AVATAR_BOX)
    assert (still.media_type, getattr(_open(still.data), "n_frames", 1)) == ("image/png", 1)

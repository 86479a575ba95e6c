"""Pictures made on the spot for media tests: a photo carrying a GPS position and a camera name,
a PNG with text chunks, an animation, and headers that only claim a huge size."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, PngImagePlugin

CAMERA = "CameraOfAWitness"
# 52°31'12.5"N 13°24'1"E, as a photo taken on a phone would carry it.
GPS = {1: "N", 2: (52.0, 31.0, 12.5), 3: "E", 4: (13.0, 24.0, 1.0)}


def _pattern(size: tuple[int, int]) -> Image.Image:
    image = Image.new("RGB", size, (200, 40, 40))
    half = Image.new("RGB", (size[0] // 2, size[1]), (30, 60, 220))
    image.paste(half, (0, 0))
    return image


def jpeg_with_gps(size: tuple[int, int] = (600, 400), orientation: int = 1) -> bytes:
    """A JPEG whose EXIF names the camera and the place, with an orientation tag."""
    exif = Image.Exif()
    exif[0x010F] = CAMERA  # Make
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update(GPS)
    buffer = io.BytesIO()
    _pattern(size).save(buffer, "JPEG", exif=exif, comment=CAMERA.encode(), quality=85)
    return buffer.getvalue()


def png_with_text(size: tuple[int, int] = (300, 200)) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", CAMERA)
    info.add_text("Location", "52.52,13.40")
    buffer = io.BytesIO()
    _pattern(size).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def animated_gif(frames: int = 4, size: tuple[int, int] = (40, 30)) -> bytes:
    colours = [(i % 256, (i * 7) % 256, (i * 13) % 256) for i in range(frames)]
    images = [Image.new("RGB", size, colour) for colour in colours]
    buffer = io.BytesIO()
    images[0].save(
        buffer, "GIF", save_all=True, append_images=images[1:], duration=80, loop=0,
        comment=CAMERA.encode(),
    )  # fmt: skip
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG header announcing width x height pixels, with a few bytes of data: decoding it in
    full would need gigabytes (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )

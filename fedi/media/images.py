"""Uploaded images made safe to keep and serve. The type is read from the bytes (never from the
file name or the declared type) by the four decoders we accept; size and pixel limits are checked
from the header before decoding; the pixels are re-encoded so that no metadata survives (EXIF with
its GPS position, XMP, ICC profiles, comments), after the EXIF orientation has been applied."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, ImageSequence, UnidentifiedImageError

from fedi.media import blurhash

# Pillow format name -> the media type we serve; nothing else is decoded at all.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
# Mastodon's image limits (its /api/v2/instance): 16 MiB and 33,177,600 pixels (7680x4320).
SIZE_LIMIT = 16 * 1024 * 1024
MATRIX_LIMIT = 33_177_600
# An animation is decoded frame by frame into memory: all its frames together get the budget of
# one large still image.
MAX_FRAMES = 300
# Mastodon's `small` style: as many pixels as 640x360, the aspect ratio kept.
PREVIEW_PIXELS = 230_400
BLURHASH_BOX = (32, 32)
AVATAR_BOX = (400, 400)
HEADER_BOX = (1500, 500)
JPEG_QUALITY = 90
WEBP_QUALITY = 90


def is_image(data: bytes) -> bool:
    """Whether the bytes start as one of the four formats do (the signatures Pillow checks): such
    an upload is decoded as an image or refused, never taken for anything else."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return True
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a"))


class ImageError(ValueError):
    """Not an image we accept; the message can be shown to the member."""


class ImageTooLarge(ImageError):
    """Over the byte size limit."""


@dataclass(frozen=True)
class Encoded:
    data: bytes
    media_type: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.media_type]


@dataclass(frozen=True)
class ProcessedImage:
    original: Encoded
    preview: Encoded
    blurhash: str


def _open(data: bytes) -> Image.Image:
    if len(data) > SIZE_LIMIT:
        raise ImageTooLarge(f"images are limited to {SIZE_LIMIT // (1024 * 1024)} MiB")
    try:
        image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except UnidentifiedImageError:
        raise ImageError("the file is not a JPEG, PNG, GIF or WebP image") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"images are limited to {MATRIX_LIMIT} pixels") from None
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageError("the image is empty")
    if width * height > MATRIX_LIMIT:
        raise ImageError(f"images are limited to {MATRIX_LIMIT} pixels")
    return image


def _frame_count(image: Image.Image) -> int:
    frames = int(getattr(image, "n_frames", 1))
    width, height = image.size
    if frames > MAX_FRAMES or frames * width * height > MATRIX_LIMIT:
        raise ImageError("the animation has too many frames")
    return frames


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours converted from an embedded ICC profile to sRGB, so that dropping the profile
    (it may name the device) keeps the colours; without a usable profile, pixels as they are."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )  # fmt: skip
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted if converted is not None else image


def _normalised(image: Image.Image, target: str) -> Image.Image:
    """Pixels in a mode the target format writes; a palette's transparency becomes alpha."""
    if target == "JPEG":
        out = image if image.mode in ("RGB", "L") else image.convert("RGB")
    elif image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        out = image.convert("RGBA")
    else:
        out = image if image.mode in ("RGB", "L") else image.convert("RGB")
    out = out.copy() if out is image else out
    out.info = {}  # what the encoders would otherwise copy out: EXIF, ICC, comments, dpi
    return out


def _save(image: Image.Image, target: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    if target == "JPEG":
        options.setdefault("quality", JPEG_QUALITY)
    elif target == "WEBP":
        options.setdefault("quality", WEBP_QUALITY)
    image.save(buffer, format=target, **options)
    return buffer.getvalue()


def _still(image: Image.Image, target: str) -> Image.Image:
    """The first frame, decoded, upright, in sRGB and the target's mode, with no metadata."""
    image.seek(0)
    image.load()
    upright = ImageOps.exif_transpose(image)
    return _normalised(_to_srgb(upright), target)


def _animation(image: Image.Image, target: str) -> bytes:
    frames: list[Image.Image] = []
    durations: list[int] = []
    for frame in ImageSequence.Iterator(image):
        durations.append(int(frame.info.get("duration", 100) or 100))
        frames.append(_normalised(frame.convert("RGBA"), target))
    loop = image.info.get("loop", 0)
    return _save(
        frames[0], target, save_all=True, append_images=frames[1:], duration=durations,
        loop=loop if isinstance(loop, int) else 0, disposal=2,
    )  # fmt: skip


def _scaled_to_pixels(image: Image.Image, pixels: int) -> Image.Image:
    width, height = image.size
    if width * height <= pixels:
        return image.copy()
    scale = math.sqrt(pixels / (width * height))
    size = (max(1, int(width * scale)), max(1, int(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _blurhash(image: Image.Image) -> str:
    tiny = image.convert("RGB")
    tiny.thumbnail(BLURHASH_BOX, Image.Resampling.BILINEAR)
    raw = tiny.tobytes()
    pixels = [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]
    return blurhash.encode(pixels, tiny.width, tiny.height, 4, 3)


def _decoded(data: bytes) -> tuple[Image.Image, str]:
    image = _open(data)
    fmt = image.format or ""
    if fmt not in FORMATS:
        raise ImageError("the file is not a JPEG, PNG, GIF or WebP image")
    return image, fmt


def process_attachment(data: bytes) -> ProcessedImage:
    """An uploaded image re-encoded in its own format (animations kept), a preview and its
    BlurHash. Runs for a while on big images: call it in a worker thread."""
    image, fmt = _decoded(data)
    try:
        with image:
            frames = _frame_count(image)
            still = _still(image, fmt)
            original = _animation(image, fmt) if frames > 1 else _save(still, fmt)
            preview_format = {"GIF": "PNG"}.get(fmt, fmt)
            small = _normalised(_scaled_to_pixels(still, PREVIEW_PIXELS), preview_format)
            hashed = _blurhash(still)
            preview = _save(small, preview_format)
    except ImageError:
        raise
    except Exception:  # Pillow's decoders raise many unrelated types on hostile files
        raise ImageError("the image cannot be decoded") from None
    return ProcessedImage(
        original=Encoded(original, FORMATS[fmt], still.width, still.height),
        preview=Encoded(preview, FORMATS[preview_format], small.width, small.height),
        blurhash=hashed,
    )


def process_profile_image(data: bytes, box: tuple[int, int]) -> Encoded:
    """An avatar or header: the first frame, shrunk to fit `box`, re-encoded without metadata
    (a GIF becomes a PNG)."""
    image, fmt = _decoded(data)
    target = {"GIF": "PNG"}.get(fmt, fmt)
    try:
        with image:
            _frame_count(image)
            still = _still(image, target)
            still.thumbnail(box, Image.Resampling.LANCZOS)
            still.info = {}
            encoded = _save(still, target)
    except ImageError:
        raise
    except Exception:  # Pillow's decoders raise many unrelated types on hostile files
        raise ImageError("the image cannot be decoded") from None
    return Encoded(encoded, FORMATS[target], still.width, still.height)

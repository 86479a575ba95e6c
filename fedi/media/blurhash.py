"""BlurHash encoding (the published algorithm by Wolt): a short base-83 string from which apps
draw a blurred preview while an image loads. Fed a tiny copy of the image, it is cheap."""

from __future__ import annotations

import math
from collections.abc import Sequence

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"
Pixel = tuple[int, int, int]


def base83(value: int, length: int) -> str:
    return "".join(ALPHABET[(value // 83 ** (length - i)) % 83] for i in range(1, length + 1))


def srgb_to_linear(value: int) -> float:
    v = value / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def linear_to_srgb(value: float) -> int:
    v = max(0.0, min(1.0, value))
    if v <= 0.0031308:
        return int(v * 12.92 * 255 + 0.5)
    return int((1.055 * v ** (1 / 2.4) - 0.055) * 255 + 0.5)


def _sign_pow(value: float, exponent: float) -> float:
    return math.copysign(abs(value) ** exponent, value)


def encode(pixels: Sequence[Pixel], width: int, height: int, x_components: int = 4,
           y_components: int = 3) -> str:  # fmt: skip
    """The BlurHash of an image given as rows of sRGB pixels (width * height of them)."""
    if not (1 <= x_components <= 9 and 1 <= y_components <= 9):
        raise ValueError("BlurHash has 1 to 9 components in each direction")
    if width < 1 or height < 1 or len(pixels) != width * height:
        raise ValueError("the pixels do not match the size")
    linear = [tuple(srgb_to_linear(c) for c in p) for p in pixels]
    factors: list[tuple[float, float, float]] = []
    for j in range(y_components):
        cos_y = [math.cos(math.pi * j * y / height) for y in range(height)]
        for i in range(x_components):
            cos_x = [math.cos(math.pi * i * x / width) for x in range(width)]
            r = g = b = 0.0
            for y in range(height):
                row = y * width
                for x in range(width):
                    basis = cos_x[x] * cos_y[y]
                    pr, pg, pb = linear[row + x]
                    r += basis * pr
                    g += basis * pg
                    b += basis * pb
            scale = (1 if i == 0 and j == 0 else 2) / (width * height)
            factors.append((r * scale, g * scale, b * scale))
    dc, ac = factors[0], factors[1:]
    text = base83((x_components - 1) + (y_components - 1) * 9, 1)
    if ac:
        actual_max = max(abs(c) for f in ac for c in f)
        quantised_max = max(0, min(82, math.floor(actual_max * 166 - 0.5)))
        maximum = (quantised_max + 1) / 166
        text += base83(quantised_max, 1)
    else:
        maximum = 1.0
        text += base83(0, 1)
    r, g, b = (linear_to_srgb(c) for c in dc)
    text += base83((r << 16) + (g << 8) + b, 4)
    for factor in ac:
        qr, qg, qb = (
            max(0, min(18, math.floor(_sign_pow(c / maximum, 0.5) * 9 + 9.5))) for c in factor
        )
        text += base83(qr * 19 * 19 + qg * 19 + qb, 2)
    return text

"""BlurHash: the string's form (size flag, length, alphabet), the same value as an independent
implementation (the `blurhash` package Mastodon.py decodes with), and that it decodes to the
colours of the image it was made from."""

from __future__ import annotations

import random

import blurhash as reference  # type: ignore[import-untyped]
import pytest

from fedi.media import blurhash


def _decode83(text: str) -> int:
    value = 0
    for char in text:
        value = value * 83 + blurhash.ALPHABET.index(char)
    return value


def _rows(pixels: list[tuple[int, int, int]], width: int) -> list[list[list[int]]]:
    return [[list(p) for p in pixels[i : i + width]] for i in range(0, len(pixels), width)]


def test_the_form_of_a_4x3_hash() -> None:
    pixels = [(40, 120, 200)] * (8 * 6)
    hashed = blurhash.encode(pixels, 8, 6, 4, 3)
    assert len(hashed) == 4 + 2 * 4 * 3
    assert set(hashed) <= set(blurhash.ALPHABET)
    flag = _decode83(hashed[0])
    assert (flag % 9 + 1, flag // 9 + 1) == (4, 3)
    # The DC component is the average colour, here the only colour.
    dc = _decode83(hashed[2:6])
    assert (dc >> 16, (dc >> 8) & 255, dc & 255) == (40, 120, 200)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_value_as_an_independent_implementation(seed: int) -> None:
    chance = random.Random(seed)
    width, height = chance.randint(1, 16), chance.randint(1, 16)
    pixels = [tuple(chance.randrange(256) for _ in range(3)) for _ in range(width * height)]
    ours = blurhash.encode(pixels, width, height, 4, 3)  # type: ignore[arg-type]
    assert ours == reference.encode(_rows(pixels, width), 4, 3)  # type: ignore[arg-type]


def test_it_decodes_to_the_picture() -> None:
    width, height = 16, 8
    pixels = [(230, 20, 20) if x < width // 2 else (20, 20, 230) for _ in range(height)
              for x in range(width)]  # fmt: skip
    decoded = reference.decode(blurhash.encode(pixels, width, height, 4, 3), width, height)
    left, right = decoded[height // 2][1], decoded[height // 2][width - 2]
    assert left[0] > left[2] + 80  # red on the left
    assert right[2] > right[0] + 80  # blue on the right


@pytest.mark.parametrize("components", [(0, 3), (10, 1), (4, 0)])
def test_component_counts_outside_1_to_9_are_refused(components: tuple[int, int]) -> None:
    with pytest.raises(ValueError):
        blurhash.encode([(0, 0, 0)], 1, 1, *components)


def test_pixels_must_match_the_size() -> None:
    with pytest.raises(ValueError):
        blurhash.encode([(0, 0, 0)] * 3, 2, 2)

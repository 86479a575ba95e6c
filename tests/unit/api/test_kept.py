"""fedi.api.kept: a value comes back only for an equal stamp, and at most `size` are kept."""

from __future__ import annotations

from fedi.api.kept import Kept


def test_a_value_comes_back_only_for_the_stamp_it_was_made_from() -> None:
    kept: Kept[int, str] = Kept(4)
    kept.put(1, ("post", 3), "three favourites")
    assert kept.get(1, ("post", 3)) == "three favourites"
    assert kept.get(1, ("post", 4)) is None
    assert kept.get(2, ("post", 3)) is None
    kept.put(1, ("post", 4), "four favourites")
    assert kept.get(1, ("post", 3)) is None
    assert kept.get(1, ("post", 4)) == "four favourites"


def test_the_oldest_entries_go_first_past_the_size() -> None:
    kept: Kept[int, int] = Kept(2)
    for key in (1, 2, 3):
        kept.put(key, None, key)
    assert len(kept) == 2
    assert kept.get(1, None) is None and kept.get(3, None) == 3

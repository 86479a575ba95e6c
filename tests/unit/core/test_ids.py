from __future__ import annotations

from fedi.core.ids import new_id


def test_ids_only_grow_even_within_one_millisecond() -> None:
    made = [new_id(at_ms=1_700_000_000_000) for _ in range(1000)]
    assert made == sorted(made)
    assert len(set(made)) == 1000


def test_ids_are_time_ordered() -> None:
    early = new_id(at_ms=1_000)
    assert new_id(at_ms=2_000) > early
    assert new_id() > 1_700_000_000_000 << 16

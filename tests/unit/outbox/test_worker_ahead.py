"""Which requests of a delivery round are signed before any is sent: at most as many per host as
may be in flight to it (a host failing in the round is sent no more), in chunks."""

from __future__ import annotations

from fedi.db.outbox_activities import DeliveryRow
from fedi.federation.signing import AccountSigner
from outbox.worker import AHEAD_CHUNK, PER_HOST, _Ahead
from tests.testrig.keys import next_private_key


class Recording(AccountSigner):
    def __init__(self) -> None:
        super().__init__(next_private_key(), "https://fedi.test/users/a#main-key", None)
        self.chunks: list[list[tuple[str, bytes]]] = []

    def sign_ahead(self, posts: list[tuple[str, bytes]]) -> None:  # type: ignore[override]
        self.chunks.append(list(posts))


def row(n: int, host: str) -> DeliveryRow:
    return DeliveryRow(n, 1, 1, f"https://{host}/inbox/{n}", host, {}, 0, "")


async def test_at_most_per_host_requests_of_a_host_are_signed_ahead_in_chunks() -> None:
    signer = Recording()
    ahead = _Ahead()
    rows = [row(n, "busy.example") for n in range(PER_HOST + 3)]
    rows += [row(100 + n, f"h{n}.example") for n in range(AHEAD_CHUNK)]
    for delivery in rows:
        ahead.add(delivery, b"{}", signer)
    await ahead.sign()
    signed = [url for chunk in signer.chunks for url, _ in chunk]
    assert [len(chunk) for chunk in signer.chunks] == [AHEAD_CHUNK, PER_HOST]
    assert signed == [r.inbox_uri for r in rows[:PER_HOST] + rows[PER_HOST + 3 :]]

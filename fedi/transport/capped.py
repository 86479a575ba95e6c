"""Reading a response body within a byte cap (security.md F6, F7)."""

from __future__ import annotations

import aiohttp

from fedi.transport.netguard import FetchError

CHUNK_SIZE = 65_536


async def read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    # Refuse a declared oversize body unread (F6); the declared length can lie and is the
    # compressed size, so the running count below, on decompressed bytes, is the real cap (F7).
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        message = f"Content-Length {declared} is over the {max_bytes}-byte cap"
        raise FetchError(message, retryable=False)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(CHUNK_SIZE):
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"body over the {max_bytes}-byte cap", retryable=False)
        chunks.append(chunk)
    return b"".join(chunks)

"""What every command shares: its one kind of failure, and running an action on an opened
instance."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from fedi.context import Context, open_context
from fedi.core.config import Settings

T = TypeVar("T")


class CommandError(Exception):
    """A command cannot go on; the message is printed as it is."""


def with_context(settings: Settings, action: Callable[[Context], Awaitable[T]]) -> T:
    async def run() -> T:
        async with open_context(settings) as context:
            return await action(context)

    return asyncio.run(run())

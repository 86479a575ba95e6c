"""Telling the space's members' servers about its library (filled in with federation)."""

from __future__ import annotations

from fedi.context import Context
from fedi.core.models import Group
from fedi.db.library import Document


async def document_added(context: Context, group: Group, document: Document) -> None:
    return None


async def document_removed(context: Context, group: Group, document: Document) -> None:
    return None

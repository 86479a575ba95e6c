"""Documents in a space's library: an upload without a post (checked and stored as any upload),
a new version when the folder already holds a document of that name, removal, and reading a
folder, a search or a document with its versions. A new document or version is then published
to the space's members (fedi.library.publish)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from fedi.context import Context
from fedi.core import ids
from fedi.core.models import Account, Group, User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import library as library_rows
from fedi.db.connection import Connection
from fedi.db.library import Document, Folder, NewDocument, NewVersion, Version
from fedi.library import publish
from fedi.library.rules import (
    LibraryError,
    QuotaExceeded,
    clean_details,
    is_member,
    may_remove,
    quota_bytes,
)
from fedi.media import documents as document_types
from fedi.media.media import MediaError, delete_files, store_file

log = logging.getLogger(__name__)
PAGE_SIZE = 40


@dataclass(frozen=True)
class Upload:
    data: bytes
    file_name: str | None
    declared_type: str | None = None
    title: str | None = None
    description: str | None = None
    language: str | None = None
    folder_id: int | None = None


@dataclass(frozen=True)
class Listing:
    """A folder (None: the top) with its path, its sub-folders and a page of its documents."""

    folder: Folder | None
    path: list[Folder]
    folders: list[Folder]
    documents: list[Document]
    older_max_id: int | None


def download_url(context: Context, version: Version) -> str:
    """Where a member downloads a version: the stored file here, or, for a remote space's
    document, this server's relay of it (fetched from the space's server for that member)."""
    if version.file:
        return context.urls.media(version.file)
    return f"{context.urls.base}/library/files/{version.id}"


async def folder_of(
    context: Context, group: Group | Account, folder_id: int | None
) -> Folder | None:
    """The space's folder with this id (None for the top); LibraryError 404 if it has none."""
    if folder_id is None:
        return None
    async with context.db.read() as conn:
        folder = await library_rows.get_folder(conn, group.id, folder_id)
    if folder is None:
        raise LibraryError("no such folder", 404, "missing")
    return folder


def _write_version(
    conn: Connection, group: Group, new: NewDocument, version: NewVersion, quota: int
) -> int:
    """Inside one write: the quota checked, then a new document or a new version of the one of
    that name in the folder. Returns the document's id."""
    if library_rows.used_bytes(conn, group.id) + version.size > quota:
        raise QuotaExceeded(
            f"the library of this space is full (its quota is {quota // 1_000_000} MB)",
            reason="quota",
        )
    existing = library_rows.document_named(conn, group.id, new.folder_id, new.name)
    if existing is None:
        library_rows.insert_document(conn, new)
        document_id = new.id
    else:
        document_id = existing
        library_rows.update_document(
            conn, existing, new.name, new.title, new.description, new.language, new.now,
            keep_unset=True,
        )  # fmt: skip
    library_rows.insert_version(conn, document_id, version, new.now)
    return document_id


async def upload_document(
    context: Context, group: Group, uploader: Account, upload: Upload
) -> Document:
    """Keep a file in the space's library; under a name its folder already holds, it becomes
    that document's newest version (the earlier ones are kept)."""
    if not await is_member(context, group, uploader):
        raise LibraryError("only the space's members add to its library", 403, "forbidden")
    title, description, language = clean_details(upload.title, upload.description, upload.language)
    folder = await folder_of(context, group, upload.folder_id)
    name = document_types.clean_file_name(upload.file_name)
    if not name:
        raise LibraryError("the file needs a name", reason="name")
    quota = await quota_bytes(context, group)
    try:
        stored = await store_file(context, upload.data, name, upload.declared_type)
    except MediaError as exc:
        raise LibraryError(str(exc), exc.status, "file") from None
    document_id = ids.new_id()
    new = NewDocument(
        id=document_id, group_id=group.id, folder_id=folder.id if folder else None, name=name,
        title=title, description=description, language=language, uploaded_by_id=uploader.id,
        uri=f"{group.account.uri}/library/{document_id}", is_local=True, now=to_db(utcnow()),
    )  # fmt: skip
    version = NewVersion(
        id=ids.new_id(), file=stored.name, remote_url=None, media_type=stored.media_type,
        size=stored.size, uploaded_by_id=uploader.id,
    )  # fmt: skip
    try:
        kept_id = await context.db.write(
            lambda conn: _write_version(conn, group, new, version, quota)
        )
    except BaseException:
        await asyncio.to_thread(delete_files, context.settings.media_dir, [stored.name])
        raise
    log.info("library document %d of group %d: version %d", kept_id, group.id, version.id)
    document = await get_document(context, group, kept_id)
    await publish.document_added(context, group, document)
    return document


async def get_document(context: Context, group: Group | Account, document_id: int) -> Document:
    async with context.db.read() as conn:
        document = await library_rows.get_document(conn, group.id, document_id)
    if document is None:
        raise LibraryError("no such document", 404, "missing")
    return document


async def path_of(context: Context, folder_id: int | None) -> list[Folder]:
    """A folder and its parents, from the top down (none for the top of the library)."""
    if folder_id is None:
        return []
    async with context.db.read() as conn:
        return await library_rows.folder_path(conn, folder_id)


async def versions_of(context: Context, document: Document) -> list[Version]:
    async with context.db.read() as conn:
        return await library_rows.versions(conn, document.id)


async def delete_document(context: Context, group: Group, user: User, document_id: int) -> None:
    """The uploader or a moderator removes a document with all its versions."""
    document = await get_document(context, group, document_id)
    if not await may_remove(context, group, user, document.uploaded_by_id):
        raise LibraryError("no such document", 404, "missing")
    files = await context.db.write(lambda conn: library_rows.delete_document(conn, document.id))
    await asyncio.to_thread(delete_files, context.settings.media_dir, files)
    if document.is_local:
        await publish.document_removed(context, group, document)


async def listing(
    context: Context,
    group: Group | Account,
    folder_id: int | None,
    query: str | None = None,
    max_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> Listing:
    """A folder of the library, or (with a query) the documents of the whole library whose name
    or title holds it."""
    folder = await folder_of(context, group, folder_id)
    query = (query or "").strip()[:100]
    async with context.db.read() as conn:
        path = await library_rows.folder_path(conn, folder.id) if folder else []
        if query:
            found = await library_rows.search(conn, group.id, query, max_id, limit + 1)
            folders: list[Folder] = []
        else:
            found = await library_rows.documents_in(conn, group.id, folder_id, max_id, limit + 1)
            folders = (
                [] if max_id else await library_rows.folders_in(conn, group.id, folder_id, 200)
            )
    older = found[limit - 1].id if len(found) > limit else None
    return Listing(folder, path, folders, found[:limit], older)

"""SQL for a space's library: folders (nested), documents (one per name in a folder) and their
versions (newest first), the bytes a space's library holds and the quota an admin set for it.
Lists are read in one query per page, each document with its newest version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fedi.core.timeutil import from_db
from fedi.db.connection import Connection, Reader, Row


@dataclass(frozen=True)
class Folder:
    id: int
    group_id: int
    parent_id: int | None
    name: str
    depth: int
    created_at: datetime


@dataclass(frozen=True)
class Version:
    id: int
    document_id: int
    file: str | None
    remote_url: str | None
    media_type: str
    size: int
    uploaded_by_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class Document:
    id: int
    group_id: int
    folder_id: int | None
    name: str
    title: str
    description: str
    language: str | None
    uploaded_by_id: int | None
    uri: str
    is_local: bool
    created_at: datetime
    updated_at: datetime
    latest: Version
    version_count: int


@dataclass(frozen=True)
class NewDocument:
    id: int
    group_id: int
    folder_id: int | None
    name: str
    title: str
    description: str
    language: str | None
    uploaded_by_id: int | None
    uri: str
    is_local: bool
    now: str


@dataclass(frozen=True)
class NewVersion:
    id: int
    file: str | None
    remote_url: str | None
    media_type: str
    size: int
    uploaded_by_id: int | None


_FOLDER = "f.id, f.group_id, f.parent_id, f.name, f.depth, f.created_at"
_VERSION = (
    "v.id, v.document_id, v.file, v.remote_url, v.media_type, v.size, v.uploaded_by_id,"
    " v.created_at"
)
_DOCUMENT = (
    "d.id, d.group_id, d.folder_id, d.name, d.title, d.description, d.language,"
    " d.uploaded_by_id, d.uri, d.is_local, d.created_at, d.updated_at"
)
# Each document with its newest version and how many it has.
_DOCUMENTS = (
    f"SELECT {_DOCUMENT}, {_VERSION},"
    " (SELECT count(*) FROM library_versions c WHERE c.document_id = d.id)"
    " FROM library_documents d JOIN library_versions v ON v.id ="
    " (SELECT max(x.id) FROM library_versions x WHERE x.document_id = d.id)"
)


def key(text: str) -> str:
    return text.casefold()


def _folder(row: Row) -> Folder:
    return Folder(row[0], row[1], row[2], row[3], row[4], from_db(row[5]))


def _version(row: Row, start: int = 0) -> Version:
    r = row[start : start + 8]
    return Version(r[0], r[1], r[2], r[3], r[4], r[5], r[6], from_db(r[7]))


def _document(row: Row) -> Document:
    return Document(
        id=row[0], group_id=row[1], folder_id=row[2], name=row[3], title=row[4],
        description=row[5], language=row[6], uploaded_by_id=row[7], uri=row[8],
        is_local=bool(row[9]), created_at=from_db(row[10]), updated_at=from_db(row[11]),
        latest=_version(row, 12), version_count=row[20],
    )  # fmt: skip


def insert_folder(
    conn: Connection, folder_id: int, group_id: int, parent: Folder | None, name: str,
    created_by_id: int, now: str,
) -> None:  # fmt: skip
    """sqlite3.IntegrityError when the parent already has a folder of this name."""
    conn.execute(
        "INSERT INTO library_folders (id, group_id, parent_id, parent_key, name, name_key, depth,"
        " created_by_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (folder_id, group_id, parent.id if parent else None, parent.id if parent else 0, name,
         key(name), parent.depth + 1 if parent else 1, created_by_id, now),
    )  # fmt: skip


async def get_folder(conn: Reader, group_id: int, folder_id: int) -> Folder | None:
    cursor = await conn.execute(
        f"SELECT {_FOLDER} FROM library_folders f WHERE f.id = ? AND f.group_id = ?",
        (folder_id, group_id),
    )
    row = await cursor.fetchone()
    return _folder(row) if row else None


async def folders_in(
    conn: Reader, group_id: int, parent_id: int | None, limit: int
) -> list[Folder]:
    cursor = await conn.execute(
        f"SELECT {_FOLDER} FROM library_folders f WHERE f.group_id = ? AND f.parent_key = ?"
        " ORDER BY f.name_key LIMIT ?",
        (group_id, parent_id or 0, limit),
    )
    return [_folder(row) for row in await cursor.fetchall()]


async def folder_path(conn: Reader, folder_id: int) -> list[Folder]:
    """The folder and its parents, from the top down."""
    cursor = await conn.execute(
        "WITH RECURSIVE up (id) AS (SELECT ? UNION ALL"
        " SELECT p.parent_id FROM library_folders p JOIN up ON p.id = up.id"
        " WHERE p.parent_id IS NOT NULL)"
        f" SELECT {_FOLDER} FROM library_folders f JOIN up ON f.id = up.id ORDER BY f.depth",
        (folder_id,),
    )
    return [_folder(row) for row in await cursor.fetchall()]


async def documents_in(
    conn: Reader, group_id: int, folder_id: int | None, max_id: int | None,
    limit: int,
) -> list[Document]:  # fmt: skip
    """A folder's documents (the top of the library for None), newest first, below max_id."""
    cursor = await conn.execute(
        f"{_DOCUMENTS} WHERE d.group_id = ? AND d.folder_key = ? AND (? IS NULL OR d.id < ?)"
        " ORDER BY d.id DESC LIMIT ?",
        (group_id, folder_id or 0, max_id, max_id, limit),
    )
    return [_document(row) for row in await cursor.fetchall()]


def _like(text: str) -> str:
    escaped = key(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search(
    conn: Reader, group_id: int, query: str, max_id: int | None, limit: int
) -> list[Document]:
    """The space's documents whose name or title holds the query, whatever the case."""
    cursor = await conn.execute(
        f"{_DOCUMENTS} WHERE d.group_id = ? AND d.search_key LIKE ? ESCAPE '\\'"
        " AND (? IS NULL OR d.id < ?) ORDER BY d.id DESC LIMIT ?",
        (group_id, _like(query), max_id, max_id, limit),
    )
    return [_document(row) for row in await cursor.fetchall()]


async def get_document(conn: Reader, group_id: int, document_id: int) -> Document | None:
    cursor = await conn.execute(
        f"{_DOCUMENTS} WHERE d.id = ? AND d.group_id = ?", (document_id, group_id)
    )
    row = await cursor.fetchone()
    return _document(row) if row else None


async def get_by_uri(conn: Reader, uri: str) -> Document | None:
    cursor = await conn.execute(f"{_DOCUMENTS} WHERE d.uri = ?", (uri,))
    row = await cursor.fetchone()
    return _document(row) if row else None


async def versions(conn: Reader, document_id: int) -> list[Version]:
    """A document's versions, newest first."""
    cursor = await conn.execute(
        f"SELECT {_VERSION} FROM library_versions v WHERE v.document_id = ? ORDER BY v.id DESC",
        (document_id,),
    )
    return [_version(row) for row in await cursor.fetchall()]


def document_named(conn: Connection, group_id: int, folder_id: int | None, name: str) -> int | None:
    row = conn.execute(
        "SELECT id FROM library_documents WHERE group_id = ? AND folder_key = ? AND name_key = ?",
        (group_id, folder_id or 0, key(name)),
    ).fetchone()
    return int(row[0]) if row else None


def insert_document(conn: Connection, new: NewDocument) -> None:
    # A remote space's documents may share a name (they come from its folders): keyed by id.
    name_key = key(new.name) if new.is_local else new.uri
    conn.execute(
        "INSERT INTO library_documents (id, group_id, folder_id, folder_key, name, name_key,"
        " title, description, language, search_key, uploaded_by_id, uri, is_local, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (new.id, new.group_id, new.folder_id, new.folder_id or 0, new.name, name_key,
         new.title, new.description, new.language, key(f"{new.name}\n{new.title}"),
         new.uploaded_by_id, new.uri, int(new.is_local), new.now, new.now),
    )  # fmt: skip


def update_document(
    conn: Connection, document_id: int, name: str, title: str, description: str,
    language: str | None, now: str, *, keep_unset: bool = False,
) -> None:  # fmt: skip
    """A new version's details become the document's; with keep_unset, only those it gives
    (an upload of a new version without a title keeps the document's)."""
    if keep_unset:
        row = conn.execute(
            "SELECT title, description, language FROM library_documents WHERE id = ?",
            (document_id,),
        ).fetchone()
        title, description, language = title or row[0], description or row[1], language or row[2]
    conn.execute(
        "UPDATE library_documents SET title = ?, description = ?, language = ?, search_key = ?,"
        " updated_at = ? WHERE id = ?",
        (title, description, language, key(f"{name}\n{title}"), now, document_id),
    )


def insert_version(conn: Connection, document_id: int, new: NewVersion, now: str) -> None:
    conn.execute(
        "INSERT INTO library_versions (id, document_id, file, remote_url, media_type, size,"
        " uploaded_by_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (new.id, document_id, new.file, new.remote_url, new.media_type, new.size,
         new.uploaded_by_id, now),
    )  # fmt: skip


def store_remote(conn: Connection, new: NewDocument, version: NewVersion) -> bool:
    """A remote space's document, or its new version (a url not seen yet); its details follow
    the latest announcement. False when the id is another space's (nothing is written)."""
    row = conn.execute(
        "SELECT id, group_id FROM library_documents WHERE uri = ?", (new.uri,)
    ).fetchone()
    if row is None:
        insert_document(conn, new)
        insert_version(conn, new.id, version, new.now)
        return True
    if row[1] != new.group_id:
        return False
    library_document_id = int(row[0])
    update_document(
        conn, library_document_id, new.name, new.title, new.description, new.language, new.now
    )
    conn.execute("UPDATE library_documents SET name = ? WHERE id = ?", (new.name, row[0]))
    seen = conn.execute(
        "SELECT 1 FROM library_versions WHERE document_id = ? AND remote_url = ?",
        (library_document_id, version.remote_url),
    ).fetchone()
    if seen is None:
        insert_version(conn, library_document_id, version, new.now)
    return True


def remote_document_id(conn: Connection, uri: str, group_id: int) -> int | None:
    row = conn.execute(
        "SELECT id FROM library_documents WHERE uri = ? AND group_id = ? AND is_local = 0",
        (uri, group_id),
    ).fetchone()
    return int(row[0]) if row else None


async def get_version(conn: Reader, version_id: int) -> tuple[Version, Document] | None:
    """A version with its document, by the version's id."""
    cursor = await conn.execute(
        f"SELECT {_VERSION} FROM library_versions v WHERE v.id = ?", (version_id,)
    )
    row = await cursor.fetchone()
    if row is None:
        return None
    version = _version(row)
    cursor = await conn.execute(f"{_DOCUMENTS} WHERE d.id = ?", (version.document_id,))
    found = await cursor.fetchone()
    return (version, _document(found)) if found else None


def delete_document(conn: Connection, document_id: int) -> list[str]:
    """Forget a document and its versions; returns their stored files, to delete."""
    files = [
        row[0]
        for row in conn.execute(
            "SELECT file FROM library_versions WHERE document_id = ? AND file IS NOT NULL",
            (document_id,),
        )
    ]
    conn.execute("DELETE FROM library_versions WHERE document_id = ?", (document_id,))
    conn.execute("DELETE FROM library_documents WHERE id = ?", (document_id,))
    return files


_USAGE = (
    "SELECT COALESCE(sum(v.size), 0) FROM library_versions v JOIN library_documents d"
    " ON d.id = v.document_id WHERE d.group_id = ? AND v.file IS NOT NULL"
)


def used_bytes(conn: Connection, group_id: int) -> int:
    """What the space's library holds here: every version of its documents (inside a write)."""
    row = conn.execute(_USAGE, (group_id,)).fetchone()
    return int(row[0])


async def usage(conn: Reader, group_id: int) -> int:
    cursor = await conn.execute(_USAGE, (group_id,))
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def quota_mb(conn: Reader, group_id: int) -> int | None:
    """The quota an admin set for the space, None for the instance's default."""
    cursor = await conn.execute(
        "SELECT library_quota_mb FROM groups WHERE account_id = ?", (group_id,)
    )
    row = await cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None


def set_quota_mb(conn: Connection, group_id: int, megabytes: int | None) -> None:
    conn.execute(
        "UPDATE groups SET library_quota_mb = ? WHERE account_id = ?", (megabytes, group_id)
    )

"""SQL for serving a stored file: the members-only space it belongs to, if any (a private group's
post attachments, a library document's versions), and the name a library version is downloaded
under."""

from __future__ import annotations

from fedi.db.connection import Reader


async def private_space_of_file(conn: Reader, name: str) -> int | None:
    """The id of the local private group whose post holds (or last held) this stored file or
    its preview, or whose library holds it; else None."""
    cursor = await conn.execute(
        "SELECT m.space_id FROM media_attachments m JOIN groups g ON g.account_id = m.space_id"
        " WHERE m.file = ?1 AND g.is_private = 1"
        " UNION ALL"
        " SELECT m.space_id FROM media_attachments m JOIN groups g ON g.account_id = m.space_id"
        " WHERE m.preview_file = ?1 AND g.is_private = 1"
        " UNION ALL"
        " SELECT d.group_id FROM library_versions v JOIN library_documents d"
        " ON d.id = v.document_id JOIN groups g ON g.account_id = d.group_id"
        " WHERE v.file = ?1 AND g.is_private = 1"
        " LIMIT 1",
        (name,),
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else None


async def library_name_of(conn: Reader, name: str) -> str | None:
    """The document name a library version is downloaded under, by its stored file's name."""
    cursor = await conn.execute(
        "SELECT d.name FROM library_versions v JOIN library_documents d ON d.id = v.document_id"
        " WHERE v.file = ? LIMIT 1",
        (name,),
    )
    row = await cursor.fetchone()
    return str(row[0]) if row else None

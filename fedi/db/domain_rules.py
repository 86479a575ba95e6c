"""SQL for the instance's domain blocks and allows (whole, page by page for the admin API, or
by domain) and its run-time settings (allowlist mode).
Every change to them bumps `federation_generation`, which the policy cache watches."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.core.ids import new_id
from fedi.core.models import DomainAllow, DomainBlock
from fedi.core.timeutil import from_db
from fedi.db.connection import Connection, Reader, Row
from fedi.db.timelines import Page, paging

GENERATION = "federation_generation"
ALLOWLIST_MODE = "allowlist_mode"

_BLOCK_COLUMNS = (
    "id, domain, severity, severity_at, reject_media, reject_reports, obfuscate, private_comment,"
    " public_comment, source, source_detail, created_by_id, created_at, updated_at"
)
_ALLOW_COLUMNS = "id, domain, source, source_detail, created_by_id, created_at"


@dataclass(frozen=True)
class BlockFields:
    """What a moderator sets on a block (everything but its identity and provenance)."""

    severity: str = "silence"
    reject_media: bool = False
    reject_reports: bool = False
    obfuscate: bool = False
    private_comment: str = ""
    public_comment: str = ""


def _block(row: Row) -> DomainBlock:
    return DomainBlock(
        id=row["id"],
        domain=row["domain"],
        severity=row["severity"],
        severity_at=from_db(row["severity_at"]),
        reject_media=bool(row["reject_media"]),
        reject_reports=bool(row["reject_reports"]),
        obfuscate=bool(row["obfuscate"]),
        private_comment=row["private_comment"],
        public_comment=row["public_comment"],
        source=row["source"],
        source_detail=row["source_detail"],
        created_by_id=row["created_by_id"],
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
    )


def _allow(row: Row) -> DomainAllow:
    return DomainAllow(
        id=row["id"],
        domain=row["domain"],
        source=row["source"],
        source_detail=row["source_detail"],
        created_by_id=row["created_by_id"],
        created_at=from_db(row["created_at"]),
    )


def bump_generation(conn: Connection, now: str) -> None:
    conn.execute(
        "INSERT INTO instance_settings (name, value, updated_at) VALUES (?, '1', ?)"
        " ON CONFLICT (name) DO UPDATE SET value = CAST(instance_settings.value AS INTEGER) + 1,"
        " updated_at = excluded.updated_at",
        (GENERATION, now),
    )


async def generation(conn: Reader) -> int:
    async with conn.execute(
        "SELECT value FROM instance_settings WHERE name = ?", (GENERATION,)
    ) as cursor:
        row = await cursor.fetchone()
    return int(row["value"]) if row is not None else 0


async def get_setting(conn: Reader, name: str) -> str | None:
    async with conn.execute("SELECT value FROM instance_settings WHERE name = ?", (name,)) as cur:
        row = await cur.fetchone()
    return str(row["value"]) if row is not None else None


def set_setting(conn: Connection, name: str, value: str, now: str) -> None:
    conn.execute(
        "INSERT INTO instance_settings (name, value, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value,"
        " updated_at = excluded.updated_at",
        (name, value, now),
    )
    bump_generation(conn, now)


async def all_blocks(conn: Reader) -> list[DomainBlock]:
    async with conn.execute(f"SELECT {_BLOCK_COLUMNS} FROM domain_blocks ORDER BY id") as cursor:
        return [_block(row) for row in await cursor.fetchall()]


async def all_allows(conn: Reader) -> list[DomainAllow]:
    async with conn.execute(f"SELECT {_ALLOW_COLUMNS} FROM domain_allows ORDER BY id") as cursor:
        return [_allow(row) for row in await cursor.fetchall()]


async def get_block(conn: Reader, block_id: int) -> DomainBlock | None:
    async with conn.execute(
        f"SELECT {_BLOCK_COLUMNS} FROM domain_blocks WHERE id = ?", (block_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return _block(row) if row is not None else None


def get_block_now(conn: Connection, domain: str) -> DomainBlock | None:
    """The block of exactly this domain, inside a write."""
    row = conn.execute(
        f"SELECT {_BLOCK_COLUMNS} FROM domain_blocks WHERE domain = ?", (domain,)
    ).fetchone()
    return _block(row) if row is not None else None


async def get_allow(conn: Reader, allow_id: int) -> DomainAllow | None:
    async with conn.execute(
        f"SELECT {_ALLOW_COLUMNS} FROM domain_allows WHERE id = ?", (allow_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return _allow(row) if row is not None else None


def insert_block(
    conn: Connection,
    domain: str,
    fields: BlockFields,
    *,
    source: str,
    source_detail: str,
    created_by_id: int | None,
    now: str,
) -> int:
    block_id = new_id()
    conn.execute(
        f"INSERT INTO domain_blocks ({_BLOCK_COLUMNS}) VALUES ({', '.join('?' * 14)})",
        (
            block_id,
            domain,
            fields.severity,
            now,
            int(fields.reject_media),
            int(fields.reject_reports),
            int(fields.obfuscate),
            fields.private_comment,
            fields.public_comment,
            source,
            source_detail,
            created_by_id,
            now,
            now,
        ),
    )
    bump_generation(conn, now)
    return block_id


def update_block(conn: Connection, block_id: int, fields: BlockFields, now: str) -> None:
    conn.execute(
        "UPDATE domain_blocks"
        " SET severity_at = CASE WHEN severity <> ? THEN ? ELSE severity_at END, severity = ?,"
        " reject_media = ?, reject_reports = ?, obfuscate = ?, private_comment = ?,"
        " public_comment = ?, updated_at = ? WHERE id = ?",
        (
            fields.severity,
            now,
            fields.severity,
            int(fields.reject_media),
            int(fields.reject_reports),
            int(fields.obfuscate),
            fields.private_comment,
            fields.public_comment,
            now,
            block_id,
        ),
    )
    bump_generation(conn, now)


def delete_block(conn: Connection, block_id: int, now: str) -> bool:
    deleted = conn.execute("DELETE FROM domain_blocks WHERE id = ?", (block_id,)).rowcount > 0
    bump_generation(conn, now)
    return deleted


def insert_allow(
    conn: Connection,
    domain: str,
    *,
    source: str,
    source_detail: str,
    created_by_id: int | None,
    now: str,
) -> int:
    """The allow's id (an existing allow of the same domain is kept and its id returned)."""
    row = conn.execute("SELECT id FROM domain_allows WHERE domain = ?", (domain,)).fetchone()
    if row is not None:
        return int(row["id"])
    allow_id = new_id()
    conn.execute(
        f"INSERT INTO domain_allows ({_ALLOW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
        (allow_id, domain, source, source_detail, created_by_id, now),
    )
    bump_generation(conn, now)
    return allow_id


def delete_allow(conn: Connection, allow_id: int, now: str) -> bool:
    deleted = conn.execute("DELETE FROM domain_allows WHERE id = ?", (allow_id,)).rowcount > 0
    bump_generation(conn, now)
    return deleted


async def blocks_page(conn: Reader, page: Page) -> list[DomainBlock]:
    """Newest first, as Mastodon lists them."""
    clause, args, order = paging(page, "id")
    async with conn.execute(
        f"SELECT {_BLOCK_COLUMNS} FROM domain_blocks WHERE 1 = 1{clause}"
        f" ORDER BY id {order} LIMIT ?",
        (*args, page.limit),
    ) as cursor:
        found = [_block(row) for row in await cursor.fetchall()]
    return sorted(found, key=lambda b: b.id, reverse=True)


async def allows_page(conn: Reader, page: Page) -> list[DomainAllow]:
    clause, args, order = paging(page, "id")
    async with conn.execute(
        f"SELECT {_ALLOW_COLUMNS} FROM domain_allows WHERE 1 = 1{clause}"
        f" ORDER BY id {order} LIMIT ?",
        (*args, page.limit),
    ) as cursor:
        found = [_allow(row) for row in await cursor.fetchall()]
    return sorted(found, key=lambda a: a.id, reverse=True)


async def block_of(conn: Reader, domain: str) -> DomainBlock | None:
    """The block of exactly this domain."""
    async with conn.execute(
        f"SELECT {_BLOCK_COLUMNS} FROM domain_blocks WHERE domain = ?", (domain,)
    ) as cursor:
        row = await cursor.fetchone()
    return _block(row) if row is not None else None

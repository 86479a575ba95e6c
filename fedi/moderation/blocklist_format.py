"""Blocklists as files: Mastodon's CSV export format (`#domain,#severity,#reject_media,
#reject_reports,#public_comment,#obfuscate`, also its older header-less `domain` and
`domain,severity` lists) and the public JSON of /api/v1/instance/domain_blocks that partners
publish. Reading either gives Listed entries or a BlocklistError naming the bad line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from fedi.core.models import DomainBlock
from fedi.db.blocklists import Listed
from fedi.transport.domains import DomainError, normalize_domain

HEADER = ("#domain", "#severity", "#reject_media", "#reject_reports", "#public_comment",
          "#obfuscate")  # fmt: skip
SEVERITIES = ("noop", "silence", "suspend")
MAX_ENTRIES = 100_000
MAX_COMMENT = 1000


class BlocklistError(ValueError):
    """A blocklist that cannot be read; nothing of it is used."""


def _flag(text: str, line: int, name: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no", ""):
        return False
    raise BlocklistError(f"line {line}: {name} must be true or false, not {text[:40]!r}")


def _domain(text: str, line: int) -> str:
    if "*" in text.strip().lstrip("*."):
        raise BlocklistError(f"line {line}: {text.strip()[:80]!r} is obfuscated, not a domain")
    try:
        return normalize_domain(text)
    except DomainError as exc:
        raise BlocklistError(f"line {line}: {exc}") from None


def _severity(text: str, line: int) -> str:
    value = text.strip().lower() or "suspend"
    if value not in SEVERITIES:
        raise BlocklistError(f"line {line}: severity must be one of {', '.join(SEVERITIES)}")
    return value


def parse_csv(text: str) -> list[Listed]:
    """Every entry of a CSV blocklist, or BlocklistError for the first bad line; a domain given
    twice keeps its last line."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or all(not any(c.strip() for c in row) for row in rows):
        raise BlocklistError("the file holds no domains")
    header = [c.strip().lower() for c in rows[0]]
    named = header and header[0] in ("#domain", "domain")
    columns = [c.lstrip("#") for c in header] if named else ["domain", "severity"][: len(rows[0])]
    if named and "domain" not in columns[:1]:
        raise BlocklistError("line 1: the first column must be #domain")
    unknown = set(columns) - {h.lstrip("#") for h in HEADER}
    if unknown:
        raise BlocklistError(f"line 1: unknown column {sorted(unknown)[0]!r}")
    found: dict[str, Listed] = {}
    for number, row in enumerate(rows[1:] if named else rows, start=2 if named else 1):
        if not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if len(row) > len(columns):
            raise BlocklistError(f"line {number}: {len(row)} columns where the header has "
                                 f"{len(columns)}")  # fmt: skip
        cells = dict(zip(columns, row, strict=False))
        comment = cells.get("public_comment", "").strip()
        if len(comment) > MAX_COMMENT:
            raise BlocklistError(f"line {number}: the comment is longer than {MAX_COMMENT}")
        listed = Listed(
            domain=_domain(cells["domain"], number),
            severity=_severity(cells.get("severity", ""), number),
            reject_media=_flag(cells.get("reject_media", ""), number, "reject_media"),
            reject_reports=_flag(cells.get("reject_reports", ""), number, "reject_reports"),
            public_comment=comment,
            obfuscate=_flag(cells.get("obfuscate", ""), number, "obfuscate"),
        )
        found.pop(listed.domain, None)
        found[listed.domain] = listed
        if len(found) > MAX_ENTRIES:
            raise BlocklistError(f"more than {MAX_ENTRIES} domains")
    if not found:
        raise BlocklistError("the file holds no domains")
    return list(found.values())


def parse_published(body: bytes) -> tuple[list[Listed], list[str]]:
    """A partner's published list, JSON (Mastodon's public domain_blocks) or CSV: the importable
    entries, and the entries published obfuscated (shown as published, digest-only)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BlocklistError("the blocklist is not UTF-8 text") from None
    if not text.lstrip().startswith("["):
        return parse_csv(text), []
    try:
        data = json.loads(text)
    except ValueError:
        raise BlocklistError("the blocklist is not valid JSON") from None
    found: dict[str, Listed] = {}
    hidden: list[str] = []
    for index, item in enumerate(data if isinstance(data, list) else [], start=1):
        if not isinstance(item, dict) or not isinstance(item.get("domain"), str):
            raise BlocklistError(f"entry {index}: no domain")
        severity = item.get("severity")
        if severity not in ("silence", "suspend", "noop"):
            raise BlocklistError(f"entry {index}: unknown severity {str(severity)[:20]!r}")
        if "*" in item["domain"]:
            hidden.append(str(item["domain"])[:260])
            continue
        comment = item.get("comment")
        found[_domain(item["domain"], index)] = Listed(
            domain=_domain(item["domain"], index),
            severity=severity,
            public_comment=comment[:MAX_COMMENT] if isinstance(comment, str) else "",
        )
    if len(found) > MAX_ENTRIES:
        raise BlocklistError(f"more than {MAX_ENTRIES} domains")
    return list(found.values()), hidden


def _bool(value: bool) -> str:
    return "true" if value else "false"


def export_csv(blocks: Iterable[DomainBlock]) -> str:
    """The instance's blocks in Mastodon's export format."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for block in sorted(blocks, key=lambda b: b.domain):
        writer.writerow([block.domain, block.severity, _bool(block.reject_media),
                         _bool(block.reject_reports), block.public_comment,
                         _bool(block.obfuscate)])  # fmt: skip
    return out.getvalue()

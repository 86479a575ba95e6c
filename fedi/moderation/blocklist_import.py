"""Importing a blocklist file (Mastodon's CSV): a plan first (what each line would change),
then applying it through fedi.moderation.domain_rules with source 'import'. A line that would weaken
a stricter manual block is held back unless the moderator confirms it."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.context import Context
from fedi.core.models import Account, DomainBlock
from fedi.core.timeutil import to_db, utcnow
from fedi.db import domain_rules as rules
from fedi.db.blocklists import Listed
from fedi.db.domain_rules import BlockFields
from fedi.moderation.audit import record
from fedi.moderation.domain_rules import block_domain, checked_domain, weakens


@dataclass(frozen=True)
class Planned:
    """One line of the file and what it would do: 'new', 'update', 'same', 'weaker' (would
    weaken a stricter manual block: skipped unless confirmed) or 'refused' (e.g. our domain)."""

    listed: Listed
    kind: str
    existing: DomainBlock | None
    note: str = ""


def fields_of(listed: Listed, existing: DomainBlock | None = None) -> BlockFields:
    return BlockFields(
        severity=listed.severity,
        reject_media=listed.reject_media,
        reject_reports=listed.reject_reports,
        obfuscate=listed.obfuscate,
        private_comment=existing.private_comment if existing else "",
        public_comment=listed.public_comment,
    )


def _same(block: DomainBlock, fields: BlockFields) -> bool:
    return (block.severity, block.reject_media, block.reject_reports, block.obfuscate,
            block.public_comment) == (fields.severity, fields.reject_media, fields.reject_reports,
                                      fields.obfuscate, fields.public_comment)  # fmt: skip


async def plan_import(context: Context, entries: list[Listed]) -> list[Planned]:
    async with context.db.read() as conn:
        existing = {b.domain: b for b in await rules.all_blocks(conn)}
    plan: list[Planned] = []
    for listed in entries:
        try:
            checked_domain(context, listed.domain)
        except Exception as exc:  # DomainRuleError: our own domain
            plan.append(Planned(listed, "refused", None, str(exc)))
            continue
        old = existing.get(listed.domain)
        fields = fields_of(listed, old)
        if old is None:
            plan.append(Planned(listed, "new", None))
        elif _same(old, fields):
            plan.append(Planned(listed, "same", old))
        elif old.source == "manual" and weakens(old, fields):
            plan.append(Planned(listed, "weaker", old))
        else:
            plan.append(Planned(listed, "update", old))
    return plan


async def apply_import(
    context: Context,
    actor: Account | None,
    entries: list[Listed],
    file_name: str,
    *,
    include_weaker: bool = False,
) -> dict[str, int]:
    """Write the plan; the counts of each kind written or skipped."""
    detail = f"{file_name or 'pasted list'} ({utcnow().strftime('%Y-%m-%d')})"
    counts = {"new": 0, "update": 0, "same": 0, "weaker": 0, "refused": 0, "skipped": 0}
    for planned in await plan_import(context, entries):
        counts[planned.kind] += 1
        if planned.kind in ("same", "refused") or (planned.kind == "weaker" and not include_weaker):
            counts["skipped"] += planned.kind == "weaker"
            continue
        await block_domain(
            context,
            actor,
            planned.listed.domain,
            fields_of(planned.listed, planned.existing),
            source="import",
            source_detail=detail,
            reason=f"imported from {detail}",
        )
    now = to_db(utcnow())
    await context.db.write(
        lambda conn: record(
            conn,
            actor,
            "import_domain_blocks",
            target_type="instance",
            target_id=None,
            target_label=detail,
            details=counts,
            now=now,
        )
    )
    return counts

"""Which organisation each member belongs to, imported from the network's own membership list.

One-response-per-organisation surveys, and breakdowns by organisation type and region, need
this; the same organisation row serves a member's Slack and Teams identities alike, so an
organisation that answered in Teams has answered in Slack too.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.text import clean_text
from storage.models import Organisation
from storage.repositories.surveys import member_for

PLATFORMS = ("slack", "teams")
COLUMNS = ("platform", "user_id", "organisation", "kind", "region")


class MemberListError(ValueError):
    """A membership file that can't be used; the message names the line and the fault."""


@dataclass(frozen=True)
class MemberRow:
    platform: str
    user_id: str
    organisation: str
    kind: str | None
    region: str | None


def read_member_list(path: Path) -> list[MemberRow]:
    """Read and check every line before anything is stored, so a bad file changes nothing."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ("user_id", "organisation") if c not in (reader.fieldnames or [])]
            if missing:
                raise MemberListError(
                    f"{path.name}: the header needs columns {', '.join(COLUMNS)} "
                    f"(missing {', '.join(missing)})"
                )
            rows = []
            for number, raw in enumerate(reader, start=2):
                rows.append(_row(path.name, number, raw))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise MemberListError(f"{path.name}: can't read it ({error})") from None
    return rows


def _row(name: str, number: int, raw: dict[str, str | None]) -> MemberRow:
    def field(key: str, limit: int) -> str:
        value = clean_text(raw.get(key) or "").strip()
        if len(value) > limit:
            raise MemberListError(f"{name}, line {number}: {key} is longer than {limit} characters")
        return value

    platform = field("platform", 20).lower() or "slack"
    if platform not in PLATFORMS:
        raise MemberListError(f"{name}, line {number}: platform must be slack or teams")
    user_id = field("user_id", 255)
    organisation = field("organisation", 200)
    if not user_id or not organisation:
        raise MemberListError(f"{name}, line {number}: user_id and organisation are required")
    return MemberRow(
        platform, user_id, organisation, field("kind", 100) or None, field("region", 100) or None
    )


async def import_members(session: AsyncSession, rows: list[MemberRow]) -> tuple[int, int]:
    """Link each member to their organisation (created by name if new); returns the number of
    members and of organisations touched."""
    organisations: dict[str, Organisation] = {}
    for row in rows:
        organisation = organisations.get(row.organisation) or await session.scalar(
            select(Organisation).where(Organisation.name == row.organisation)
        )
        if organisation is None:
            organisation = Organisation(name=row.organisation)
            session.add(organisation)
            await session.flush()
        organisation.kind = row.kind or organisation.kind
        organisation.region = row.region or organisation.region
        organisations[row.organisation] = organisation
        member = await member_for(session, platform=row.platform, team_id="", user_id=row.user_id)
        member.organisation_id = organisation.id
    return len(rows), len(organisations)

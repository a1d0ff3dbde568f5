"""`sectorbot members import`: organisations from the network's list, shared across platforms,
so one-response-per-organisation holds whichever platform a colleague answers on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.members import MemberListError, import_members, read_member_list
from bot.services import Services
from storage.models import Member, Organisation

CSV = """platform,user_id,organisation,kind,region
slack,UALICE01,Open Book Learning,small-charity,north-west
teams,00000000-aaaa-bbbb-cccc-000000000001,Open Book Learning,,
,UBOBBY02,Arts Inside,social-enterprise,london
"""


async def test_members_are_linked_to_one_organisation_across_platforms(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "members.csv"
    path.write_text(CSV)
    async with services.sessions.begin() as session:
        assert await import_members(session, read_member_list(path)) == (3, 2)
    async with services.sessions() as session:
        organisations = {o.name: o for o in (await session.scalars(select(Organisation))).all()}
        members = (await session.scalars(select(Member).order_by(Member.id))).all()
    book = organisations["Open Book Learning"]
    assert (book.kind, book.region) == ("small-charity", "north-west")
    assert [(m.platform, m.organisation_id) for m in members] == [
        ("slack", book.id),
        ("teams", book.id),
        ("slack", organisations["Arts Inside"].id),
    ]


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("user_id,name\nU1,X\n", "missing organisation"),
        ("platform,user_id,organisation\nfax,U1,X\n", "line 2: platform must be slack or teams"),
        ("user_id,organisation\nU1,\n", "line 2: user_id and organisation are required"),
    ],
)
def test_a_bad_file_is_refused_naming_the_line(tmp_path: Path, text: str, fault: str) -> None:
    path = tmp_path / "members.csv"
    path.write_text(text)
    with pytest.raises(MemberListError, match=fault):
        read_member_list(path)

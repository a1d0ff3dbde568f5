"""The console's outbox Sender: outcomes the outbox understands, and the one-line summary of
posts delivered elsewhere."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.demo_seed import MEMBERS
from bot.messages import Message, Paragraph, plain
from handlers.console import world
from handlers.console.delivery import Conversations, summary
from tests.console.dialogue import check_dialogue, queue_post, run_script

AT = datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Europe/London"))


def test_the_summary_names_who_and_where_and_how_to_read_them() -> None:
    posts = Conversations()
    _, ben, chidi = MEMBERS
    for person in (ben, chidi, ben):
        posts.add(world.dm_of(person), plain("invitation"), AT, "survey.invite")
    vetting = world.find_place("vetting-forum")
    assert vetting is not None
    posts.add(vetting, plain("update"), AT, "update")

    assert summary(posts.unmentioned()) == (
        "Also delivered: 3 DMs to Ben and Chidi; 1 post to #vetting-forum. "
        "/in #vetting-forum to read it; /as member Ben to read Ben's DMs."
    )
    assert posts.unmentioned() == []  # summarised once
    assert len(posts.unread()) == 4  # ... but still there to read
    coordinator = world.dm_of(world.coordinator())
    posts.add(coordinator, plain("notice"), AT, "notice")
    assert summary(posts.unmentioned()) == (
        "Also delivered: 1 DM to Ruth. /as coordinator to read Ruth's DMs."
    )


def test_a_post_to_no_conversation_fails_and_the_coordinators_are_told(tmp_path: Path) -> None:
    lost = Message(text="Lost", blocks=(Paragraph("Lost"),))
    queue_post(
        tmp_path / "demo.db",
        key="test-console:nowhere",
        kind="update",
        conversation="CNOWHERE",
        message=lost,
    )

    run = run_script(tmp_path, "/as coordinator\n/in #coordinators\n")

    assert run.status == 0, run.transcript
    check_dialogue(
        run,
        [
            (
                "/in #coordinators",
                [
                    "sectorbot → #coordinators · Mon 23 Nov 2026, 08:30",
                    "I couldn't post a sector update to #CNOWHERE",
                    "not part of the demo's network",
                ],
            )
        ],
    )
    assert run.rows("SELECT state, error FROM outbox WHERE key = 'test-console:nowhere'") == [
        ("failed", "no conversation CNOWHERE")
    ]
    assert run.rows("SELECT state, platform FROM outbox WHERE kind = 'notice'") == [
        ("sent", "console")
    ]

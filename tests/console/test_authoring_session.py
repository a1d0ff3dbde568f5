"""The coordinator writes and schedules an update with the same form as Slack's modal, as
prompts; after the clock passes its time, members see it."""

from __future__ import annotations

from pathlib import Path

from tests.console.dialogue import check_dialogue, run_script

AUTHORING_SCRIPT = """\
/as coordinator
/dps-update new
2
Call-out: creative writing at HMP Leeds
HMP Leeds wants a creative writing course for 12 learners, one morning a week from March.
Up to *£22,000 a year*. Expressions of interest through the DPS portal by 14 December.
.
https://www.contractsfinder.service.gov.uk/
2026-12-14
2026-11-24 10:00
1
/dps-update scheduled
/as member Asha
/dps-update commissioning
/clock 2026-11-24T10:30
/dps-update commissioning
"""

AUTHORING_DIALOGUE = [
    (
        "/dps-update new",
        [
            "New update",
            "[2] DPS commissioning",
            "› 2026-11-24 10:00",  # the form's prompts and answers belong to this turn
            "Preview: this is how members will see it. Nothing has been sent yet.",
            "Up to £22,000 a year.",
            "Deadline: Mon 14 Dec 2026",
            "[1] Schedule for Tue 24 Nov 2026, 10:00 [2] Edit [3] Discard",
        ],
    ),
    ("1", ["Ruth chose: Schedule for Tue 24 Nov 2026, 10:00", "Scheduled."]),
    ("/dps-update scheduled", ["Call-out: creative writing at HMP Leeds", "Withdraw"]),
    ("/dps-update commissioning", ["!creative writing"]),
    ("/clock 2026-11-24T10:30", ["It is now Tue 24 Nov 2026, 10:30."]),
    ("/dps-update commissioning", ["Call-out: creative writing at HMP Leeds", "£22,000"]),
]


def test_the_coordinator_schedules_an_update_and_members_see_it_when_due(tmp_path: Path) -> None:
    run = run_script(tmp_path, AUTHORING_SCRIPT)

    assert run.status == 0, run.transcript
    check_dialogue(run, AUTHORING_DIALOGUE)
    row = run.rows(
        "SELECT topic, author, deadline, link FROM updates WHERE title LIKE 'Call-out: creative%'"
    )
    assert row == [
        (
            "dps-commissioning",
            "UDEMORUTH",
            "2026-12-14",
            "https://www.contractsfinder.service.gov.uk/",
        )
    ]
    publish_at = run.scalar("SELECT publish_at FROM updates WHERE title LIKE 'Call-out: cre%'")
    assert str(publish_at).startswith("2026-11-24 10:00")  # stored in UTC; London is on GMT
    assert "Traceback" not in run.transcript

"""Posts through the production outbox: a scheduled update reaches the channels that follow its
topic once, the weekly digest reaches #network-news on Monday at 09:00, paced posts all go out,
and what lands elsewhere is one line until someone goes to read it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.console.dialogue import check_dialogue, run_script

SCHEDULING_SCRIPT = """\
/as coordinator
/dps-update new
3
Vetting clinic: bring your stuck applications
Our vetting lead will look at applications that have waited more than 12 weeks.
Send the applicant's reference, not their name.
.


2026-11-25 14:00
1
/clock 2026-11-25T15:00
/dps-update scheduled
/in #vetting-forum
/in #vetting-forum
"""

SCHEDULING_DIALOGUE = [
    ("/dps-update new", ["New update", "[3] Security vetting", "Preview"]),
    ("1", ["Ruth chose: Schedule for Wed 25 Nov 2026, 14:00", "Scheduled."]),
    (
        "/clock 2026-11-25T15:00",
        [
            # In #network-news, where the coordinator is, the post is shown in full ...
            "sectorbot → #network-news · Wed 25 Nov 2026, 14:00",
            "Sector update: Security vetting",
            "Vetting clinic: bring your stuck applications",
            "Send the applicant's reference, not their name.",
            # ... and the copy in #vetting-forum, like Tuesday's workshop post, is one line.
            "Also delivered: 6 DMs to Asha, Ben and Chidi; 2 posts to #vetting-forum.",
            "/in #vetting-forum to read them",
            "It is now Wed 25 Nov 2026, 15:00.",
        ],
    ),
    ("/dps-update scheduled", ["!Vetting clinic"]),
    (
        "/in #vetting-forum",
        [
            "You are now in #vetting-forum.",
            "sectorbot → #vetting-forum · Tue 24 Nov 2026, 09:00",
            "Vetting workshop, 8 December",
            "sectorbot → #vetting-forum · Wed 25 Nov 2026, 14:00",
            "Vetting clinic: bring your stuck applications",
        ],
    ),
    # Read once: going there again shows nothing new.
    ("/in #vetting-forum", ["You are now in #vetting-forum.", "!Vetting clinic"]),
]


def test_a_scheduled_update_is_posted_once_to_each_following_channel(tmp_path: Path) -> None:
    run = run_script(tmp_path, SCHEDULING_SCRIPT)

    assert run.status == 0, run.transcript
    check_dialogue(run, SCHEDULING_DIALOGUE)
    # Posted once in each channel, however many ticks the walk took.
    assert run.transcript.count("sectorbot → #network-news · Wed 25 Nov 2026, 14:00") == 1
    assert run.transcript.count("sectorbot → #vetting-forum · Wed 25 Nov 2026, 14:00") == 1
    update_id, state, posted_at = run.rows(
        "SELECT id, state, posted_at FROM updates WHERE title LIKE 'Vetting clinic%'"
    )[0]
    assert state == "posted"
    assert str(posted_at).startswith("2026-11-25 14:00")
    sent = run.rows(
        "SELECT conversation, state, attempts, message_ts FROM outbox "
        "WHERE kind = 'update' AND key LIKE ? ORDER BY conversation",
        f"update:{update_id}:%",
    )
    assert sent == [
        ("CDEMONEWS", "sent", 1, sent[0][3]),
        ("CDEMOVETTING", "sent", 1, sent[1][3]),
    ]
    assert all(ts.startswith("console-") for *_, ts in sent)
    assert "Traceback" not in run.transcript


DIGEST_SCRIPT = """\
/as coordinator
/digest
/clock 2026-11-23T09:00
/clock 2026-11-30T09:00
/in dm
/digest
/as member Asha
/digest
"""

DIGEST_DIALOGUE = [
    (
        "/digest",
        [
            "Digest preview for #network-news · only you can see this · nothing is posted",
            "Weekly digest: Mon 23 Nov 2026",
            "5 updates since Mon 16 Nov 2026.",
            "Indicative DPS budgets for 2027-28",
            "!does not get the weekly digest",
        ],
    ),
    (
        "/clock 2026-11-23T09:00",
        [
            "sectorbot → #network-news · Mon 23 Nov 2026, 09:00",
            "Weekly digest: Mon 23 Nov 2026",
            "Open surveys",
            "Deadlines in the next 14 days",
            "Also delivered: 6 DMs to Asha, Ben and Chidi.",
        ],
    ),
    (
        "/clock 2026-11-30T09:00",
        [
            "sectorbot → #network-news · Tue 24 Nov 2026, 09:00",
            "Vetting workshop, 8 December",
            "sectorbot → #network-news · Mon 30 Nov 2026, 09:00",
            "Weekly digest: Mon 30 Nov 2026",
            "1 update since Mon 23 Nov 2026.",
            "!5 updates since",
            "It is now Mon 30 Nov 2026, 09:00.",
        ],
    ),
    # From the DM, the preview is #network-news's, covering what came since its last digest.
    (
        "/digest",
        [
            "Digest preview for #network-news",
            "0 updates since Mon 30 Nov 2026.",
            "No new updates this week.",
            "!does not get",
        ],
    ),
    ("/digest", ["Only coordinators can preview the weekly digest."]),
]


def test_the_weekly_digest_reaches_network_news_on_monday_at_nine(tmp_path: Path) -> None:
    run = run_script(tmp_path, DIGEST_SCRIPT)

    assert run.status == 0, run.transcript
    check_dialogue(run, DIGEST_DIALOGUE)
    # The preview queued nothing; each Monday's digest was queued and sent once.
    digests = run.rows(
        "SELECT key, conversation, state, sent_at FROM outbox WHERE kind = 'digest' ORDER BY id"
    )
    assert [(key.split(":")[-1], where, state) for key, where, state, _ in digests] == [
        ("2026-W48", "CDEMONEWS", "sent"),
        ("2026-W49", "CDEMONEWS", "sent"),
    ]
    assert [str(at)[:16] for *_, at in digests] == ["2026-11-23 09:00", "2026-11-30 09:00"]
    assert "Traceback" not in run.transcript


def test_paced_posts_to_one_conversation_all_go_out_a_second_apart(tmp_path: Path) -> None:
    """Each member has two invitations due at 09:00; the outbox sends one per conversation per
    second, so the demo ticks on until the second has gone too."""
    run = run_script(tmp_path, "/in dm\n/clock +1h\n")

    assert run.status == 0, run.transcript
    times = run.rows(
        "SELECT sent_at FROM outbox WHERE kind = 'survey.invite' AND conversation LIKE '%ASHA' "
        "ORDER BY sent_at"
    )
    sent = [datetime.fromisoformat(str(at)) for (at,) in times]
    assert len(sent) == 2
    assert (sent[1] - sent[0]).total_seconds() == 1
    assert run.scalar("SELECT count(*) FROM outbox WHERE state != 'sent'") == 0
    asha = run.turns()[-1]
    assert asha.answer.count("sectorbot → DM with Asha") == 2
    assert "Also delivered: 4 DMs to Ben and Chidi; 1 post to #network-news." in asha.flat


PUBLISH_NOW_SCRIPT = """\
/in #vetting-forum
/as coordinator
/dps-update new
3
Vetting clinic today
Drop in from 14:00 with applications that have waited more than 12 weeks.
.



1
/in #network-news
"""


def test_an_update_published_now_goes_out_straight_after_the_command(tmp_path: Path) -> None:
    run = run_script(tmp_path, PUBLISH_NOW_SCRIPT)

    assert run.status == 0, run.transcript
    check_dialogue(
        run,
        [
            (
                "1",
                [
                    "Ruth chose: Publish now",
                    "Published.",
                    "sectorbot → #vetting-forum · Mon 23 Nov 2026, 08:30",
                    "Sector update: Security vetting",
                    "Also delivered: 1 post to #network-news. /in #network-news to read it.",
                ],
            ),
            ("/in #network-news", ["sectorbot → #network-news", "Vetting clinic today"]),
        ],
    )
    assert run.rows(
        "SELECT conversation, state FROM outbox WHERE kind = 'update' ORDER BY conversation"
    ) == [("CDEMONEWS", "sent"), ("CDEMOVETTING", "sent")]

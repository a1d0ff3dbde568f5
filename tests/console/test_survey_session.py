"""Surveys in the demo: invitations arrive with working hours, a member starts answering, the
coordinator watches progress, time runs to the close, and the report's files are saved."""

from __future__ import annotations

from pathlib import Path

from tests.console.dialogue import check_dialogue, run_script

SURVEY_SCRIPT = """\
/in dm
/clock +1h
/dps-update survey
2
5
/as coordinator
/dps-update survey progress vetting-experience
/dps-update survey report vetting-experience
/clock 2026-12-11T18:00
/dps-update survey list
/dps-update survey report vetting-experience
"""

SURVEY_DIALOGUE = [
    ("/in dm", ["You are now in DM with Asha.", "!Still waiting"]),
    (
        "/clock +1h",
        [
            # Invitations wait for the working day (09:00), then arrive in each member's DM.
            "sectorbot → DM with Asha · Mon 23 Nov 2026, 09:00",
            "Your experience of the prison education Dynamic Purchasing System",
            "Your experience of vetting for prison and probation work",
            "[1] Start [2] Not now [3] No thanks",
            # Other people's DMs, and the digest in a channel Asha is not in, in one line.
            "!sectorbot → DM with Chidi",
            "Also delivered: 4 DMs to Ben and Chidi; 1 post to #network-news.",
            "It is now Mon 23 Nov 2026, 09:30.",
        ],
    ),
    ("/dps-update survey", ["Your surveys", "[1] Start", "[2] Start"]),
    ("2", ["Asha chose: Start", "question 1 of", "Which best describes your organisation?"]),
    ("5", ["Asha chose: Community interest company (CIC)"]),
    (
        "/dps-update survey progress vetting-experience",
        ["Invited: 3", "Started, not finished: 1", "Completed: 0"],
    ),
    ("/dps-update survey report vetting-experience", ["stay hidden until it closes"]),
    ("/clock 2026-12-11T18:00", ["It is now Fri 11 Dec 2026, 18:00."]),
    ("/dps-update survey list", ["vetting-experience", "closed"]),
    (
        "/dps-update survey report vetting-experience",
        ["The collated answers", "Saved", "vetting-experience-report.html"],
    ),
]


def test_a_survey_from_invitation_to_report(tmp_path: Path) -> None:
    run = run_script(tmp_path, SURVEY_SCRIPT)

    assert run.status == 0, run.transcript
    check_dialogue(run, SURVEY_DIALOGUE)
    assert "Traceback" not in run.transcript
    assert run.rows("SELECT name, state FROM surveys ORDER BY name") == [
        ("dps-experience", "closed"),
        ("vetting-experience", "closed"),
    ]
    assert run.scalar("SELECT count(*) FROM invitations") == 6
    invites = run.rows("SELECT state, count(*) FROM outbox WHERE kind = 'survey.invite' GROUP BY 1")
    assert invites == [("sent", 6)]
    assert run.scalar("SELECT count(*) FROM audit_log WHERE action = 'survey.report'") == 1
    reports = tmp_path / "demo-reports"
    assert sorted(p.name for p in reports.iterdir()) == [
        "vetting-experience-report.html",
        "vetting-experience-responses.csv",
    ]


ANSWERING_SCRIPT = """\
/as member Ben
/clock +1h
/in dm
/dps-update survey
2
2
7
2
3
1
4
2
3
1
One national contact for questions while an application is waiting.
It would save weeks.
.
10
/as coordinator
/dps-update survey progress vetting-experience
"""

ANSWERING_DIALOGUE = [
    # Ben is in #network-news: his own invitations are shown in full there, as they arrive.
    (
        "/clock +1h",
        [
            "sectorbot → DM with Ben · Mon 23 Nov 2026, 09:00",
            "Your experience of vetting for prison and probation work",
            "Also delivered: 4 DMs to Asha and Chidi.",
        ],
    ),
    ("/in dm", ["You are now in DM with Ben.", "Still waiting for an answer here:"]),
    ("2", ["question 1 of 9", "Which best describes your organisation?"]),
    ("2", ["Saved: Medium charity (£100k to £1m)", "question 2 of 9"]),
    ("7", ["Saved: London", "question 3 of 9"]),
    ("1", ["Saved: Yes", "question 6 of 9"]),
    ("3", ["Saved: 3 – Fairly clearly", "question 9 of 9"]),
    (
        "1",
        [
            "What would make vetting work better",
            "Saved: One national contact",
            "Check your answers",
            "Which best describes your organisation? Medium charity",
            "[10] Submit",
        ],
    ),
    ("10", ["Ben chose: Submit", "Thank you"]),
    ("/dps-update survey progress vetting-experience", ["Completed: 1"]),
]


def test_a_member_answers_a_survey_from_the_invitation_to_submission(tmp_path: Path) -> None:
    run = run_script(tmp_path, ANSWERING_SCRIPT)

    assert run.status == 0, run.transcript
    check_dialogue(run, ANSWERING_DIALOGUE)
    assert "Traceback" not in run.transcript
    # Submitted anonymously: the answers without a name, Ben's drafts gone, his invitation done.
    answers = run.rows(
        "SELECT r.answers, r.member_id FROM survey_responses r "
        "JOIN surveys s ON s.id = r.survey_id WHERE s.name = 'vetting-experience'"
    )
    assert len(answers) == 1
    assert '"org_type": "medium-charity"' in answers[0][0]
    assert "It would save weeks." in answers[0][0]
    assert answers[0][1] is None
    assert run.scalar("SELECT count(*) FROM draft_answers") == 0
    assert run.rows(
        "SELECT i.state FROM invitations i JOIN surveys s ON s.id = i.survey_id "
        "JOIN members m ON m.id = i.member_id "
        "WHERE s.name = 'vetting-experience' AND m.user_id = 'UDEMOBEN'"
    ) == [("completed",)]

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
            "sectorbot → DM with Chidi",
            "Your experience of vetting for prison and probation work",
            "[1] Start [2] Not now [3] No thanks",
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

"""A member's session: the latest updates, one topic, help, who and where, and moving time on."""

from __future__ import annotations

from pathlib import Path

from tests.console.dialogue import check_dialogue, run_script

MEMBER_SCRIPT = """\
# Asha, a member, looks around #network-news
/dps-update
/dps-update budget
/dps-update vetting
/dps-update help
/where
/in dm
/dps-update topics
/as member Chidi
/in #vetting-forum
/clock +1d1h
/dps-update vetting
/clock 2026-11-30T10:00
/dps-update budget
/quit
"""

MEMBER_DIALOGUE = [
    (
        "/dps-update",
        [
            "sectorbot · only you can see this",
            "Latest sector updates",
            "Indicative DPS budgets for 2027-28, prison by prison",
            "Commissioning round 3 for 2027-28: ITT closes 11 December",
            "Security vetting framework: what changes from January",
            "Deadline: Fri 11 Dec 2026",
            "Source (https://www.contractsfinder.service.gov.uk/)",
            # Scheduled for later in the week: not yet visible.
            "!Vetting workshop",
        ],
    ),
    (
        "/dps-update budget",
        ["Latest on DPS budget", "HMP Berwyn: £412,000", "!Security vetting framework"],
    ),
    ("/dps-update vetting", ["Latest on Security vetting", "complex case panel", "!Workshop"]),
    ("/dps-update help", ["How to use /dps-update", "!For coordinators"]),
    ("/where", ["member Asha Patel (Open Book Learning), in #network-news", "Mon 23 Nov 2026"]),
    ("/in dm", ["You are now in DM with Asha."]),
    ("/dps-update topics", ["Topics", "DPS commissioning (dps-commissioning)", "!only you"]),
    ("/as member Chidi", ["You are now member Chidi Eze (Working Futures CIC)."]),
    ("/in #vetting-forum", ["You are now in #vetting-forum."]),
    ("/clock +1d1h", ["It is now Tue 24 Nov 2026, 09:30."]),
    ("/dps-update vetting", ["Vetting workshop, 8 December", "Deadline: Fri 4 Dec 2026"]),
    ("/clock 2026-11-30T10:00", ["It is now Mon 30 Nov 2026, 10:00."]),
    ("/dps-update budget", ["What 'indicative' means for your bid", "HMP Berwyn"]),
]


def test_a_member_reads_updates_moves_about_and_moves_time_on(tmp_path: Path) -> None:
    run = run_script(tmp_path, MEMBER_SCRIPT)

    assert run.status == 0
    check_dialogue(run, MEMBER_DIALOGUE)
    places = [(t.name, t.place) for t in run.turns()]
    assert ("Asha", "#network-news") in places
    assert ("Asha", "DM") in places
    assert ("Chidi", "#vetting-forum") in places
    assert "Goodbye" in run.transcript
    assert "Traceback" not in run.transcript


def test_the_demo_database_holds_the_seeded_network(tmp_path: Path) -> None:
    run = run_script(tmp_path, "/dps-update\n")

    assert run.scalar("SELECT count(*) FROM members WHERE platform = 'console'") == 4
    assert run.rows("SELECT name FROM channels ORDER BY name") == [
        ("coordinators",),
        ("network-news",),
        ("vetting-forum",),
    ]
    followed = run.rows(
        "SELECT c.name, s.topic FROM subscriptions s JOIN channels c ON c.id = s.channel_id "
        "WHERE c.name = 'vetting-forum'"
    )
    assert followed == [("vetting-forum", "vetting")]
    states = dict(run.rows("SELECT state, count(*) FROM updates GROUP BY state"))
    assert states == {"posted": 5, "scheduled": 2}
    assert run.scalar("SELECT count(*) FROM audit_log WHERE action = 'update.add'") == 7
    # Both shipped surveys are open, one invitation per member each, waiting for 09:00.
    assert run.rows("SELECT name, state FROM surveys ORDER BY name") == [
        ("dps-experience", "open"),
        ("vetting-experience", "open"),
    ]
    assert run.rows("SELECT state, count(*) FROM invitations GROUP BY state") == [("invited", 6)]


def test_running_again_on_the_same_database_does_not_seed_twice(tmp_path: Path) -> None:
    run_script(tmp_path, "/quit\n")
    again = run_script(tmp_path, "/dps-update\n")

    assert again.status == 0
    assert again.scalar("SELECT count(*) FROM updates") == 7
    assert "kept at" in again.transcript

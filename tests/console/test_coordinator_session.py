"""The coordinator's session, and switching between the coordinator and members."""

from __future__ import annotations

from pathlib import Path

from tests.console.dialogue import check_dialogue, run_script

COORDINATOR_SCRIPT = """\
/as coordinator
/in #coordinators
/dps-update help
/dps-update commissioning
/in dm
/as member Ben
/dps-update help
/as coordinator
/where
"""

COORDINATOR_DIALOGUE = [
    ("/as coordinator", ["You are now the coordinator Ruth Okafor (Justice Learning Network)."]),
    ("/in #coordinators", ["You are now in #coordinators."]),
    (
        "/dps-update help",
        ["How to use /dps-update", "For coordinators", "/dps-update new", "survey open NAME"],
    ),
    (
        "/dps-update commissioning",
        ["Latest on DPS commissioning", "Call-out: family learning at HMP Styal", "£48,000"],
    ),
    ("/in dm", ["You are now in DM with Ruth."]),
    # Becoming someone else while in a DM moves you to their DM with the bot.
    ("/as member Ben", ["You are now member Ben Hughes"]),
    ("/dps-update help", ["How to use /dps-update", "!For coordinators"]),
    ("/as coordinator", ["You are now the coordinator Ruth Okafor"]),
]


def test_the_coordinator_sees_coordinator_help_and_members_do_not(tmp_path: Path) -> None:
    run = run_script(tmp_path, COORDINATOR_SCRIPT)

    assert run.status == 0
    check_dialogue(run, COORDINATOR_DIALOGUE)
    prompts = [(t.role, t.name, t.place) for t in run.turns()]
    assert ("coordinator", "Ruth", "#coordinators") in prompts
    assert ("member", "Ben", "DM") in prompts
    assert prompts[-1] == ("coordinator", "Ruth", "DM")
    assert "in DM with Ruth" in run.turns()[-1].flat
    # Reading changes nothing: no new updates, no audit entries beyond the seeded ones.
    assert run.scalar("SELECT count(*) FROM updates") == 7
    actions = dict(run.rows("SELECT action, count(*) FROM audit_log GROUP BY action"))
    # The seed's own entries: as if the coordinator had added, subscribed and opened them.
    assert actions == {
        "update.add": 7,
        "survey.open": 2,
        "subscription.add": 5,
        "digest.on": 1,
    }


def test_the_deployers_coordinators_stay_coordinators(tmp_path: Path) -> None:
    from tests.console.dialogue import demo_settings

    run = run_script(tmp_path, "/where\n", demo_settings(SECTORBOT_COORDINATORS="U0REAL1"))

    assert run.status == 0
    assert "Asha Patel" in run.transcript


def test_a_members_report_reaches_the_coordinators_channel(tmp_path: Path) -> None:
    report = "/dps-update report The Leeds budget in the digest differs from the portal's figure."
    script = f"{report}\n/as coordinator\n/in #coordinators\n"
    run = run_script(tmp_path, script)

    assert run.status == 0, run.transcript
    check_dialogue(
        run,
        [
            (report, ["Thank you.", "Also delivered: 1 post to #coordinators.", "!A member"]),
            ("/as coordinator", ["!A member reported"]),
            (
                "/in #coordinators",
                [
                    "sectorbot → #coordinators · Mon 23 Nov 2026, 08:30",
                    "A member reported a confusing or conflicting message",
                    "The Leeds budget in the digest differs",
                ],
            ),
        ],
    )
    # Queued on the platform it was reported from, and sent there by the console's sender.
    assert run.rows("SELECT platform, state FROM outbox WHERE kind = 'concern.notify'") == [
        ("console", "sent")
    ]

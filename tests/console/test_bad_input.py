"""Whatever is typed, the answer is a plain sentence and the demo carries on."""

from __future__ import annotations

from pathlib import Path

from tests.console.dialogue import check_dialogue, run_script

BAD_SCRIPT = """\

hello bot
/frobnicate now
3
/press
/press two
/as member Zed
/as
/in #nowhere
/in
/clock -1d
/clock next tuesday
/clock +20000d
/cancel
/dps-update vetting
"""

BAD_DIALOGUE = [
    ("", ["Type a command, or a number to press a button. /help lists them."]),
    ("hello bot", ["Messages aren't read here."]),
    ("/frobnicate now", ["There is no /frobnicate here. Type /help to see what you can do."]),
    ("3", ["There is nothing to press in #network-news just now."]),
    ("/press", ["Say which button, by its number: /press 1."]),
    ("/press two", ["Say which button, by its number"]),
    ("/as member Zed", ["There is no member called Zed.", "Asha, Ben, Chidi"]),
    ("/as", ["Try /as member NAME (Asha, Ben, Chidi) or /as coordinator."]),
    ("/in #nowhere", ["There is no channel called #nowhere.", "#vetting-forum"]),
    ("/in", ["Try /in dm, or one of #network-news"]),
    ("/clock -1d", ["The demo's clock only moves forwards."]),
    ("/clock next tuesday", ["Move the clock on with /clock +7d"]),
    ("/clock +20000d", ["more than a year ahead"]),
    ("/cancel", ["There is no form open."]),
    # ...and after all that, the bot still answers.
    ("/dps-update vetting", ["Latest on Security vetting"]),
]


def test_bad_input_gets_a_plain_sentence_and_the_demo_carries_on(tmp_path: Path) -> None:
    run = run_script(tmp_path, BAD_SCRIPT)

    assert run.status == 0
    check_dialogue(run, BAD_DIALOGUE)
    assert "Traceback" not in run.transcript
    assert run.transcript.rstrip().endswith("Goodbye, and thank you for trying sectorbot.") or (
        "Goodbye" in run.transcript
    )


def test_the_end_of_the_script_is_like_ctrl_d_a_clean_goodbye(tmp_path: Path) -> None:
    run = run_script(tmp_path, "/where")

    assert run.status == 0
    assert "Goodbye, and thank you for trying sectorbot." in run.transcript


def test_a_missing_script_is_one_sentence_and_status_2(tmp_path: Path, capsys) -> None:
    from handlers.console.demo import run_demo
    from tests.console.dialogue import demo_settings

    status = run_demo(demo_settings(), script=str(tmp_path / "nope.txt"))

    assert status == 2
    assert capsys.readouterr().err.strip() == (
        f"sectorbot: there is no script file at {tmp_path / 'nope.txt'}."
    )


def test_a_database_that_cannot_be_opened_is_one_sentence(tmp_path: Path, capsys) -> None:
    from handlers.console.demo import run_demo
    from tests.console.dialogue import demo_settings

    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("these are my notes, not a database\n" * 100)
    script = tmp_path / "s.txt"
    script.write_text("/where\n")

    status = run_demo(demo_settings(), db=str(not_a_db), script=str(script))

    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith(f"sectorbot: could not open the demo database at {not_a_db}")
    assert "Traceback" not in err

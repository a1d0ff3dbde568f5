"""`sectorbot demo --script` as a process: plain text when not on a terminal, quick to start,
and a temporary database that is gone afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def test_sectorbot_demo_script_runs_end_to_end(tmp_path: Path) -> None:
    script = tmp_path / "walkthrough.txt"
    script.write_text(
        "# a quick look round\n/dps-update budget\n/as coordinator\n/clock +7d\n/where\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env["TMPDIR"] = str(tmp_path)  # the demo's temporary database goes here, so we can look

    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--script", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.perf_counter() - began

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = done.stdout
    assert "\x1b[" not in out  # no colour codes when not a terminal
    assert "member Asha @ #network-news > /dps-update budget" in out
    assert "HMP Berwyn: £412,000" in out
    assert "coordinator Ruth @ #network-news > /where" in out
    assert "It is now Mon 30 Nov 2026, 08:30." in out
    assert "# a quick look round" not in out
    assert "Goodbye, and thank you for trying sectorbot." in out
    assert not list(tmp_path.glob("sectorbot-demo-*")), "the temporary demo was not tidied away"
    assert elapsed < 5, f"the demo took {elapsed:.1f}s to start, run and stop"

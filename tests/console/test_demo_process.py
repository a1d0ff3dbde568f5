"""`sectorbot demo --script` as a process: plain text when not on a terminal, quick to start,
and a temporary database that is gone afterwards."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

START = "2026-11-23T08:30"  # a Monday: the demo's story starts half an hour before the digest


def test_sectorbot_demo_script_runs_end_to_end(tmp_path: Path) -> None:
    script = tmp_path / "walkthrough.txt"
    script.write_text(
        "# a quick look round\n/dps-update budget\n/as coordinator\n/clock +7d\n/where\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env["TMPDIR"] = str(tmp_path)  # the demo's temporary database goes here, so we can look

    began = _child_cpu_seconds()
    done = subprocess.run(
        # A fixed start, so the dates in the transcript are the same every run.
        [sys.executable, "-m", "bot.cli", "demo", "--script", str(script), "--start", START],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # CPU time rather than wall time: the same on a quiet laptop and a busy CI runner.
    spent = _child_cpu_seconds() - began

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
    assert spent < 5, f"the demo took {spent:.1f}s of CPU to start, run and stop"


def _child_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime

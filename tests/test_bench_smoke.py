"""The benchmark code runs (tiny sizes), so it cannot rot; no figures are asserted here."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from bench import digest_bench, report_bench, survey_bench
from bench.__main__ import ROOT, command_factory
from bench.http_load import percentile, steady
from bench.processes import base_env, free_port, serve
from bench.survey import bench_survey
from bot.clock import ManualClock
from bot.config import Settings
from bot.services import Services
from bot.surveys.service import open_survey
from tests.fakes.slack_api import FakeSlackAPI


def test_report_bench_runs_on_a_tiny_survey() -> None:
    result = report_bench.run(30)
    assert result["responses"] == 30
    assert result["report_seconds"] > 0 and result["plain_csv_seconds"] > 0


def test_percentile_picks_from_the_sorted_values() -> None:
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(values, 0.5) == 3.0
    assert percentile(values, 0.99) == 5.0
    assert percentile(values, 0.0) == 1.0


def test_digest_bench_runs_on_a_few_channels(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'digest.db'}"
    asyncio.run(survey_bench.reset(url))
    result = digest_bench.run(url, channels=3, updates=60)
    assert result["digest_messages_queued"] >= 3
    assert result["digest_seconds"] > 0 and result["raw_query_seconds"] > 0


def test_answer_write_path_saves_each_answer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'answers.db'}"
    asyncio.run(survey_bench.reset(url))
    invitations = asyncio.run(survey_bench.seed_survey(url, 6)).invitations
    result = survey_bench.write_path(url, invitations, [1, 2], 3)
    assert [r["saved"] for r in result.values()] == [3, 3]


def test_fan_out_reaches_each_member_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fanout.db'}"
    result = survey_bench.fan_out(url, 8, 4.0, ROOT, command_factory)
    assert (result["duplicates"], result["lost"]) == (0, 0)
    assert result["command_acks"] >= 1


async def test_steady_load_stops_when_told() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.3, stop.set)
    latencies = await steady("http://127.0.0.1:9/", lambda i: (b"", {}), 20.0, stop)
    assert 3 <= len(latencies) <= 10  # nothing listens there: every request failed
    assert all(latency == float("inf") for latency in latencies)


def test_each_answer_click_takes_the_next_invitation() -> None:
    """Across every load a factory drives, clicks take the invitations in turn, so none is a
    stale repeat until they run out (the figures would flatter a stale-click fast path)."""
    make = survey_bench.answer_factory([(7, "U1"), (8, "U2")], "http://127.0.0.1:9/respond/a")
    values = [json.loads(parse_qs(make(0)[0].decode())["payload"][0]) for _ in range(3)]
    chosen = [v["actions"][0]["value"].split(":")[0] for v in values]
    assert chosen == ["7", "8", "7"]


def test_the_reply_baseline_replaces_the_clicked_message() -> None:
    with FakeSlackAPI(keep_alive=True) as fake:
        env = base_env(fake.base_url, "sqlite:///unused.db", free_port())
        make = survey_bench.answer_factory([(1, "U000001")], fake.response_url("a"))
        with serve(["-m", "bench.bare_bolt", "--reply"], env, ROOT) as bare:
            body, headers = make(0)
            request = urllib.request.Request(bare.url, data=body, headers=headers)
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
            updates = fake.wait_for("chat.update")
    assert updates[0].params["channel"] == "DU000001"


@pytest.mark.parametrize(
    "now",
    [datetime(2026, 12, 12, 10, tzinfo=UTC), datetime(2028, 2, 29, 10, tzinfo=UTC)],
    ids=["after the shipped close", "leap day"],
)
async def test_the_bench_survey_opens_whenever_the_bench_runs(
    now: datetime, tmp_path: Path
) -> None:
    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'open.db'}"})
    services = await Services.start(settings, clock=ManualClock(now))
    try:
        source = bench_survey(survey_bench.SURVEY, now, settings.timezone)
        opened = await open_survey(
            services, survey_bench.SURVEY, ["U000001", "U000002"], actor="bench", source=source
        )
    finally:
        await services.close()
    assert opened.invited == 2 and opened.closes_at > now
    assert source.definition.question(survey_bench.QUESTION).options[0].value == (
        survey_bench.OPTION
    )

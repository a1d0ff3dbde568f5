"""`python -m bench [--quick] [--json PATH]`: the bot against a bare Bolt app, and the report
against a plain CSV dump, each measured in the same run on this machine."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import digest_bench, report_bench, survey_bench
from bench.http_load import LoadResult, closed_loop, fixed_rate, percentile
from bench.processes import SIGNING_SECRET, base_env, fake_slack, free_port, serve
from tests.fakes.signing import sign, slash_command_body

ROOT = Path(__file__).resolve().parents[1]


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def command_factory(response_url: str) -> Any:
    def make(i: int) -> tuple[bytes, dict[str, str]]:
        body = slash_command_body(
            text="budget", user_id=f"U{i % 500:05d}", response_url=response_url
        )
        return body.encode(), sign(body, SIGNING_SECRET)

    return make


async def _seed(database_url: str) -> None:
    from bot.config import Settings
    from bot.services import Services
    from storage.repositories.updates import add_update

    services = await Services.start(Settings.from_env({"DATABASE_URL": database_url}))
    now = datetime.now(UTC)
    async with services.sessions.begin() as session:
        for n in range(200):
            await add_update(
                session, topic=("dps-budget", "vetting", "dps-commissioning")[n % 3],
                title=f"Update {n}", body="Indicative budgets for 2027-28 are published. " * 5,
                author="bench", publish_at=now - timedelta(hours=n), state="posted",
            )  # fmt: skip
    await services.close()


def _summary(result: LoadResult) -> dict[str, Any]:
    return {
        "sent": result.sent,
        "ok": result.ok,
        "errors": result.errors,
        "rate_per_s": round(result.rate, 1),
        "median_ms": round(percentile(result.latencies_ms, 0.5), 2),
        "p99_ms": round(percentile(result.latencies_ms, 0.99), 2),
    }


async def _drive(
    url: str, make: Any, rates: list[int], seconds: float, closed: int
) -> dict[str, Any]:
    await closed_loop(url, make, 4, 50)  # warm-up: connections, caches, first queries
    results: dict[str, Any] = {}
    for rate in rates:
        results[f"{rate}/s"] = _summary(await fixed_rate(url, make, rate, int(rate * seconds)))
    results["max (10 concurrent)"] = _summary(await closed_loop(url, make, 10, closed))
    return results


SIZES: dict[bool, dict[str, Any]] = {
    # quick: seconds, for the smoke run; default: the scale, under 10 minutes on 2 cores
    True: {"rates": [50, 100], "seconds": 1.0, "closed": 200, "members": 600, "fanout_rate": 50,
           "write": 50, "channels": 20, "updates": 400, "responses": 1000},
    False: {"rates": [50, 100, 200], "seconds": 3.0, "closed": 1000, "members": 10_000,
            "fanout_rate": 100, "write": 400, "channels": 500, "updates": 10_000,
            "responses": 100_000},
}  # fmt: skip
CONCURRENCIES = [1, 10, 50]
REPLY = "survey answer + reply"  # the bare app that also replaces the clicked message


def _drive_all(
    url: str, size: dict[str, Any], commands: Any, answers: Any | None
) -> dict[str, Any]:
    args = (size["rates"], size["seconds"], size["closed"])
    out = {"/dps-update": asyncio.run(_drive(url, commands, *args))}
    if answers is not None:
        out["survey answer"] = asyncio.run(_drive(url, answers, *args))
    return out


def bare_benchmark(size: dict[str, Any], slack_api: str) -> dict[str, Any]:
    """The bare Bolt apps, once: they touch no database, so one baseline serves every run.
    "survey answer + reply" is the bare app that also replaces the clicked message."""
    commands = command_factory(slack_api.replace("/api/", "/respond/bench"))
    answers = survey_bench.answer_factory(
        [(1, "U000001")], slack_api.replace("/api/", "/respond/a")
    )
    env = base_env(slack_api, "sqlite:///unused.db", free_port())
    with serve(["-m", "bench.bare_bolt"], env, ROOT) as bare:
        out = _drive_all(bare.url, size, commands, answers)
    env = base_env(slack_api, "sqlite:///unused.db", free_port())
    with serve(["-m", "bench.bare_bolt", "--reply"], env, ROOT) as bare:
        args = (size["rates"], size["seconds"], size["closed"])
        out[REPLY] = asyncio.run(_drive(bare.url, answers, *args))
    return out


def database_benchmark(
    size: dict[str, Any], database_url: str, slack_api: str, bare: dict[str, Any]
) -> dict[str, Any]:
    """Fan-out, then acks (commands and answers), the answer write path and the digest, all
    on one database."""
    out: dict[str, Any] = {}
    began = time.perf_counter()
    out["fan_out"] = survey_bench.fan_out(
        database_url, size["members"], size["fanout_rate"], ROOT, command_factory
    )
    invitations = asyncio.run(survey_bench.invitations(database_url))
    asyncio.run(_seed(database_url))
    asyncio.run(survey_bench.start_answering(database_url))
    commands = command_factory(slack_api.replace("/api/", "/respond/bench"))
    answers = survey_bench.answer_factory(invitations, slack_api.replace("/api/", "/respond/a"))
    env = base_env(slack_api, database_url, free_port())
    with serve(["-m", "bot.cli", "run"], env, ROOT) as bot:
        idle = bot.rss_mib()
        out["sectorbot"] = _drive_all(bot.url, size, commands, answers)
        out["footprint"] = {
            "startup_seconds": round(bot.startup_seconds, 2),
            "rss_idle_mib": round(idle, 1),
            "rss_after_load_mib": round(bot.rss_mib(), 1),
        }
    out["throughput_ratio"] = {
        kind: _max_rate(out["sectorbot"][kind]) / _max_rate(bare[kind]) for kind in out["sectorbot"]
    }
    out["throughput_ratio"][REPLY] = _max_rate(out["sectorbot"]["survey answer"]) / _max_rate(
        bare[REPLY]
    )
    out["throughput_ratio"] = {k: round(v, 2) for k, v in out["throughput_ratio"].items()}
    write = size["write"]
    rest = invitations[-write * len(CONCURRENCIES) :]
    out["answer_write_path"] = survey_bench.write_path(database_url, rest, CONCURRENCIES, write)
    out["digest"] = digest_bench.run(database_url, size["channels"], size["updates"])
    out["seconds"] = round(time.perf_counter() - began, 1)
    return out


def _max_rate(loads: dict[str, Any]) -> float:
    return float(loads["max (10 concurrent)"]["rate_per_s"])


def _load_table(title: str, ours: dict[str, Any], bare: dict[str, Any]) -> None:
    print(f"\n{title} (ours vs bare Bolt, same server, same run)")
    print(f"{'load':<22}{'ours p50':>10}{'ours p99':>10}{'bare p50':>10}{'bare p99':>10}"
          f"{'p99 x':>7}{'ours/s':>9}{'bare/s':>9}{'rate x':>8}{'errors':>8}")  # fmt: skip
    for load, mine in ours.items():
        base = bare[load]
        print(
            f"{load:<22}{mine['median_ms']:>10}{mine['p99_ms']:>10}{base['median_ms']:>10}"
            f"{base['p99_ms']:>10}{mine['p99_ms'] / base['p99_ms']:>7.2f}{mine['rate_per_s']:>9}"
            f"{base['rate_per_s']:>9}{mine['rate_per_s'] / base['rate_per_s']:>8.2f}"
            f"{mine['errors'] + base['errors']:>8}"
        )


def _print_database(results: dict[str, Any], database: str, run: dict[str, Any]) -> None:
    print(f"\n===== {database} ({run['seconds']}s) =====", flush=True)
    for kind, ours in run["sectorbot"].items():
        _load_table(f"{kind} ack latency (ms) on {database}", ours, results["bare_bolt"][kind])
    answers = run["sectorbot"]["survey answer"]
    _load_table(f"survey answer ack latency (ms) on {database}, against the bare app that also "
                "replaces the message", answers, results["bare_bolt"][REPLY])  # fmt: skip
    print(f"throughput ratio (ours / bare Bolt, 10 concurrent): {run['throughput_ratio']}")
    print(f"footprint: {run['footprint']}")
    f = run["fan_out"]
    print(
        f"\nSurvey fan-out: {f['members']:,} invitations at {f['workspace_rate_per_s']:.0f}/s "
        f"workspace + 1/s per channel: {f['seconds']}s vs floor {f['floor_seconds']}s = "
        f"{f['ratio_vs_floor']}x; duplicates {f['duplicates']}, lost {f['lost']}, "
        f"429s {f['http_429']}; open_survey {f['open_survey_seconds']}s; commands during it: "
        f"{f['command_acks']} acks, p99 {f['command_ack_p99_ms']} ms, "
        f"max {f['command_ack_max_ms']} ms"
    )
    print("\nAnswer write path (conversation.answer) vs raw DraftAnswer inserts, same engine")
    for load, w in run["answer_write_path"].items():
        print(
            f"  {load:<14} {w['answers_per_s']:>8}/s vs raw {w['raw_inserts_per_s']:>8}/s "
            f"= {w['ratio']}x ({w['saved']}/{w['answers']} saved)"
        )
    d = run["digest"]
    print(
        f"\nDigest: {d['channels']} channels, {d['updates']:,} updates "
        f"({d['updates_in_week']} in the week, {d['digest_messages_queued']} messages): "
        f"{d['digest_seconds']}s (peak {d['digest_peak_mib']} MiB) vs raw query per channel "
        f"{d['raw_query_seconds']}s (peak {d['raw_query_peak_mib']} MiB): "
        f"{d['ratio_vs_raw_query']}x"
    )


def _print_report(report: dict[str, Any]) -> None:
    print(
        f"\nReport for {report['responses']:,} responses: {report['report_seconds']:.2f}s "
        f"(peak {report['report_peak_mib']:.0f} MiB) vs plain csv.writer "
        f"{report['plain_csv_seconds']:.2f}s (peak {report['plain_csv_peak_mib']:.0f} MiB): "
        f"ratio {report['ratio_vs_plain_csv']:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes (seconds, for a smoke run)"
    )
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args()
    started = time.perf_counter()
    size = SIZES[args.quick]
    results: dict[str, Any] = {"machine": machine(), "quick": args.quick, "databases": {}}
    databases = ["sqlite"]
    if os.environ.get("BENCH_DATABASE_URL"):
        databases.append(os.environ["BENCH_DATABASE_URL"])
    with tempfile.TemporaryDirectory() as folder, fake_slack(ROOT) as slack:
        results["bare_bolt"] = bare_benchmark(size, slack.url)
        for database in databases:
            label = "sqlite" if database == "sqlite" else "postgresql"
            url = f"sqlite:///{Path(folder) / 'bench.db'}" if database == "sqlite" else database
            results["databases"][label] = database_benchmark(
                size, url, slack.url, results["bare_bolt"]
            )
            # as each part ends, so a long run shows (and keeps) what it has measured
            _print_database(results, label, results["databases"][label])
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=2))
    results["report"] = report_bench.run(size["responses"])
    results["seconds"] = round(time.perf_counter() - started, 1)
    _print_report(results["report"])
    print(f"\nMachine: {results['machine']}")
    print(f"\nwhole run: {results['seconds']}s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

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

from bench import report_bench
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


def ack_benchmark(quick: bool, database: str, folder: Path, slack_api: str) -> dict[str, Any]:
    rates = [50, 100] if quick else [50, 100, 200]
    seconds = 1.0 if quick else 10.0
    closed = 200 if quick else 3000
    database_url = f"sqlite:///{folder / 'bench.db'}" if database == "sqlite" else database
    asyncio.run(_seed(database_url))
    make = command_factory(slack_api.replace("/api/", "/respond/bench"))
    out: dict[str, Any] = {}
    env = base_env(slack_api, database_url, free_port())
    with serve(["-m", "bench.bare_bolt"], env, ROOT) as bare:
        out["bare_bolt"] = asyncio.run(_drive(bare.url, make, rates, seconds, closed))
    env = base_env(slack_api, database_url, free_port())
    with serve(["-m", "bot.cli", "run"], env, ROOT) as bot:
        idle = bot.rss_mib()
        out["sectorbot"] = asyncio.run(_drive(bot.url, make, rates, seconds, closed))
        out["footprint"] = {
            "startup_seconds": round(bot.startup_seconds, 2),
            "rss_idle_mib": round(idle, 1),
            "rss_after_load_mib": round(bot.rss_mib(), 1),
        }
    ours, bare_max = (
        out["sectorbot"]["max (10 concurrent)"],
        out["bare_bolt"]["max (10 concurrent)"],
    )
    out["throughput_ratio"] = round(ours["rate_per_s"] / bare_max["rate_per_s"], 2)
    return out


def _print_table(results: dict[str, Any]) -> None:
    print(f"\nMachine: {results['machine']}")
    for database, ack in results["ack"].items():
        print(f"\n/dps-update ack latency on {database} (ours vs bare Bolt, same server, same run)")
        print(f"{'load':<22}{'ours p50':>10}{'ours p99':>10}{'bare p50':>10}{'bare p99':>10}"
              f"{'ours/s':>9}{'bare/s':>9}{'errors':>8}")  # fmt: skip
        for load, ours in ack["sectorbot"].items():
            bare = ack["bare_bolt"][load]
            print(
                f"{load:<22}{ours['median_ms']:>10}{ours['p99_ms']:>10}{bare['median_ms']:>10}"
                f"{bare['p99_ms']:>10}{ours['rate_per_s']:>9}{bare['rate_per_s']:>9}"
                f"{ours['errors'] + bare['errors']:>8}"
            )
        print(f"throughput ratio (ours / bare Bolt, 10 concurrent): {ack['throughput_ratio']}")
        print(f"footprint: {ack['footprint']}")
    report = results["report"]
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
    results: dict[str, Any] = {"machine": machine(), "quick": args.quick, "ack": {}}
    databases = ["sqlite"]
    if os.environ.get("BENCH_DATABASE_URL"):
        databases.append(os.environ["BENCH_DATABASE_URL"])
    with tempfile.TemporaryDirectory() as folder, fake_slack(ROOT) as slack_api:
        for database in databases:
            label = "sqlite" if database == "sqlite" else "postgresql"
            results["ack"][label] = ack_benchmark(args.quick, database, Path(folder), slack_api)
    results["report"] = report_bench.run(1000 if args.quick else 100_000)
    results["seconds"] = round(time.perf_counter() - started, 1)
    _print_table(results)
    print(f"\nwhole run: {results['seconds']}s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

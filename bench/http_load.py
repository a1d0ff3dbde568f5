"""Load on loopback: open-loop at a fixed rate, and closed-loop at fixed concurrency.

Open-loop latency is measured from each request's scheduled send time, so a server that falls
behind is charged for the queue it causes (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

RequestFactory = Callable[[int], tuple[bytes, dict[str, str]]]


@dataclass
class LoadResult:
    sent: int
    ok: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def fixed_rate(url: str, make: RequestFactory, rate: float, count: int) -> LoadResult:
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()

        async def one(i: int) -> None:
            nonlocal errors
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)  # pacing the load, not measuring with it
            body, headers = make(i)
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                        return
            except aiohttp.ClientError:
                errors += 1
                return
            latencies.append((time.perf_counter() - scheduled) * 1000)

        await asyncio.gather(*(one(i) for i in range(count)))
        elapsed = time.perf_counter() - start
    return LoadResult(count, len(latencies), errors, elapsed, latencies)


async def closed_loop(url: str, make: RequestFactory, concurrency: int, count: int) -> LoadResult:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(count))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal errors
            for i in counter:
                body, headers = make(i)
                began = time.perf_counter()
                try:
                    async with session.post(url, data=body, headers=headers) as response:
                        await response.read()
                        if response.status != 200:
                            errors += 1
                            continue
                except aiohttp.ClientError:
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - began) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return LoadResult(count, len(latencies), errors, elapsed, latencies)


async def steady(url: str, make: RequestFactory, rate: float, stop: asyncio.Event) -> list[float]:
    """Requests at `rate` a second until `stop` is set; each one's latency in ms (from its
    scheduled time, as `fixed_rate`). Failed requests count as infinitely slow."""
    latencies: list[float] = []
    tasks: list[asyncio.Task[None]] = []
    async with aiohttp.ClientSession() as session:
        start = time.perf_counter()

        async def one(i: int, scheduled: float) -> None:
            body, headers = make(i)
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    ok = response.status == 200
            except aiohttp.ClientError:
                ok = False
            latencies.append((time.perf_counter() - scheduled) * 1000 if ok else float("inf"))

        i = 0
        while not stop.is_set():
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                    break
                except TimeoutError:
                    pass
            tasks.append(asyncio.create_task(one(i, scheduled)))
            i += 1
        await asyncio.gather(*tasks)
    return latencies

"""Run the tests' fake Slack Web API in its own process, so it doesn't share a GIL with the load.

`--workspace-rate R` makes it answer 429 past R chat.postMessage a second across the workspace
(burst: one second's worth) and past one a second per channel, as Slack does. It prints its base
URL, serves until stdin closes, then prints one JSON line: every chat.postMessage as
[monotonic time, channel, HTTP status] (CLOCK_MONOTONIC is shared by processes on Linux).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from tests.fakes.slack_api import FakeSlackAPI


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspace-rate", type=float, default=0.0)
    args = parser.parse_args()
    fake = FakeSlackAPI(keep_alive=True).start()  # Slack keeps connections open too
    posts: list[tuple[float, str, int]] = []
    if args.workspace_rate:
        fake.enforce_workspace_rate(args.workspace_rate)
        fake.enforce_channel_rate(per_second=1.0, burst=1.0)
        handle = fake._handle_api

        def timed(method: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
            answer, delay = handle(method, params, headers)
            if method == "chat.postMessage":
                posts.append((time.monotonic(), str(params.get("channel", "")), answer.status))
            return answer, delay

        fake._handle_api = timed  # type: ignore[method-assign]
    print(fake.base_url, flush=True)
    try:
        sys.stdin.read()
    finally:
        fake.stop()
    print(json.dumps(posts), flush=True)


if __name__ == "__main__":
    main()

"""Run the tests' fake Slack Web API in its own process, so it doesn't share a GIL with the load."""

from __future__ import annotations

import sys
import threading

from tests.fakes.slack_api import FakeSlackAPI


def main() -> None:
    fake = FakeSlackAPI().start()
    print(fake.base_url, flush=True)
    try:
        threading.Event().wait() if sys.stdin is None else sys.stdin.read()
    finally:
        fake.stop()


if __name__ == "__main__":
    main()

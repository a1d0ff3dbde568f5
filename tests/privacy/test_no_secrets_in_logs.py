"""Tokens and the signing secret never reach a log, whoever logs them and at any level."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import pytest

from bot.logs import protect_secrets
from bot.services import Services
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.fakes.outbox_delivery import deliver_due
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack.interact import press, run, submit
from tests.slack.server import running_bot
from tests.surveys.answering_paths import answer_registered_path
from tests.surveys.conftest import invited, open_to_channel

LOGGERS = ("", "slack_bolt", "slack_sdk", "aiohttp", "sqlalchemy", "sectorbot", "bot", "handlers")
LEAK = re.compile(r"(xox[a-z]-|xapp-)(?!\*\*\*)")
APP_TOKEN = "xapp-1-A0001-0000-secretappvalue"


def _everything_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [formatter.format(r) for r in caplog.records] + [caplog.text]


async def test_a_realistic_flow_at_debug_logs_no_secret(
    services: Services, fake_slack: FakeSlackAPI, caplog: pytest.LogCaptureFixture
) -> None:
    protect_secrets([APP_TOKEN])
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    async with running_bot(services, SIGNING_SECRET) as client:
        for text in ("", "help", "vetting", "my-data", "report The prison said two things"):
            await run(client, fake_slack, text, user="UALICE01")
        await open_to_channel(client, fake_slack, members=["UALICE01"])
        alice = (await invited(services, client, fake_slack))["UALICE01"]
        await answer_registered_path(alice)
        await alice.press("Submit")
        await run(client, fake_slack, "new")
        await submit(
            client,
            "update.write",
            {"topic": "vetting", "title": "Clearance", "body": "New form.", "link": None},
        )
        await press(client, fake_slack, "update.publish", "1")
        # Error paths: Slack refuses a call, a request has a bad signature, a button is unknown.
        fake_slack.fail_next("chat.postEphemeral", "invalid_auth", times=5)
        fake_slack.fail_next("chat.postMessage", "token_revoked", times=5)
        await press(client, fake_slack, "nothing.here", "x", user="UALICE01")
        assert (await client.post("command=/dps-update", secret="wrong-secret")).status == 401
        await deliver_due(services)
        # A library that carelessly logs the token or the secret, in a message or a traceback.
        logging.getLogger("slack_sdk.web").debug("Authorization: Bearer %s", BOT_TOKEN)
        try:
            raise RuntimeError(f"signature check used {SIGNING_SECRET} and {APP_TOKEN}")
        except RuntimeError:
            logging.getLogger("slack_bolt.App").exception("listener failed")
        await asyncio.sleep(0)
    logged = _everything_logged(caplog)
    assert len(caplog.records) > 50  # the flow really logged at DEBUG
    assert any("listener failed" in line and "***" in line for line in logged)
    for line in logged:
        assert not LEAK.search(line), line[:500]
        assert SIGNING_SECRET not in line, line[:500]
        assert BOT_TOKEN not in line and APP_TOKEN not in line


def test_a_handler_added_later_still_gets_redacted_records(tmp_path: Any) -> None:
    """The demo's log file, a deployer's own handler: redaction does not depend on the sink."""
    protect_secrets([SIGNING_SECRET])
    path = tmp_path / "bot.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    logger = logging.getLogger("sectorbot.test.sink")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.warning("token %s secret %s", BOT_TOKEN, SIGNING_SECRET)
    finally:
        logger.removeHandler(handler)
        handler.close()
    written = path.read_text(encoding="utf-8")
    assert "xoxb-***" in written and SIGNING_SECRET not in written and BOT_TOKEN not in written

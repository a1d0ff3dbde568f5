"""Shared steps for survey tests: open a survey as the coordinator, deliver invitations, run
`sectorbot survey ...` as a terminal would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.services import Services
from tests.conftest import COORDINATOR, SIGNING_SECRET
from tests.fakes.outbox_delivery import deliver_due
from tests.fakes.signing import slash_command_body
from tests.slack.server import SlackClient, running_bot
from tests.surveys.driver import Respondent, block_text

MEMBERS = ["UALICE01", "UBOBBY02", "UCAROL03"]


@pytest.fixture
async def bot(services: Services) -> AsyncIterator[SlackClient]:
    async with running_bot(services, SIGNING_SECRET) as client:
        yield client


async def command(
    client: SlackClient, fake: Any, text: str, user: str = COORDINATOR, channel: str = "CNET"
) -> str:
    """Run `/dps-update TEXT` and return the text of the (ephemeral) answer."""
    name = f"cmd{len(fake.responses())}"
    body = slash_command_body(
        text=text, user_id=user, channel_id=channel, response_url=fake.response_url(name)
    )
    reply = await client.post(body)
    assert reply.status == 200
    responses = await fake.async_wait_for_response(1, 10.0, name)
    answer = responses[0].body
    return answer.get("text", "") + "\n" + block_text(answer.get("blocks", []))


async def open_to_channel(
    client: SlackClient, fake: Any, name: str = "dps-experience", members: list[str] | None = None
) -> str:
    fake.set_members("CNET", [*(members or MEMBERS), "UBOT"])
    return await command(client, fake, f"survey open {name} <#CNET|network>")


async def invited(services: Services, client: SlackClient, fake: Any) -> dict[str, Respondent]:
    """Deliver due invitations; each member's DM, keyed by user id."""
    return {
        p.conversation: Respondent(client, fake, p.conversation, p.ts, p.blocks)
        for p in await deliver_due(services)
        if ":invite:" in p.key
    }


def run_cli(argv: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> int:
    """`sectorbot ARGV` in-process (from a worker thread in async tests: it runs its own loop)."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return main(argv)


@pytest.fixture
def cli_env(settings: Any, no_env_file: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The test database, and no Slack token: the terminal of a coordinator without one."""
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    return {"DATABASE_URL": settings.database_url, "SECTORBOT_COORDINATORS": "UCOORD1"}

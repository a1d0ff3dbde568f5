"""`sectorbot digest preview CHANNEL_ID` prints the digest as text, from a real database."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings
from bot.services import Services
from storage.repositories.subscriptions import ensure_channel
from storage.repositories.updates import add_update


async def _seed(url: str) -> None:
    services = await Services.start(Settings.from_env({"DATABASE_URL": url}))
    try:
        async with services.sessions.begin() as session:
            channel = await ensure_channel(session, "slack", "T0001", "CNET")
            channel.is_network = True
            update = await add_update(
                session,
                topic="vetting",
                title="Vetting times are improving",
                body="Median clearance is now six weeks.",
                author="UCOORD1",
                publish_at=services.clock() - timedelta(days=1),
                state="posted",
            )
            update.posted_at = update.publish_at
    finally:
        await services.close()


def test_digest_preview_prints_the_digest(
    no_env_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{no_env_file / 'bot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    asyncio.run(_seed(url))
    assert main(["digest", "preview", "CNET"]) == 0
    out = capsys.readouterr().out
    assert "WEEKLY DIGEST" in out and "*Vetting times are improving*" in out
    assert main(["digest", "preview", "CUNKNOWN"]) == 0
    assert "has no record of CUNKNOWN" in capsys.readouterr().out

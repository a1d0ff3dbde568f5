"""A workspace leaving (`app_uninstalled`, `tokens_revoked`) and the retention job."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.privacy import apply_retention
from bot.services import Services
from storage.models import Channel, DraftAnswer, Invitation, Member, OutboxItem, Survey
from tests.conftest import SIGNING_SECRET
from tests.fakes.signing import event_body, retry_headers
from tests.privacy.world import ALICE, BOB, OTHER_TEAM_USER, World, seed
from tests.slack.server import running_bot
from tests.snapshot import snapshot


@pytest.fixture
async def world(services: Services) -> World:
    return await seed(services)


async def _all(services: Services, model: Any) -> list[Any]:
    async with services.sessions() as session:
        return list((await session.scalars(select(model))).all())


async def _send_event(
    services: Services, event: dict[str, Any], fake: Any, *, twice: bool = False
) -> None:
    body = event_body(event, event_id="EvUNINSTALL")
    async with running_bot(services, SIGNING_SECRET) as client:
        reply = await client.post(body)
        assert reply.status == 200
        if twice:
            assert (await client.post(body, extra_headers=retry_headers(1))).status == 200


async def _logged(caplog: pytest.LogCaptureFixture, needle: str) -> list[str]:
    """Poll (bounded) until the listener, which runs after Slack's ack, has logged `needle`."""
    for _ in range(500):
        found = [r.getMessage() for r in caplog.records if needle in r.getMessage()]
        if found:
            return found
        await asyncio.sleep(0.01)
    raise AssertionError(f"nothing logged with {needle!r}")


async def test_app_uninstalled_forgets_the_workspace_and_tells_the_operator(
    services: Services, world: World, fake_slack: Any, caplog: pytest.LogCaptureFixture
) -> None:
    before = await snapshot(services)
    with caplog.at_level(logging.INFO):
        await _send_event(services, {"type": "app_uninstalled"}, fake_slack, twice=True)
        await _logged(caplog, "Remove SLACK_BOT_TOKEN")
    after = await snapshot(services)
    assert {m.user_id for m in await _all(services, Member)} == {OTHER_TEAM_USER}
    assert {c.channel_id for c in await _all(services, Channel)} == {"CELSE"}
    assert {o.conversation for o in await _all(services, OutboxItem)} == {OTHER_TEAM_USER}
    assert await _all(services, DraftAnswer) == []
    assert after["survey_responses"] == before["survey_responses"]
    assert after["updates"] == before["updates"] and after["surveys"] == before["surveys"]
    warnings = [
        r.getMessage() for r in caplog.records if "Remove SLACK_BOT_TOKEN" in r.getMessage()
    ]
    assert len(warnings) == 1, warnings  # the retried delivery did nothing more
    assert "T0001" in warnings[0]
    audits = [a for a in after["audit_log"] if a[3] == "workspace.erase"]
    assert len(audits) == 1


async def test_tokens_revoked_for_the_bot_is_an_uninstall(
    services: Services, world: World, fake_slack: Any, caplog: pytest.LogCaptureFixture
) -> None:
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}
    with caplog.at_level(logging.INFO):
        await _send_event(services, event, fake_slack)
        await _logged(caplog, "Remove SLACK_BOT_TOKEN")
    assert {m.user_id for m in await _all(services, Member)} == {OTHER_TEAM_USER}


async def test_tokens_revoked_for_a_user_forgets_only_that_user(
    services: Services, world: World, fake_slack: Any, caplog: pytest.LogCaptureFixture
) -> None:
    before = await snapshot(services)
    event = {"type": "tokens_revoked", "tokens": {"oauth": [BOB]}}
    with caplog.at_level(logging.INFO):
        await _send_event(services, event, fake_slack)
        await _logged(caplog, "whose tokens were revoked")
    assert {m.user_id for m in await _all(services, Member)} == {ALICE, OTHER_TEAM_USER}
    assert await _all(services, DraftAnswer) == []  # Bob's half-finished answer
    assert BOB not in {o.conversation for o in await _all(services, OutboxItem)}
    after = await snapshot(services)
    assert after["channels"] == before["channels"]
    assert after["survey_responses"] == before["survey_responses"]
    assert not any("Remove SLACK_BOT_TOKEN" in r.getMessage() for r in caplog.records)


async def test_retention_clears_closed_surveys_after_the_set_days(
    services: Services, world: World, clock: ManualClock
) -> None:
    assert services.settings.retention_days == 90
    async with services.sessions.begin() as session:
        survey = await session.get(Survey, world.survey_id)
        assert survey is not None
        survey.state, survey.closed_at = "closed", clock()
        old = OutboxItem(
            key="digest:old",
            kind="digest",
            conversation="CNET",
            payload={},
            state="sent",
            next_attempt_at=clock(),
            sent_at=clock(),
        )
        session.add(old)
    before = await snapshot(services)

    clock.advance(timedelta(days=89, hours=23))
    await apply_retention(services)
    assert await snapshot(services) == before

    clock.advance(timedelta(hours=2))
    await apply_retention(services)
    after = await snapshot(services)
    assert await _all(services, Invitation) == []
    assert await _all(services, DraftAnswer) == []
    assert after["survey_responses"] == before["survey_responses"]
    assert after["members"] == before["members"]
    left = {(o.key, o.state) for o in await _all(services, OutboxItem)}
    assert ("digest:old", "sent") not in left
    assert all(state == "pending" for _key, state in left)  # queued posts are not history
    assert len(left) == 3


async def test_retention_leaves_open_surveys_alone(
    services: Services, world: World, clock: ManualClock
) -> None:
    before = await snapshot(services)
    clock.advance(timedelta(days=400))
    await apply_retention(services)
    after = await snapshot(services)
    assert after["invitations"] == before["invitations"]
    assert after["draft_answers"] == before["draft_answers"]

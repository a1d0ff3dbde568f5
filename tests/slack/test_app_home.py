"""The Home tab through `app_home_opened`, and that a redelivered event has no second effect."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import home
from bot.interactions import Caller
from bot.messages import Paragraph
from bot.processed_events import prune_processed_events
from bot.services import Services
from storage.models import Channel, ProcessedEvent, Subscription
from storage.repositories.concerns import add_concern
from storage.repositories.processed_events import remember_event
from storage.repositories.updates import add_update
from tests.conftest import SIGNING_SECRET
from tests.fakes.signing import event_body, retry_headers
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack.server import running_bot


def opened(user: str) -> dict[str, Any]:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": f"D{user}",
        "tab": "home",
        "event_ts": "1700000000.000100",
    }


async def _seed(services: Services, clock: Any) -> None:
    async with services.sessions.begin() as session:
        await add_update(
            session,
            topic="dps-budget",
            title="Budgets are out",
            body="See the portal.",
            author="UCOORD1",
            publish_at=clock() - timedelta(days=1),
            state="posted",
        )
        await add_update(
            session,
            topic="vetting",
            title="Clearance changes next week",
            body="Coming soon.",
            author="UCOORD1",
            publish_at=clock() + timedelta(days=1),
        )
        await add_concern(session, text="Mixed messages", topic=None, place=None, at=clock())
        dm = Channel(platform="slack", team_id="T0001", channel_id="U1")
        session.add(dm)
        await session.flush()
        session.add(Subscription(channel_id=dm.id, topic="vetting"))


async def _home_of(services: Services, fake: FakeSlackAPI, user: str) -> str:
    async with running_bot(services, SIGNING_SECRET) as client:
        reply = await client.post(event_body(opened(user)))
        assert reply.status == 200
        [call] = await fake.async_wait_for("views.publish")
    assert call.params["user_id"] == user
    view = call.params["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    return str(view["blocks"])


async def test_member_home_shows_latest_and_followed_topics(
    services: Services, fake_slack: FakeSlackAPI, clock: Any
) -> None:
    await _seed(services, clock)
    text = await _home_of(services, fake_slack, "U1")
    assert "Budgets are out" in text
    assert "Clearance changes next week" not in text  # not published yet
    assert "You get these by direct message: *Security vetting*" in text
    assert "For coordinators" not in text


async def test_coordinator_home_shows_scheduled_and_concerns(
    services: Services, fake_slack: FakeSlackAPI, clock: Any
) -> None:
    await _seed(services, clock)
    text = await _home_of(services, fake_slack, "UCOORD1")
    assert "For coordinators" in text
    assert "Scheduled updates: 1" in text and "Clearance changes next week" in text
    assert "1 concern reported in the last 30 days" in text
    assert "You don't follow any topics yourself yet" in text


async def test_a_broken_section_does_not_blank_the_page(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(_services: Services, _viewer: Caller) -> list[Paragraph]:
        raise RuntimeError("boom")

    async def extra(_services: Services, _viewer: Caller) -> list[Paragraph]:
        return [Paragraph("Open surveys go here")]

    monkeypatch.setitem(home._SECTIONS, "broken", (15, broken))
    monkeypatch.setitem(home._SECTIONS, "surveys", (30, extra))
    page = await home.build_home(services, Caller("slack", "T0001", "U1", "DU1"))
    texts = [getattr(b, "text", "") for b in page.blocks]
    assert home.BROKEN in texts
    assert texts.index(home.BROKEN) < texts.index("Open surveys go here")
    assert "boom" not in str(page)


async def test_a_retried_event_has_no_second_effect(
    services: Services, fake_slack: FakeSlackAPI
) -> None:
    first = event_body(opened("U1"), event_id="EvSAME0001")
    async with running_bot(services, SIGNING_SECRET) as client:
        assert (await client.post(first)).status == 200
        await fake_slack.async_wait_for("views.publish")
        again = await client.post(first, extra_headers=retry_headers(1))
        assert again.status == 200
        # A different event afterwards is handled: the bot is not simply ignoring everything.
        assert (await client.post(event_body(opened("U2"), event_id="EvOTHER001"))).status == 200
        calls = await fake_slack.async_wait_for("views.publish", 2)
    assert [c.params["user_id"] for c in calls] == ["U1", "U2"]
    async with services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedEvent)) == 2


async def test_handled_event_ids_are_forgotten_after_an_hour(
    services: Services, clock: Any
) -> None:
    async with services.sessions.begin() as session:
        assert await remember_event(session, "EvOLD", clock() - timedelta(hours=2))
        assert await remember_event(session, "EvNEW", clock() - timedelta(minutes=5))
        assert not await remember_event(session, "EvNEW", clock())
    await prune_processed_events(services)
    async with services.sessions() as session:
        kept = (await session.scalars(select(ProcessedEvent.event_id))).all()
    assert kept == ["EvNEW"]

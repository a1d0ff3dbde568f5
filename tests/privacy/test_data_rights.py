"""`my-data` and `forget-me`, through signed Slack requests and the real app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.services import Services
from bot.surveys.service import survey_progress
from storage.models import AuditEntry, Channel, Invitation, Member, OutboxItem, Subscription
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_api import FakeSlackAPI
from tests.privacy.world import ALICE, BOB, World, seed
from tests.slack.interact import press
from tests.slack.server import SlackClient, running_bot
from tests.snapshot import snapshot
from tests.surveys.conftest import command


@pytest.fixture
async def world(services: Services) -> World:
    return await seed(services)


@pytest.fixture
async def bot(services: Services) -> AsyncIterator[SlackClient]:
    async with running_bot(services, SIGNING_SECRET) as client:
        yield client


async def test_my_data_lists_what_is_held_in_plain_words(
    services: Services, world: World, bot: SlackClient, fake_slack: FakeSlackAPI
) -> None:
    before = await snapshot(services)
    said = await command(bot, fake_slack, "my-data", user=ALICE)
    assert "Alice Able" in said and "Europe/London" in said and "Unlocked Futures" in said
    assert "`vetting`" in said  # followed by DM; the network channel's topic is not hers
    assert "dps-budget" not in said
    assert "DPS experience – completed" in said
    assert "hold nothing about you" in said and "forget-me" in said
    assert await snapshot(services) == before


async def test_my_data_for_someone_unknown_says_so(
    services: Services, world: World, bot: SlackClient, fake_slack: FakeSlackAPI
) -> None:
    said = await command(bot, fake_slack, "my-data", user="UNEWBIE1")
    assert "The bot holds nothing about you." in said
    assert "forget-me" not in said


async def test_forget_me_asks_first_and_cancel_changes_nothing(
    services: Services, world: World, bot: SlackClient, fake_slack: FakeSlackAPI
) -> None:
    before = await snapshot(services)
    said = await command(bot, fake_slack, "forget-me", user=ALICE)
    assert "can't be undone" in said
    buttons = [
        e["text"]["text"]
        for b in fake_slack.responses()[-1].body["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == ["Yes, forget me", "Cancel"]
    await press(bot, fake_slack, "privacy.keep", "cancel", user=ALICE)
    await fake_slack.async_wait_for_text("Cancelled: nothing was deleted.")
    assert await snapshot(services) == before


async def _rows(services: Services, model: Any) -> list[Any]:
    async with services.sessions() as session:
        return list((await session.scalars(select(model))).all())


async def test_yes_forget_me_erases_her_and_only_her(
    services: Services, world: World, bot: SlackClient, fake_slack: FakeSlackAPI
) -> None:
    before = await snapshot(services)
    # A forged value naming someone else is ignored: the button erases whoever pressed it.
    await press(bot, fake_slack, "privacy.forget", BOB, user=ALICE)
    await fake_slack.async_wait_for_text("the bot has forgotten you")
    after = await snapshot(services)

    assert after["survey_responses"] == before["survey_responses"]
    assert after["surveys"] == before["surveys"]
    assert {m.user_id for m in await _rows(services, Member)} == {BOB, "UOTHER09"}
    assert {i.member_id for i in await _rows(services, Invitation)} == {
        world.bob,
        *[m.id for m in await _rows(services, Member) if m.user_id == "UOTHER09"],
    }
    assert after["draft_answers"] == before["draft_answers"]  # Bob's draft is his
    assert {c.channel_id for c in await _rows(services, Channel)} == {"CNET", "CELSE"}
    subscriptions = await _rows(services, Subscription)
    assert {(s.topic, s.created_by) for s in subscriptions} == {
        ("dps-budget", None),  # the channel keeps following; her name goes
        ("general", "UOTHER09"),
    }
    assert ALICE not in {o.conversation for o in await _rows(services, OutboxItem)}
    audit = await _rows(services, AuditEntry)
    assert [a.action for a in audit] == ["member.erase"]
    assert ALICE not in repr([(a.actor, a.subject, a.detail) for a in audit])

    progress = await survey_progress(services, "dps-experience")
    assert progress.completed == 1  # her anonymous answer still counts
    assert progress.invited == 3
    assert progress.forgotten == 1
    said = await command(bot, fake_slack, "survey progress dps-experience")
    assert "Completed: 1" in said and "no longer known to the bot" in said

    said = await command(bot, fake_slack, "my-data", user=ALICE)
    assert "The bot holds nothing about you." in said


async def test_forgetting_twice_is_harmless(
    services: Services, world: World, bot: SlackClient, fake_slack: FakeSlackAPI
) -> None:
    quiet = ("processed_events", "audit_log")
    await press(bot, fake_slack, "privacy.forget", "confirm", user=ALICE)
    await fake_slack.async_wait_for_response(1, name="button")
    once = await snapshot(services, ignore=quiet)
    await press(bot, fake_slack, "privacy.forget", "confirm", user=ALICE)
    first, second = (
        r.body["text"] for r in await fake_slack.async_wait_for_response(2, name="button")
    )
    assert "record(s) were deleted" in first
    assert "the bot has forgotten you" in second and "record(s)" not in second
    assert await snapshot(services, ignore=quiet) == once

"""/dps-update through the real Bolt app: signed HTTP in, response_url and Web API out."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from bot.services import Services
from handlers.slack.respond import PooledRespond
from storage.repositories.updates import add_update
from tests.conftest import SIGNING_SECRET
from tests.fakes.signing import slash_command_body
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack.server import SlackClient, running_bot


async def _add(services: Services, topic: str, title: str, days_ago: int, **extra: Any) -> None:
    async with services.sessions.begin() as session:
        await add_update(
            session,
            topic=topic,
            title=title,
            body=f"Body of {title}.",
            author="U1",
            publish_at=services.clock() - timedelta(days=days_ago),
            state="posted",
            **extra,
        )


async def _ask(client: SlackClient, fake_slack: Any, text: str, user: str = "U1") -> dict[str, Any]:
    before = len(fake_slack.responses())
    body = slash_command_body(text=text, user_id=user, response_url=fake_slack.response_url("cmd"))
    started = time.perf_counter()
    reply = await client.post(body)
    ack_seconds = time.perf_counter() - started
    assert reply.status == 200, reply.body
    assert ack_seconds < 3.0
    responses = await asyncio.to_thread(fake_slack.wait_for_response, before + 1)
    return responses[before].body


def _all_text(answer: dict[str, Any]) -> str:
    parts = [answer.get("text", "")]
    for block in answer.get("blocks", []):
        if "text" in block:
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            parts.append(element.get("text", ""))
    return "\n".join(parts)


async def test_budget_shows_latest_updates_newest_first(
    services: Services, fake_slack: Any
) -> None:
    await _add(
        services,
        "dps-budget",
        "Budgets published",
        2,
        link="https://example.org/budgets",
        deadline=date(2026, 12, 11),
    )
    await _add(services, "dps-budget", "Budget clarification", 1)
    await _add(services, "vetting", "Vetting workshop", 0)
    async with running_bot(services, SIGNING_SECRET) as client:
        answer = await _ask(client, fake_slack, "budget")
    assert answer["response_type"] == "ephemeral"
    text = _all_text(answer)
    assert text.index("Budget clarification") < text.index("Budgets published")
    assert "Vetting workshop" not in text
    assert "<https://example.org/budgets|Source>" in text
    assert "Deadline: *Fri 11 Dec 2026*" in text
    assert len(answer["blocks"]) <= 50


async def test_no_text_shows_latest_of_each_topic(services: Services, fake_slack: Any) -> None:
    await _add(services, "dps-budget", "Old budget", 5)
    await _add(services, "dps-budget", "New budget", 1)
    await _add(services, "vetting", "Vetting framework", 3)
    async with running_bot(services, SIGNING_SECRET) as client:
        text = _all_text(await _ask(client, fake_slack, ""))
    assert "New budget" in text and "Vetting framework" in text
    assert "Old budget" not in text


@pytest.mark.parametrize(
    "text",
    ["help", "nonsense", "\x00\x01\x1b[31m", "<!channel> *bold* <@U123>", "x" * 5000, "ünïcødé 🎉"],
)
async def test_help_and_nonsense_get_usage_and_200(
    services: Services, fake_slack: Any, text: str
) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        answer = await _ask(client, fake_slack, text)
    rendered = _all_text(answer)
    assert "How to use /dps-update" in rendered
    assert "Traceback" not in rendered


async def test_unknown_topic_is_named_and_escaped(services: Services, fake_slack: Any) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        rendered = _all_text(await _ask(client, fake_slack, "<!channel>"))
    assert "I don't know the topic *&lt;!channel&gt;*" in rendered


async def test_coordinators_see_their_commands_in_help(services: Services, fake_slack: Any) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        member = _all_text(await _ask(client, fake_slack, "help", user="U1"))
        coordinator = _all_text(await _ask(client, fake_slack, "help", user="UCOORD1"))
    assert "For coordinators" not in member
    assert "For coordinators" in coordinator


async def test_database_failure_gets_a_plain_sentence(services: Services, fake_slack: Any) -> None:
    async with services.engine.begin() as connection:
        await connection.execute(text("DROP TABLE updates"))
    async with running_bot(services, SIGNING_SECRET) as client:
        rendered = _all_text(await _ask(client, fake_slack, "budget"))
    assert "something went wrong on our side" in rendered
    assert (
        "Traceback" not in rendered and "DROP" not in rendered and "no such table" not in rendered
    )


@pytest.mark.parametrize(
    ("how", "expected"),
    [("good", 200), ("bad-secret", 401), ("unsigned", 401), ("stale", 401)],
)
async def test_signature_is_checked_before_any_listener(
    services: Services, fake_slack: Any, how: str, expected: int
) -> None:
    body = slash_command_body(text="budget", response_url=fake_slack.response_url("sig"))
    async with running_bot(services, SIGNING_SECRET) as client:
        reply = await client.post(
            body,
            secret="wrong-secret" if how == "bad-secret" else None,
            signed=how != "unsigned",
            timestamp=int(time.time()) - 6 * 60 if how == "stale" else None,
        )
        assert reply.status == expected
        if expected == 200:
            await asyncio.to_thread(fake_slack.wait_for_response, 1, 5.0, "sig")
    if expected == 401:
        assert fake_slack.responses("sig") == []


async def test_healthz(services: Services) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        url = client.url.replace("/slack/events", "/healthz")
        async with client.session.get(url) as response:
            assert response.status == 200
            assert await response.json() == {"ok": True}


async def test_answers_go_through_the_bots_kept_open_session(services: Services) -> None:
    """Bolt's own `respond()` opens a connection per answer (against Slack: TCP and TLS to
    hooks.slack.com each time): six answers, six connections. Ours go through the bot's one
    session, so answers share connections; how many depends on whether an answer starts
    before the previous reply is read and its connection put back, so this only asserts
    fewer connections than answers. `test_pooled_respond_keeps_one_connection` pins one."""
    await _add(services, "dps-budget", "Indicative budgets published", 1)
    answers = 6
    with FakeSlackAPI(keep_alive=True) as hooks:
        async with running_bot(services, SIGNING_SECRET) as client:
            for n in range(answers):
                body = slash_command_body(text="budget", response_url=hooks.response_url(f"a{n}"))
                assert (await client.post(body)).status == 200
                [answer] = await hooks.async_wait_for_response(1, 5.0, f"a{n}")
                assert "Indicative budgets published" in str(answer.body)
        assert hooks.connections < answers


async def test_pooled_respond_keeps_one_connection() -> None:
    with FakeSlackAPI(keep_alive=True) as hooks:
        async with aiohttp.ClientSession() as session:
            for n in range(6):
                respond = PooledRespond(hooks.response_url(f"r{n}"), session)
                reply = await respond(text=f"answer {n}", replace_original=True)
                assert reply.status_code == 200
        assert [r.body for r in hooks.responses()] == [
            {"text": f"answer {n}", "replace_original": True} for n in range(6)
        ]
        assert hooks.connections == 1

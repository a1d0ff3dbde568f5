"""Surveys on the App Home: Start from the Home tab continues in the member's DM."""

from __future__ import annotations

from typing import Any

from bot.services import Services
from tests.fakes.signing import block_actions_body, block_actions_payload, event_body
from tests.fakes.slack_api import async_wait_until
from tests.slack.server import SlackClient
from tests.surveys.conftest import MEMBERS, open_to_channel
from tests.surveys.driver import block_text


def _home_opened(user: str) -> dict[str, Any]:
    return {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}


async def test_home_lists_the_survey_and_start_continues_in_the_dm(
    services: Services, bot: SlackClient, fake_slack: Any
) -> None:
    await open_to_channel(bot, fake_slack)
    member = MEMBERS[0]
    assert (await bot.post(event_body(_home_opened(member)))).status == 200
    published = await fake_slack.async_wait_for("views.publish")
    view = published[-1].params["view"]
    assert "Your surveys" in block_text(view["blocks"])
    start = next(
        element
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"].startswith("survey.start")
    )

    payload = block_actions_payload(start["action_id"], start["value"], user_id=member)
    payload.pop("channel", None)
    payload.pop("message", None)
    payload.pop("response_url", None)  # Home tab actions carry none
    payload["container"] = {"type": "view", "view_id": "VHOME"}
    assert (await bot.post(block_actions_body(payload))).status == 200

    def to_member() -> list[Any]:
        return [c for c in fake_slack.calls("chat.postMessage") if c.params["channel"] == member]

    assert await async_wait_until(fake_slack, lambda: bool(to_member()))
    posts = to_member()
    assert "question 1 of" in block_text(posts[0].params["blocks"])


async def test_coordinator_home_shows_progress_counts_only(
    services: Services, bot: SlackClient, fake_slack: Any
) -> None:
    await open_to_channel(bot, fake_slack)
    assert (await bot.post(event_body(_home_opened("UCOORD1")))).status == 200
    published = await fake_slack.async_wait_for("views.publish")
    text = block_text(published[-1].params["view"]["blocks"])
    assert "Survey progress" in text
    assert f"{len(MEMBERS)} invited, 0 started, 0 completed, 0 declined" in text
    assert not any(member in text for member in MEMBERS)

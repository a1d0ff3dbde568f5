"""`/dps-update scheduled`, withdrawing, and the global shortcut. That members are refused at
every coordinator entry point is in tests/test_authorisation_matrix.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.services import Services
from storage.repositories.updates import add_update
from tests.conftest import SIGNING_SECRET
from tests.fakes.signing import interactive_body
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack.interact import audit_actions, only_update, press, run
from tests.slack.server import SlackClient, running_bot


async def _scheduled(services: Services, when: datetime, state: str = "scheduled") -> int:
    async with services.sessions.begin() as session:
        update = await add_update(
            session,
            topic="vetting",
            title="Vetting: new clearance form",
            body="The form changes on 1 June.",
            author="UCOORD1",
            publish_at=when,
            state=state,
        )
        return update.id


async def test_scheduled_lists_times_in_the_network_zone_with_buttons(
    services: Services, fake_slack: FakeSlackAPI
) -> None:
    await _scheduled(services, datetime(2027, 6, 1, 8, 0, tzinfo=UTC))
    async with running_bot(services, SIGNING_SECRET) as client:
        await run(client, fake_slack, "scheduled")
        answer = (await fake_slack.async_wait_for_response(1, name="cmd"))[0].body
    text = str(answer["blocks"])
    assert "Vetting: new clearance form" in text
    assert "publishes Tue 1 Jun 2027, 09:00" in text  # BST
    assert "Times are Europe/London time" in text
    buttons = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Edit", "Withdraw"]


async def test_withdraw_a_scheduled_update(services: Services, fake_slack: FakeSlackAPI) -> None:
    update_id = await _scheduled(services, datetime(2027, 6, 1, 8, 0, tzinfo=UTC))
    async with running_bot(services, SIGNING_SECRET) as client:
        await press(client, fake_slack, "update.withdraw", str(update_id))
        await fake_slack.async_wait_for_text("will not be posted")
        await press(client, fake_slack, "update.withdraw", str(update_id))
        await fake_slack.async_wait_for_text("was already withdrawn")
    assert (await only_update(services)).state == "withdrawn"
    assert await audit_actions(services) == ["update.withdraw"]


async def test_withdraw_a_posted_update_says_it_cannot_be_unposted(
    services: Services, fake_slack: FakeSlackAPI, clock: Any
) -> None:
    update_id = await _scheduled(services, clock() - timedelta(hours=1), state="posted")
    async with running_bot(services, SIGNING_SECRET) as client:
        await press(client, fake_slack, "update.withdraw", str(update_id))
        await fake_slack.async_wait_for_text("the bot can't take it back")
        await run(client, fake_slack, "vetting")
        latest = (await fake_slack.async_wait_for_response(1, name="cmd"))[0].body
    assert "Vetting: new clearance form" not in str(latest)
    assert (await only_update(services)).state == "withdrawn"


async def shortcut(client: SlackClient, user: str) -> None:
    payload = {
        "type": "shortcut",
        "token": "verification-token",
        "action_ts": "1700000000.000001",
        "team": {"id": "T0001", "domain": "test-workspace"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0001"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": "update.new",
        "trigger_id": "t-shortcut",
    }
    reply = await client.post(interactive_body(payload))
    assert reply.status == 200, reply.body


async def test_the_shortcut_opens_the_form_for_a_coordinator(
    services: Services, fake_slack: FakeSlackAPI
) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        await shortcut(client, "UCOORD1")
        calls = await fake_slack.async_wait_for("views.open")
    assert calls[0].params["trigger_id"] == "t-shortcut"
    assert calls[0].params["view"]["callback_id"] == "update.write"

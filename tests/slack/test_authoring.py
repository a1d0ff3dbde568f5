"""Writing an update in Slack: form, field errors, preview, publish, schedule, edit, discard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.services import Services
from storage.repositories.update_states import change_update
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack.interact import (
    audit_actions,
    block,
    counts,
    only_update,
    opened_view,
    press,
    run,
    submit,
)
from tests.slack.server import running_bot

GOOD: dict[str, str | None] = {
    "topic": "dps-budget",
    "title": "Education budgets for 2027 published",
    "body": "HMPPS has published the *2027* budgets for each prison.",
    "link": "https://example.org/budgets",
    "deadline": "2026-12-11",
    "publish_at": None,
}


def epoch(moment: datetime) -> str:
    return str(int(moment.timestamp()))


async def test_new_opens_the_form(services: Services, fake_slack: FakeSlackAPI) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        await run(client, fake_slack, "new")
        view = await opened_view(fake_slack)
    assert view["callback_id"] == "update.write"
    topics = [o["value"] for o in block(view, "topic")["element"]["options"]]
    assert topics == ["dps-budget", "dps-commissioning", "vetting", "general"]
    assert block(view, "body")["element"]["max_length"] == 2800
    assert block(view, "body")["element"]["multiline"] is True
    assert block(view, "deadline")["element"]["type"] == "datepicker"
    assert block(view, "publish_at")["element"]["type"] == "datetimepicker"
    assert block(view, "publish_at")["optional"] is True


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"topic": "prison-gossip"}, "topic", "Unknown topic"),
        ({"body": "x" * 10_000}, "body", "10,000 characters; the limit is 2,800"),
        ({"title": "   "}, "title", "The title is empty"),
        ({"deadline": "31/12/2026"}, "deadline", "is not a date"),
        ({"link": "javascript:alert(1)"}, "link", "web address"),
        ({"publish_at": "1700000000"}, "publish_at", "already passed"),
        ({"publish_at": "99999999999"}, "publish_at", "more than a year away"),
    ],
)
async def test_invalid_fields_are_shown_on_the_field_and_nothing_is_saved(
    services: Services,
    fake_slack: FakeSlackAPI,
    change: dict[str, str],
    field: str,
    words: str,
) -> None:
    before = await counts(services)
    async with running_bot(services, SIGNING_SECRET) as client:
        ack = await submit(client, "update.write", {**GOOD, **change})
    assert ack["response_action"] == "errors"
    assert list(ack["errors"]) == [field]
    assert words in ack["errors"][field]
    assert await counts(services) == before
    assert fake_slack.said() == []


async def test_every_problem_is_reported_at_once(
    services: Services, fake_slack: FakeSlackAPI
) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        ack = await submit(
            client, "update.write", {**GOOD, "title": "", "body": "", "deadline": "soon"}
        )
    assert set(ack["errors"]) == {"title", "body", "deadline"}


async def test_submit_saves_a_draft_and_shows_the_preview(
    services: Services, fake_slack: FakeSlackAPI
) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        await run(client, fake_slack, "new")
        view = await opened_view(fake_slack)
        ack = await submit(
            client, view["callback_id"], GOOD, private_metadata=view["private_metadata"]
        )
        assert ack == {}
        calls = await fake_slack.async_wait_for("chat.postEphemeral")
    update = await only_update(services)
    assert update.state == "draft"
    assert update.author == "UCOORD1"
    assert update.deadline is not None and update.deadline.isoformat() == "2026-12-11"
    preview = calls[0].params
    assert preview["channel"] == "C1" and preview["user"] == "UCOORD1"
    rendered = str(preview["blocks"])
    assert "Education budgets for 2027 published" in rendered
    assert "Nothing has been sent yet" in rendered
    buttons = [e for b in preview["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Publish now", "Edit", "Discard"]
    assert await audit_actions(services) == ["update.draft"]


async def test_publish_now_schedules_it_for_the_publisher(
    services: Services, fake_slack: FakeSlackAPI, clock: Any
) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        await submit(client, "update.write", GOOD)
        await fake_slack.async_wait_for("chat.postEphemeral")
        update = await only_update(services)
        clock.advance(timedelta(minutes=3))  # the coordinator reads the preview first
        await press(client, fake_slack, "update.publish", str(update.id))
        said = await fake_slack.async_wait_for_text("Published.")
    published = await only_update(services)
    assert published.state == "scheduled"
    assert published.publish_at == clock()
    replaced = fake_slack.responses("button")[-1].body
    assert replaced["replace_original"] is True
    assert any("goes to the channels following" in t for t in said)
    assert await audit_actions(services) == ["update.draft", "update.publish"]


async def test_schedule_for_a_time_in_the_network_zone(
    services: Services, fake_slack: FakeSlackAPI, clock: Any
) -> None:
    when = datetime(2027, 6, 1, 12, 30, tzinfo=UTC)  # 13:30 in London (summer time)
    async with running_bot(services, SIGNING_SECRET) as client:
        await submit(client, "update.write", {**GOOD, "publish_at": epoch(when)})
        calls = await fake_slack.async_wait_for("chat.postEphemeral")
        assert "Schedule for Tue 1 Jun 2027, 13:30" in str(calls[0].params["blocks"])
        update = await only_update(services)
        await press(client, fake_slack, "update.schedule", str(update.id))
        await fake_slack.async_wait_for_text("Scheduled.")
        # A second press of the stale button changes nothing.
        await press(client, fake_slack, "update.schedule", str(update.id))
        await fake_slack.async_wait_for_text("already confirmed and scheduled")
    scheduled = await only_update(services)
    assert scheduled.state == "scheduled" and scheduled.publish_at == when
    assert await audit_actions(services) == ["update.draft", "update.schedule"]


async def test_a_time_that_passed_while_previewing_is_not_scheduled(
    services: Services, fake_slack: FakeSlackAPI, clock: Any
) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        await submit(
            client, "update.write", {**GOOD, "publish_at": epoch(clock() + timedelta(hours=1))}
        )
        await fake_slack.async_wait_for("chat.postEphemeral")
        update = await only_update(services)
        clock.advance(timedelta(hours=2))
        await press(client, fake_slack, "update.schedule", str(update.id))
        await fake_slack.async_wait_for_text("has passed, so nothing was scheduled")
    assert (await only_update(services)).state == "draft"


async def test_edit_reopens_the_form_prefilled_and_saves_the_change(
    services: Services, fake_slack: FakeSlackAPI
) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        await submit(client, "update.write", GOOD)
        await fake_slack.async_wait_for("chat.postEphemeral")
        update = await only_update(services)
        await press(client, fake_slack, "update.edit", f"{update.id}:now")
        view = await opened_view(fake_slack)
        assert view["title"]["text"] == "Edit update"
        assert block(view, "title")["element"]["initial_value"] == GOOD["title"]
        assert block(view, "topic")["element"]["initial_option"]["value"] == "dps-budget"
        assert block(view, "deadline")["element"]["initial_date"] == "2026-12-11"
        assert "initial_date_time" not in block(view, "publish_at")["element"]
        ack = await submit(
            client,
            "update.write",
            {**GOOD, "title": "Budgets: corrected figures"},
            private_metadata=view["private_metadata"],
        )
        assert ack == {}
        await fake_slack.async_wait_for("chat.postEphemeral", 2)
    edited = await only_update(services)
    assert edited.id == update.id and edited.title == "Budgets: corrected figures"
    assert edited.state == "draft"
    assert await audit_actions(services) == ["update.draft", "update.edit"]


async def test_discard_deletes_the_draft(services: Services, fake_slack: FakeSlackAPI) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        await submit(client, "update.write", GOOD)
        await fake_slack.async_wait_for("chat.postEphemeral")
        update = await only_update(services)
        await press(client, fake_slack, "update.discard", str(update.id))
        await fake_slack.async_wait_for_text("Draft discarded. Nothing was sent.")
    assert (await counts(services))["updates"] == 0
    assert await audit_actions(services) == ["update.draft", "update.discard"]


async def test_an_edit_of_an_update_posted_meanwhile_is_refused(
    services: Services, fake_slack: FakeSlackAPI, clock: Any
) -> None:
    when = clock() + timedelta(hours=1)
    async with running_bot(services, SIGNING_SECRET) as client:
        await submit(client, "update.write", {**GOOD, "publish_at": epoch(when)})
        await fake_slack.async_wait_for("chat.postEphemeral")
        update = await only_update(services)
        await press(client, fake_slack, "update.schedule", str(update.id))
        await fake_slack.async_wait_for_text("Scheduled.")
        await press(client, fake_slack, "update.edit", f"{update.id}:at")
        view = await opened_view(fake_slack)
        assert block(view, "publish_at")["element"]["initial_date_time"] == int(when.timestamp())
        # The publisher posts it while the coordinator is typing.
        async with services.sessions.begin() as session:
            await change_update(session, update.id, ("scheduled",), state="posted", posted_at=when)
        ack = await submit(
            client,
            "update.write",
            {**GOOD, "title": "Too late", "publish_at": epoch(when)},
            private_metadata=view["private_metadata"],
        )
        assert ack == {}
        await fake_slack.async_wait_for_text("while you were working on it, so it can't be changed")
        # And the Edit button on the old message is refused too, without opening a form.
        await press(client, fake_slack, "update.edit", f"{update.id}:at")
        await fake_slack.async_wait_for_text("was posted on")
    posted = await only_update(services)
    assert posted.title == GOOD["title"] and posted.state == "posted"
    assert len(fake_slack.calls("views.open")) == 1
    assert await audit_actions(services) == ["update.draft", "update.schedule"]


async def test_editing_a_scheduled_update_keeps_it_scheduled(
    services: Services, fake_slack: FakeSlackAPI, clock: Any
) -> None:
    when = clock() + timedelta(days=2)
    async with running_bot(services, SIGNING_SECRET) as client:
        await submit(client, "update.write", {**GOOD, "publish_at": epoch(when)})
        await fake_slack.async_wait_for("chat.postEphemeral")
        update = await only_update(services)
        await press(client, fake_slack, "update.schedule", str(update.id))
        await fake_slack.async_wait_for_text("Scheduled.")
        later = when + timedelta(hours=3)
        await submit(
            client,
            "update.write",
            {**GOOD, "body": "New body.", "publish_at": epoch(later)},
            private=f"update:{update.id}",
        )
        await fake_slack.async_wait_for_text("It is still scheduled")
    edited = await only_update(services)
    assert edited.state == "scheduled" and edited.body == "New body." and edited.publish_at == later

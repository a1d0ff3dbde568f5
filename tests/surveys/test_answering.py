"""Members answer a survey through the real Slack path: signed clicks and form submissions in,
chat.update / chat.postMessage / views.open out, several members at once, on both databases."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.jobs import run_all
from bot.services import Services
from storage.models import DraftAnswer, Invitation, OutboxItem, SurveyResponse
from tests.fakes.outbox_delivery import deliver_due
from tests.slack.server import SlackClient
from tests.surveys.answering_paths import answer_registered_path, answer_unregistered_path
from tests.surveys.conftest import MEMBERS, command, invited, open_to_channel
from tests.surveys.driver import Respondent


async def stored_responses(services: Services) -> list[dict[str, Any]]:
    async with services.sessions() as session:
        return [r.answers for r in await session.scalars(select(SurveyResponse))]


async def test_members_answer_with_skip_logic_and_submit(
    services: Services, bot: SlackClient, fake_slack: Any
) -> None:
    reply = await open_to_channel(bot, fake_slack)
    assert "Invitations to 3 member(s)" in reply
    dms = await invited(services, bot, fake_slack)
    assert set(dms) == set(MEMBERS)
    alice, bobby = dms["UALICE01"], dms["UBOBBY02"]
    assert "Open until *Fri 11 Dec 2026, 17:00*" in alice.text
    assert alice.has_button("Not now") and alice.has_button("No thanks")

    await asyncio.gather(answer_registered_path(alice), answer_unregistered_path(bobby))
    assert "Two prisons told us different start dates" in bobby.text
    await asyncio.gather(alice.press("Submit"), bobby.press("Submit"))
    assert "Thank you – your answers" in alice.text and "anonymous" in alice.text

    answers = sorted(await stored_responses(services), key=lambda a: a["registered"])
    unregistered, registered = answers
    assert registered["costing"] == ["match-funding", "cash-flow"]
    assert registered["portal_ease"] == 4
    assert "what_stopped_you" not in registered and "conflicting_details" not in registered
    assert registered["benefits"] == "Steadier work for our tutors"
    assert registered["disadvantages"] is None
    assert "portal_ease" not in unregistered
    assert unregistered["what_stopped_you"] == "The contracts are too large for us"
    async with services.sessions() as session:
        states = dict(
            (await session.execute(select(Invitation.id, Invitation.state))).all()
        ).values()
        assert sorted(states) == ["completed", "completed", "invited"]
        assert await session.scalar(select(func.count()).select_from(DraftAnswer)) == 0


async def test_stop_resume_back_and_change_from_summary(
    services: Services, bot: SlackClient, fake_slack: Any
) -> None:
    await open_to_channel(bot, fake_slack, members=["UALICE01"])
    alice = (await invited(services, bot, fake_slack))["UALICE01"]
    await alice.press("Start")
    await alice.choose("Other")
    await alice.choose("Wales")
    await alice.press("Stop for now")
    assert "your answers so far are saved" in alice.text
    assert "/dps-update survey" in alice.text

    listing = await command(bot, fake_slack, "survey", user="UALICE01")
    assert "Your surveys" in listing and "Your experience of the prison education" in listing
    await alice.press("Resume")
    assert "Has your organisation registered" in alice.text  # exactly where she left off

    await alice.press("Back")
    assert "Where do you mainly deliver" in alice.text
    await alice.choose("London")  # changed; carries on to the first unanswered question
    assert "✓ Saved: London" in alice.text
    assert "Has your organisation registered" in alice.text
    await alice.choose("No")
    await alice.type("We hadn't heard of it")
    for _ in range(2):
        await alice.press("Skip this one")
    await alice.choose("No")
    await alice.press("Skip this one")
    assert "Check your answers" in alice.text and "We hadn't heard of it" in alice.text

    # Change "registered" to Yes from the summary: the new branch's questions must be answered.
    change = [b for b in alice.blocks if b.get("type") == "actions"]
    registered_change = next(
        b for b in change if any(":registered:" in e.get("value", "") for e in b["elements"])
    )
    value = registered_change["elements"][0]["value"]
    await alice.replay(alice._payload(registered_change["elements"][0]["action_id"], value))
    assert "Has your organisation registered" in alice.text
    await alice.choose("Yes")
    assert "How easy was it to get registered" in alice.text
    await alice.choose("5 – Very easy")
    await alice.choose("Enough time")
    await alice.tick(["None of these"])
    await alice.choose("Don't know")
    assert "Check your answers" in alice.text  # the rest was already answered
    await alice.press("Submit")
    (stored,) = await stored_responses(services)
    assert stored["region"] == "london" and stored["registered"] == "yes"
    assert "what_stopped_you" not in stored  # the branch no longer taken is dropped


async def test_double_click_saves_one_answer_and_says_so_gently(
    services: Services, bot: SlackClient, fake_slack: Any
) -> None:
    await open_to_channel(bot, fake_slack, members=["UALICE01"])
    alice = (await invited(services, bot, fake_slack))["UALICE01"]
    await alice.press("Start")
    await alice.choose("Other")
    await alice.choose("Wales")
    first = alice.payload_for("Yes")
    second = alice.payload_for("Yes")
    await asyncio.gather(alice.replay(first), alice.replay(second))
    await alice.replay(first)  # and once more, well after
    assert any("earlier step, so I didn't change anything" in r for r in alice.replies)
    assert "How easy was it" in alice.text
    async with services.sessions() as session:
        drafts = (await session.scalars(select(DraftAnswer.question_id))).all()
        invitation = await session.scalar(select(Invitation))
    assert sorted(drafts) == ["org_type", "region", "registered"]
    assert invitation is not None and invitation.version == 3


async def test_over_long_free_text_is_refused_on_the_field(
    services: Services, bot: SlackClient, fake_slack: Any
) -> None:
    await open_to_channel(bot, fake_slack, members=["UALICE01"])
    alice = (await invited(services, bot, fake_slack))["UALICE01"]
    await alice.press("Start")
    await alice.choose("Other")
    await alice.choose("Wales")
    await alice.choose("No")
    ack = await alice.type("x" * 2001)
    body = json.loads(ack.body)
    assert body["response_action"] == "errors"
    assert body["errors"]["answer"] == (
        "That answer is 2,001 characters; the limit is 2,000. Please cut at least 1 character."
    )
    async with services.sessions() as session:
        assert (
            await session.scalar(
                select(func.count())
                .select_from(DraftAnswer)
                .where(DraftAnswer.question_id == "what_stopped_you")
            )
            == 0
        )
    view = next(c for c in reversed(fake_slack.calls("views.open"))).params["view"]
    assert view["blocks"][0]["element"]["max_length"] == 2000


async def test_late_click_after_close_saves_nothing(
    services: Services, bot: SlackClient, fake_slack: Any, clock: ManualClock
) -> None:
    await open_to_channel(bot, fake_slack, members=["UALICE01", "UBOBBY02"])
    dms = await invited(services, bot, fake_slack)
    alice = dms["UALICE01"]
    await alice.press("Start")
    await alice.choose("Other")
    clock.set(datetime(2026, 12, 11, 17, 0, tzinfo=UTC))
    await run_all(services)
    await alice.choose("Wales")
    assert "This survey closed on Fri 11 Dec 2026, 17:00" in alice.text
    await dms["UBOBBY02"].press("Start")
    assert "This survey closed on" in dms["UBOBBY02"].text
    async with services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(DraftAnswer)) == 0
        states = sorted((await session.scalars(select(Invitation.state))).all())
    assert states == ["expired", "invited"]


async def test_reminders_go_once_per_round_to_those_who_have_not_finished(
    services: Services, bot: SlackClient, fake_slack: Any, clock: ManualClock
) -> None:
    members = ["UALICE01", "UBOBBY02", "UCAROL03", "UDAVID04"]
    await open_to_channel(bot, fake_slack, members=members)
    dms = await invited(services, bot, fake_slack)
    await answer_registered_path(dms["UALICE01"])
    await dms["UALICE01"].press("Submit")
    await dms["UBOBBY02"].press("No thanks")
    await dms["UCAROL03"].press("Start")
    await dms["UCAROL03"].choose("Other")

    clock.set(datetime(2026, 12, 4, 17, 0, tzinfo=UTC))  # 7 days before; Friday 17:00 London
    await run_all(services)
    await run_all(services)  # a second tick (or instance) changes nothing
    round_one = [p for p in await deliver_due(services) if ":remind:" in p.key]
    assert sorted(p.conversation for p in round_one) == ["UCAROL03", "UDAVID04"]
    by_user = {p.conversation: p for p in round_one}
    carol = Respondent(
        bot, fake_slack, "UCAROL03", by_user["UCAROL03"].ts, by_user["UCAROL03"].blocks
    )
    assert "press Resume to carry on" in carol.text
    assert (
        "It only takes a few minutes"
        in Respondent(
            bot, fake_slack, "UDAVID04", by_user["UDAVID04"].ts, by_user["UDAVID04"].blocks
        ).text
    )
    await carol.press("Resume")
    assert "Where do you mainly deliver" in carol.text

    clock.set(datetime(2026, 12, 10, 18, 30, tzinfo=UTC))  # 1 day before, after hours
    await run_all(services)
    assert [p for p in await deliver_due(services) if ":remind:" in p.key] == []
    clock.set(datetime(2026, 12, 11, 9, 0, tzinfo=UTC))
    round_two = [p for p in await deliver_due(services) if ":remind:" in p.key]
    assert sorted(p.key.rsplit(":", 1)[1] for p in round_two) == ["2", "2"]
    async with services.sessions() as session:
        keys = (
            await session.scalars(select(OutboxItem.key).where(OutboxItem.kind == "survey.remind"))
        ).all()
    assert len(keys) == 4


async def test_invitations_wait_for_working_hours_where_the_member_is(
    services: Services, bot: SlackClient, fake_slack: Any, clock: ManualClock
) -> None:
    fake_slack.set_user("UCAROL03", tz="America/New_York")
    fake_slack.set_user("UALICE01", tz="Europe/London")
    await open_to_channel(bot, fake_slack, members=["UALICE01", "UCAROL03"])
    first = await invited(services, bot, fake_slack)
    assert set(first) == {"UALICE01"}  # 04:00 in New York
    clock.advance(timedelta(hours=4, minutes=59))
    assert await invited(services, bot, fake_slack) == {}
    clock.advance(timedelta(minutes=1))  # 09:00 in New York
    assert set(await invited(services, bot, fake_slack)) == {"UCAROL03"}


async def test_progress_counts_and_nobody_else_can_run_coordinator_commands(
    services: Services, bot: SlackClient, fake_slack: Any
) -> None:
    refused = await command(bot, fake_slack, "survey open dps-experience", user="UALICE01")
    assert "Only coordinators can open a survey. Nothing was changed." in refused
    await open_to_channel(bot, fake_slack)
    dms = await invited(services, bot, fake_slack)
    await dms["UBOBBY02"].press("No thanks")
    await dms["UCAROL03"].press("Start")
    progress = await command(bot, fake_slack, "survey progress dps-experience")
    assert "Invited: 3" in progress and "Started, not finished: 1" in progress
    assert "Declined: 1" in progress and "Completed: 0" in progress
    assert "UBOBBY02" not in progress
    for verb in ("progress", "report", "close"):
        refused = await command(bot, fake_slack, f"survey {verb} dps-experience", user="UALICE01")
        assert "Only coordinators can" in refused
    listing = await command(bot, fake_slack, "survey list")
    assert "`dps-experience`" in listing and "open" in listing

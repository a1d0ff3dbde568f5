"""kill -9 the real bot mid-work, restart it, and check that members saw each post exactly once.

Each test runs `python -m bot.cli run` (SECTORBOT_TICK_SECONDS=1) against the fake Web API on the
database the `database_url` fixture gives (a SQLite file; PostgreSQL too when TEST_DATABASE_URL
is set). The fake records a chat.postMessage before it answers and is told to answer slowly, so
a kill right after a post is seen lands between Slack accepting the post and the bot recording
it: the case the sender's history check exists for. A claim outlives its process by the lease
(five minutes); the tests expire the dead process's leases instead of waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.services import Services
from storage.models import Channel, DraftAnswer
from tests.fakes.signing import block_actions_body
from tests.fakes.slack_api import FakeSlackAPI
from tests.faults.process import (
    BotProcess,
    all_sent,
    bot_env,
    choice_payload,
    database_of,
    delivered_keys,
    duplicates,
    expire_leases,
    make_due_now,
    open_survey,
    sent_keys,
    slack_client,
    wait_until,
)
from tests.slack.outbox_helpers import follow, schedule
from tests.slack.server import SlackClient
from tests.surveys.driver import Respondent

pytestmark = pytest.mark.slow

POST_DELAY = 0.05  # Slack "thinking" after it has accepted a post: the window a kill lands in


async def _kill_rounds(
    bot: BotProcess, fake: FakeSlackAPI, services: Services, expected: int, kill_at: list[int]
) -> int:
    """Start, kill -9 once `kill_at[i]` posts were seen, expire leases; then run to the end.
    Returns how many of the kills cut a post off between Slack's answer and the record."""
    cut_off = 0
    for count in kill_at:
        bot.start()
        await fake.async_wait_for("chat.postMessage", count, timeout=60.0)
        bot.kill()
        posted = {key for _channel, key in delivered_keys(fake)}
        cut_off += len(posted - await sent_keys(services))
        await expire_leases(services)
    bot.start()
    try:
        await wait_until(lambda: all_sent(services, expected), 90.0, f"{expected} posts sent")
    finally:
        bot.stop()
    bot.assert_clean_logs()
    return cut_off


async def test_killed_mid_survey_fan_out_every_member_invited_once(
    database_url: str, fake_slack: FakeSlackAPI, tmp_path: Path
) -> None:
    members = [f"UMEMBER{n:03d}" for n in range(60)]
    fake_slack.set_members("CNET", [*members, "UBOT"])
    env = bot_env(database_url, fake_slack)
    async with database_of(database_url, fake_slack) as services:
        printed = open_survey(env, tmp_path, "dps-experience", "CNET")
        assert "60 invitation(s) queued" in printed
        await make_due_now(services)
        fake_slack.delay("chat.postMessage", POST_DELAY)
        bot = BotProcess(env, tmp_path)
        cut_off = await _kill_rounds(bot, fake_slack, services, 60, [5, 18, 31, 47])

    seen = delivered_keys(fake_slack)
    assert duplicates(fake_slack) == {}
    assert sorted(channel for channel, _key in seen) == members
    print(
        f"\nsurvey fan-out: 4 kills, {cut_off} post(s) cut off mid-record, "
        f"{len(fake_slack.calls('chat.postMessage'))} chat.postMessage calls, "
        f"{len(fake_slack.calls('conversations.history'))} history checks, "
        f"{len(seen)} invitations seen, 0 duplicates"
    )
    assert cut_off >= 1, "no kill landed mid-send: the test proved nothing"


def _digest_now(zone: ZoneInfo) -> dict[str, str]:
    """Digest settings that make this week's digest due a minute ago."""
    moment = datetime.now(UTC).astimezone(zone) - timedelta(minutes=1)
    return {
        "SECTORBOT_DIGEST_DAY": moment.strftime("%a").lower(),
        "SECTORBOT_DIGEST_TIME": moment.strftime("%H:%M"),
    }


async def test_killed_mid_publish_and_digest_each_channel_gets_each_post_once(
    database_url: str, fake_slack: FakeSlackAPI, tmp_path: Path
) -> None:
    channels = [f"CCHAN{n:03d}" for n in range(25)]
    env = bot_env(database_url, fake_slack, _digest_now(ZoneInfo("Europe/London")))
    async with database_of(database_url, fake_slack) as services:
        await follow(services, "dps-budget", *channels)
        async with services.sessions.begin() as session:  # the channels that get the digest
            await session.execute(update(Channel).values(is_network=True))
        await schedule(services, "dps-budget", "Indicative budgets 2027-28", minutes=0)
        await schedule(services, "dps-budget", "Commissioning timetable", minutes=0)
        fake_slack.delay("chat.postMessage", POST_DELAY)
        bot = BotProcess(env, tmp_path)
        # Two updates and one digest per channel, paced one a second per channel.
        expected = 3 * len(channels)
        cut_off = await _kill_rounds(bot, fake_slack, services, expected, [4, 27, 40, 61])

    seen = delivered_keys(fake_slack)
    assert duplicates(fake_slack) == {}
    assert len(seen) == expected
    kinds = sorted(key.split(":")[0] for _channel, key in seen)
    assert kinds.count("update") == 2 * len(channels) and kinds.count("digest") == len(channels)
    print(
        f"\npublish + digest: 4 kills, {cut_off} cut off mid-record, "
        f"{len(fake_slack.calls('chat.postMessage'))} chat.postMessage calls, "
        f"{expected} posts expected, {len(seen)} seen, 0 duplicates"
    )
    assert cut_off >= 1, "no kill landed mid-send: the test proved nothing"


async def test_two_instances_on_one_database_post_each_item_once(
    database_url: str, fake_slack: FakeSlackAPI, tmp_path: Path
) -> None:
    channels = [f"CPAIR{n:03d}" for n in range(30)]
    first = BotProcess(bot_env(database_url, fake_slack), tmp_path, name="first")
    second = BotProcess(bot_env(database_url, fake_slack), tmp_path, name="second")
    async with database_of(database_url, fake_slack) as services:
        await follow(services, "vetting", *channels)
        for n in range(3):
            await schedule(services, "vetting", f"Vetting note {n}", minutes=0)
        first.start()
        second.start()
        try:
            await wait_until(lambda: all_sent(services, 90), 90.0, "90 posts sent")
        finally:
            first.stop()
            second.stop()
    seen = delivered_keys(fake_slack)
    assert duplicates(fake_slack) == {}
    assert len(seen) == 90
    first.assert_clean_logs()
    second.assert_clean_logs()
    print(f"\ntwo instances: 90 posts expected, {len(seen)} seen, 0 duplicates")


async def _invitations(
    fake: FakeSlackAPI, client: SlackClient, users: list[str]
) -> list[Respondent]:
    found = []
    for user in users:
        [message] = fake.history("D" + user)
        found.append(Respondent(client, fake, user, message["ts"], message["blocks"]))
    return found


async def test_an_acknowledged_answer_survives_kill_9_right_after_the_ack(
    database_url: str, fake_slack: FakeSlackAPI, tmp_path: Path
) -> None:
    users = [f"UANSWER{n:02d}" for n in range(6)]
    fake_slack.set_members("CNET", users)
    env = bot_env(database_url, fake_slack)
    bot = BotProcess(env, tmp_path)
    acknowledged = 0
    async with database_of(database_url, fake_slack) as services:
        open_survey(env, tmp_path, "dps-experience", "CNET")
        await make_due_now(services)
        bot.start()
        await wait_until(lambda: all_sent(services, len(users)), 60.0, "invitations sent")
        for user in users:
            if bot.process is None or bot.process.poll() is not None:
                bot.start()
            async with slack_client(bot.url) as client:
                [member] = await _invitations(fake_slack, client, [user])
                await member.press("Start")
                reply = await client.post(
                    block_actions_body(choice_payload(member, "Social enterprise"))
                )
                bot.kill()  # the member has seen the ack; nothing else may be needed
            assert reply.status == 200
            acknowledged += 1
        async with services.sessions() as session:
            stored = (
                await session.scalars(
                    select(DraftAnswer.value).where(DraftAnswer.question_id == "org_type")
                )
            ).all()
    print(f"\nanswer then kill -9: {acknowledged} acknowledged, {len(stored)} stored")
    assert stored == ["social-enterprise"] * acknowledged

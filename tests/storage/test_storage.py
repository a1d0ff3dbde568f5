"""Storage on SQLite and PostgreSQL: migrations, time zones, the update queries, and reading
survey responses for a report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import inspect, select

from bot.services import Services
from storage.migrate import upgrade
from storage.models import AuditEntry, Survey, Update
from storage.repositories.audit import record_action
from storage.repositories.surveys import add_response, response_batches
from storage.repositories.topics import all_topics
from storage.repositories.updates import add_update, latest_in_topic, latest_per_topic

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_migrations_create_every_table_and_seed_topics(services: Services) -> None:
    async with services.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {
        "members",
        "organisations",
        "channels",
        "topics",
        "subscriptions",
        "updates",
        "surveys",
        "invitations",
        "draft_answers",
        "survey_responses",
        "outbox",
        "audit_log",
        "concerns",
        "processed_events",
        "alembic_version",
    } <= tables
    async with services.sessions() as session:
        slugs = [t.slug for t in await all_topics(session)]
    assert slugs == ["dps-budget", "dps-commissioning", "vetting", "general"]


async def test_upgrade_twice_is_a_no_op(services: Services) -> None:
    await upgrade(services.engine)
    async with services.sessions() as session:
        assert len(await all_topics(session)) == 4


async def test_datetimes_come_back_aware_and_equal(services: Services) -> None:
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # the hour the UK clocks go forward
    async with services.sessions.begin() as session:
        update = await add_update(
            session,
            topic="vetting",
            title="t",
            body="b",
            author="U1",
            publish_at=moment,
            deadline=date(2026, 4, 1),
        )
        update_id = update.id
    async with services.sessions() as session:
        stored = await session.get(Update, update_id)
        assert stored is not None
        assert stored.publish_at == moment
        assert stored.publish_at.tzinfo is not None
        assert stored.deadline == date(2026, 4, 1)


async def _add(
    services: Services, topic: str, title: str, at: datetime, state: str = "posted"
) -> None:
    async with services.sessions.begin() as session:
        await add_update(
            session, topic=topic, title=title, body="b", author="U1", publish_at=at, state=state
        )


async def test_latest_per_topic_takes_newest_visible_of_each(services: Services) -> None:
    await _add(services, "dps-budget", "old budget", NOW - timedelta(days=3))
    await _add(services, "dps-budget", "new budget", NOW - timedelta(days=1))
    await _add(services, "dps-budget", "future budget", NOW + timedelta(days=1), state="scheduled")
    await _add(
        services, "vetting", "withdrawn vetting", NOW - timedelta(hours=1), state="withdrawn"
    )
    await _add(services, "vetting", "vetting news", NOW - timedelta(days=2))
    async with services.sessions() as session:
        latest = await latest_per_topic(session, NOW)
    assert [u.title for u in latest] == ["new budget", "vetting news"]


async def test_latest_in_topic_newest_first_and_limited(services: Services) -> None:
    for day in range(8):
        await _add(services, "dps-commissioning", f"round {day}", NOW - timedelta(days=day))
    async with services.sessions() as session:
        latest = await latest_in_topic(session, "dps-commissioning", NOW, limit=5)
    assert [u.title for u in latest] == [f"round {d}" for d in range(5)]


async def test_audit_entries_commit_with_the_action(services: Services) -> None:
    async with services.sessions.begin() as session:
        await record_action(
            session, actor="U1", action="update.add", subject="update:1", detail={"x": 1}
        )
    async with services.sessions() as session:
        entries = (await session.scalars(select(AuditEntry))).all()
    assert [(e.actor, e.action, e.detail) for e in entries] == [("U1", "update.add", {"x": 1})]


async def test_response_batches_read_one_survey_in_batches(services: Services) -> None:
    async with services.sessions.begin() as session:
        surveys = [
            Survey(name=name, title=name, definition="", opens_at=NOW, closes_at=NOW, deadline=NOW)
            for name in ("reported", "other")
        ]
        session.add_all(surveys)
        await session.flush()
        for i in range(5):
            answers = {"q": f"answer {i}", "many": ["a", "b"], "scale": i}
            await add_response(
                session,
                survey_id=surveys[0].id,
                submitted_on=date(2026, 11, 16 + i),
                answers=answers,
                member_id=None,
            )
        await add_response(
            session,
            survey_id=surveys[1].id,
            submitted_on=date(2026, 11, 1),
            answers={},
            member_id=None,
        )
    async with services.sessions.begin() as session:
        batches = [list(b) async for b in response_batches(session, surveys[0].id, size=2)]
    assert sorted(len(b) for b in batches) == [1, 2, 2]
    assert sorted(row for b in batches for row in b) == [
        (date(2026, 11, 16 + i), {"q": f"answer {i}", "many": ["a", "b"], "scale": i})
        for i in range(5)
    ]

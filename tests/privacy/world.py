"""A small network with data in every place a person can appear, for the privacy tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.services import Services
from storage.models import (
    Channel,
    DraftAnswer,
    Invitation,
    Member,
    Organisation,
    OutboxItem,
    Subscription,
    Survey,
    SurveyResponse,
)

TEAM = "T0001"
ALICE = "UALICE01"  # completed the survey; follows a topic by DM; a reminder queued
BOB = "UBOBBY02"  # half-way through; a draft answer
OTHER_TEAM_USER = "UOTHER09"


@dataclass(frozen=True)
class World:
    survey_id: int
    alice: int
    bob: int
    network_channel: int


async def seed(services: Services) -> World:
    now = services.clock()
    async with services.sessions.begin() as session:
        org = Organisation(name="Unlocked Futures")
        session.add(org)
        await session.flush()
        alice = Member(
            team_id=TEAM,
            user_id=ALICE,
            display_name="Alice Able",
            timezone="Europe/London",
            organisation_id=org.id,
            dm_channel="DALICE",
        )
        bob = Member(team_id=TEAM, user_id=BOB, display_name="Bob Brown")
        other = Member(team_id="T9999", user_id=OTHER_TEAM_USER, display_name="Elsewhere")
        session.add_all([alice, bob, other])
        survey = Survey(
            name="dps-experience",
            title="DPS experience",
            definition="(not parsed in these tests)",
            state="open",
            anonymous=True,
            opens_at=now - timedelta(days=3),
            closes_at=now + timedelta(days=10),
            deadline=now + timedelta(days=20),
            opened_at=now - timedelta(days=3),
        )
        session.add(survey)
        await session.flush()
        done = Invitation(
            survey_id=survey.id, member_id=alice.id, state="completed", conversation="DALICE"
        )
        half = Invitation(
            survey_id=survey.id, member_id=bob.id, state="in_progress", current_question="q2"
        )
        theirs = Invitation(survey_id=survey.id, member_id=other.id, state="invited")
        session.add_all([done, half, theirs])
        await session.flush()
        session.add(
            DraftAnswer(invitation_id=half.id, question_id="q1", value="Yes", answered_at=now)
        )
        session.add(
            SurveyResponse(survey_id=survey.id, submitted_on=now.date(), answers={"q1": "No"})
        )
        dm = Channel(team_id=TEAM, channel_id="DALICE")
        network = Channel(team_id=TEAM, channel_id="CNET", name="network", is_network=True)
        elsewhere = Channel(team_id="T9999", channel_id="CELSE")
        session.add_all([dm, network, elsewhere])
        await session.flush()
        session.add_all(
            [
                Subscription(channel_id=dm.id, topic="vetting", created_by=ALICE),
                Subscription(channel_id=network.id, topic="dps-budget", created_by=ALICE),
                Subscription(channel_id=elsewhere.id, topic="general", created_by="UOTHER09"),
            ]
        )
        for key, conversation, state in (
            (f"survey:{survey.id}:remind:{half.id}:1", BOB, "pending"),
            (f"survey:{survey.id}:invite:{done.id}", ALICE, "sent"),
            ("update:1:channel:2", "CNET", "pending"),
            (f"survey:{survey.id}:invite:{theirs.id}", OTHER_TEAM_USER, "pending"),
        ):
            session.add(
                OutboxItem(
                    key=key,
                    kind="test",
                    conversation=conversation,
                    payload={},
                    state=state,
                    next_attempt_at=now,
                )
            )
        return World(survey.id, alice.id, bob.id, network.id)

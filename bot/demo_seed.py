"""The demo's world: a small network, its channels and a fortnight of sector updates.

Written as an umbrella body's coordinator would write them, so the demo shows the bot as members
would meet it. The organisations, people and figures are invented for the demo.
Seeding goes through the same repositories as production, and only into an empty database, so
`sectorbot demo --db FILE` can be run again on the same file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import Services
from bot.surveys.service import SurveyProblem, library_survey, open_survey
from storage.models import Member, Organisation
from storage.repositories.audit import record_action
from storage.repositories.subscriptions import ensure_channel, subscribe
from storage.repositories.updates import add_update

log = logging.getLogger(__name__)

PLATFORM = "console"
TEAM = "TDEMO"
NETWORK = "Justice Learning Network"
ZONE = ZoneInfo("Europe/London")


def demo_start(now: datetime) -> datetime:
    """Where the demo's clock starts: 08:30 (UK time) on the Monday of `now`'s week, half an
    hour before the weekly digest and the survey invitations go out. Everything the demo seeds
    is placed relative to it, so the demo tells the same story in any week of any year."""
    today = now.astimezone(ZONE).date()
    return datetime.combine(today - timedelta(days=today.weekday()), time(8, 30), tzinfo=ZONE)


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str  # what `/as member NAME` matches on (first name)
    full_name: str
    organisation: str
    dm: str  # the id of the person's DM with the bot
    coordinator: bool = False


@dataclass(frozen=True)
class Place:
    channel_id: str
    name: str  # without the '#'
    topics: tuple[str, ...]
    is_network: bool = False


@dataclass(frozen=True)
class Org:
    name: str
    kind: str
    region: str


ORGANISATIONS = (
    Org(NETWORK, "umbrella body", "England and Wales"),
    Org("Open Book Learning", "small charity", "North West"),
    Org("Second Chapter Arts", "medium charity", "West Midlands"),
    Org("Working Futures CIC", "community interest company", "London"),
)

COORDINATOR = Person("UDEMORUTH", "Ruth", "Ruth Okafor", NETWORK, "DDEMORUTH", coordinator=True)
MEMBERS = (
    Person("UDEMOASHA", "Asha", "Asha Patel", "Open Book Learning", "DDEMOASHA"),
    Person("UDEMOBEN", "Ben", "Ben Hughes", "Second Chapter Arts", "DDEMOBEN"),
    Person("UDEMOCHIDI", "Chidi", "Chidi Eze", "Working Futures CIC", "DDEMOCHIDI"),
)
PEOPLE = (COORDINATOR, *MEMBERS)

ALL_TOPICS = ("dps-budget", "dps-commissioning", "vetting", "general")
PLACES = (
    Place("CDEMONEWS", "network-news", ALL_TOPICS, is_network=True),
    Place("CDEMOVETTING", "vetting-forum", ("vetting",)),
    Place("CDEMOCOORD", "coordinators", ()),
)
COORDINATORS_CHANNEL = "CDEMOCOORD"
SURVEYS = ("dps-experience", "vetting-experience")  # the shipped library's questions


def survey_dates(start: datetime) -> dict[str, date | datetime]:
    """The demo's run of each survey, whatever dates the library's files give: opened a week
    before the demo starts, closing on the third Friday at 17:00, the answers due a week later."""
    monday = start.astimezone(ZONE).date()
    return {
        "opens_at": monday - timedelta(days=7),
        "closes_at": datetime.combine(monday + timedelta(days=18), time(17), tzinfo=ZONE),
        "deadline": monday + timedelta(days=25),
    }


@dataclass(frozen=True)
class SeedUpdate:
    topic: str
    title: str
    body: str
    publish_at: datetime
    link: str | None = None
    deadline: date | None = None


HMPPS = "https://www.gov.uk/government/organisations/hm-prison-and-probation-service"
CONTRACTS = "https://www.contractsfinder.service.gov.uk/"


def _long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"  # Monday 30 November


def _short(day: date) -> str:
    return f"{day.day} {day:%B}"  # 11 December


def demo_updates(start: datetime) -> tuple[SeedUpdate, ...]:
    """A fortnight of news around `start` (a Monday): the week before it is posted, the rest
    is scheduled. Every date in the text is counted from `start`, so none of it is stale."""
    monday = start.astimezone(ZONE).date()

    def day(offset: int) -> date:
        return monday + timedelta(days=offset)

    def at(offset: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day(offset), time(hour, minute), tzinfo=ZONE)

    # The commissioning year being bought: the first that starts (1 April) at least three
    # months after the demo's week, so bids close well before contracts begin.
    later = day(90)
    first_year = later.year if later <= date(later.year, 4, 1) else later.year + 1
    year = f"{first_year}-{(first_year + 1) % 100:02d}"
    contracts_start = f"1 April {first_year}"

    return (
        SeedUpdate(
            topic="dps-commissioning",
            title="Call-out: family learning at HMP Styal",
            body=(
                "HMP Styal has issued a call-out for a family learning programme: parents and "
                "their children learning together on family visit days, two days a week from "
                f"{day(70):%B}.\n\n"
                "The value is up to *£48,000 a year*. Send expressions of interest through the "
                f"DPS portal by {_long(day(7))}. You need to be on the DPS already to respond."
            ),
            publish_at=at(-7, 10),
            link=CONTRACTS,
            deadline=day(7),
        ),
        SeedUpdate(
            topic="vetting",
            title=f"Security vetting framework: what changes from {day(42):%B}",
            body=(
                "HMPPS has confirmed the revised security vetting framework for staff and "
                "volunteers from voluntary organisations working in prisons and probation. The "
                "main changes:\n"
                "• one national application route, instead of prison by prison\n"
                "• a target of 30 working days for standard checks\n"
                "• a *complex case panel* for applicants with lived experience of the justice "
                "system, who can now send a written personal statement\n"
                "• appeals go to the regional vetting lead within 20 working days of a "
                "decision\n\n"
                "We pressed for the panel for two years. Thank you to everyone who sent us "
                "examples."
            ),
            publish_at=at(-5, 14),
            link=HMPPS,
        ),
        SeedUpdate(
            topic="dps-budget",
            title=f"Indicative DPS budgets for {year}, prison by prison",
            body=(
                "HMPPS has shared indicative budgets for education bought through the Dynamic "
                f"Purchasing System in {year}. They are _indicative_: governors confirm final "
                "allocations in March. A few from the list:\n"
                "• HMP Berwyn: £412,000\n"
                "• HMP Wandsworth: £301,000\n"
                "• HMP Leeds: £238,000\n"
                "• HMP Styal: £186,500\n\n"
                "The full list, by prison and region, is on the DPS portal. If your prison's "
                "figure is very different from this year's, tell us: we are collecting examples "
                f"to raise with HMPPS at the {day(21):%B} engagement meeting."
            ),
            publish_at=at(-4, 11),
            link=HMPPS,
        ),
        SeedUpdate(
            topic="dps-commissioning",
            title=f"Commissioning round 3 for {year}: ITT closes {_short(day(18))}",
            body=(
                "Round 3 covers the North West and Yorkshire prison groups: 14 lots including "
                "ESOL, creative arts, digital skills and through-the-gate mentoring.\n\n"
                "Send clarification questions through the DPS portal by "
                f"{_short(day(11))}; HMPPS publishes every answer, anonymised. Bids are due by "
                f"*12:00 on {_long(day(18))}*, for contracts starting on {contracts_start}."
            ),
            publish_at=at(-3, 9, 30),
            link=CONTRACTS,
            deadline=day(18),
        ),
        SeedUpdate(
            topic="general",
            title="Members' meeting: notes and next steps",
            body=(
                "Thank you to the 23 organisations who came to Thursday's members' meeting. The "
                "notes and slides are in the shared drive.\n\n"
                f"The next meeting is on {_short(day(59))}. We'll agree what to tell HMPPS about "
                "the DPS before the next commissioning year, so please fill in the DPS "
                "experience survey."
            ),
            publish_at=at(0, 8),
        ),
        # Scheduled: these appear when the demo's clock is moved on (`/clock +1d`, `/clock +7d`).
        SeedUpdate(
            topic="vetting",
            title=(f"Vetting workshop, {_short(day(15))}: getting lived-experience staff through"),
            body=(
                f"Our online workshop with the HMPPS vetting team is on *{_long(day(15))}, "
                "10:00 to 11:30*. We'll go through the complex case panel, what a strong "
                "personal statement looks like, and how appeals work.\n\n"
                "Bring your questions: the vetting team will answer what they can on the day and "
                f"take the rest away. Please book by {_short(day(11))}."
            ),
            publish_at=at(1, 9),
            deadline=day(11),
        ),
        SeedUpdate(
            topic="dps-budget",
            title="What 'indicative' means for your bid: HMPPS answers",
            body=(
                f"HMPPS has answered our questions on the {year} indicative budgets:\n"
                "• figures can move by up to 10% either way when allocations are confirmed in "
                "March\n"
                "• budget a prison does not spend stays with that prison\n"
                "• multi-year contracts are funded at the indicative rate until confirmed\n\n"
                "So price your bid against the indicative figure, and say in your ITT response "
                "how you would scale delivery up or down."
            ),
            publish_at=at(7, 10),
            link=HMPPS,
        ),
    )


async def is_seeded(session: AsyncSession) -> bool:
    found = await session.scalar(select(Member.id).where(Member.platform == PLATFORM).limit(1))
    return found is not None


async def seed_demo(services: Services) -> bool:
    """Fill an empty demo database around the services' clock (the demo's start); False (and
    nothing written) when it was seeded before."""
    start = services.clock()
    async with services.sessions.begin() as session:
        if await is_seeded(session):
            return False
        await _seed_people(session)
        await _seed_places(session)
        await _seed_updates(session, start)
    await open_demo_surveys(services, start)
    return True


async def _seed_people(session: AsyncSession) -> None:
    organisations = {
        o.name: Organisation(name=o.name, kind=o.kind, region=o.region) for o in ORGANISATIONS
    }
    session.add_all(organisations.values())
    await session.flush()
    for person in PEOPLE:
        session.add(
            Member(
                platform=PLATFORM,
                team_id=TEAM,
                user_id=person.user_id,
                display_name=person.full_name,
                timezone="Europe/London",
                organisation_id=organisations[person.organisation].id,
                dm_channel=person.dm,
            )
        )


async def _seed_places(session: AsyncSession) -> None:
    """The channels, what they follow and which gets the digest, through the same repositories
    and audit entries as the coordinator's `/dps-update subscribe TOPIC` and `digest on`."""
    for place in PLACES:
        channel = await ensure_channel(session, PLATFORM, TEAM, place.channel_id)
        channel.name = place.name
        for topic in place.topics:
            if await subscribe(session, channel, topic, COORDINATOR.user_id):
                await _audit(session, "subscription.add", place, {"topic": topic})
        if place.is_network:
            channel.is_network = True
            await _audit(session, "digest.on", place)


async def _audit(
    session: AsyncSession, action: str, place: Place, detail: dict[str, Any] | None = None
) -> None:
    await record_action(
        session,
        actor=COORDINATOR.user_id,
        action=action,
        subject=f"channel:{place.channel_id}",
        detail={**(detail or {}), "demo": True},
    )


async def _seed_updates(session: AsyncSession, start: datetime) -> None:
    for seed in demo_updates(start):
        posted = seed.publish_at <= start
        update = await add_update(
            session,
            topic=seed.topic,
            title=seed.title,
            body=seed.body,
            author=COORDINATOR.user_id,
            publish_at=seed.publish_at,
            link=seed.link,
            deadline=seed.deadline,
            state="posted" if posted else "scheduled",
        )
        if posted:
            update.posted_at = seed.publish_at
        await record_action(
            session,
            actor=COORDINATOR.user_id,
            action="update.add",
            subject=f"update:{update.id}",
            detail={"topic": seed.topic, "publish_at": seed.publish_at.isoformat(), "demo": True},
        )


async def open_demo_surveys(services: Services, start: datetime) -> int:
    """Open the two shipped surveys for the demo's members, on the demo's dates (see
    `survey_dates`) and through the same service as a coordinator's `/dps-update survey open
    NAME`: the invitations wait in the outbox until the first working hour, and arrive in the
    members' DMs. Returns how many were opened."""
    zone = services.settings.timezone
    opened = 0
    for name in SURVEYS:
        try:
            source = library_survey(name, zone).rescheduled(zone, **survey_dates(start))
            await open_survey(
                services,
                name,
                [person.user_id for person in MEMBERS],
                actor=COORDINATOR.user_id,
                platform=PLATFORM,
                team_id=TEAM,
                source=source,
            )
        except SurveyProblem as problem:  # e.g. a fault in a library file: the rest still runs
            log.warning("demo: survey %s not opened: %s", name, problem)
            continue
        opened += 1
    return opened

"""Who the person at the keyboard can be, and where they can be: the demo's people and places.

Conversation ids are the ones the core stores and the outbox addresses (channel ids, DM ids,
user ids for "DM this person"), so a post queued for a conversation lands in the right place.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.demo_seed import COORDINATOR, MEMBERS, PEOPLE, PLACES, Person, Place


@dataclass(frozen=True)
class Where:
    """A conversation as the console shows it."""

    channel_id: str
    label: str  # "#network-news" or "DM with Asha"
    dm_of: Person | None = None

    @property
    def is_dm(self) -> bool:
        return self.dm_of is not None


def _place(place: Place) -> Where:
    return Where(place.channel_id, f"#{place.name}")


def _dm(person: Person) -> Where:
    return Where(person.dm, f"DM with {person.name}", dm_of=person)


def find_member(name: str) -> Person | None:
    """A member by first or full name, ignoring case."""
    key = name.strip().lower()
    for person in MEMBERS:
        if key in (person.name.lower(), person.full_name.lower()):
            return person
    return None


def coordinator() -> Person:
    return COORDINATOR


def member_names() -> str:
    return ", ".join(p.name for p in MEMBERS)


def find_place(name: str) -> Where | None:
    key = name.strip().lower().lstrip("#")
    for place in PLACES:
        if key == place.name:
            return _place(place)
    return None


def network_place() -> Where:
    """The channel the demo's network reads, which gets the weekly digest: #network-news."""
    return _place(next(place for place in PLACES if place.is_network))


def place_names() -> str:
    return ", ".join(f"#{p.name}" for p in PLACES)


def dm_of(person: Person) -> Where:
    return _dm(person)


def known_place(conversation: str) -> Where | None:
    """The conversation an outbox row is addressed to: a channel, a DM, or a person's user id
    (which Slack treats as their DM with the bot); None when it is not one of the demo's."""
    for place in PLACES:
        if conversation == place.channel_id:
            return _place(place)
    for person in PEOPLE:
        if conversation in (person.dm, person.user_id):
            return _dm(person)
    return None


def person_named(who: Person) -> str:
    """How `/as` names someone: `/as coordinator` or `/as member Ben`."""
    return "coordinator" if who.coordinator else f"member {who.name}"

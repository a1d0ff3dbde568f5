"""Who is in a Teams channel, for opening a survey to it: the Bot Connector's roster.

`GET /v3/conversations/{id}/members` through the stored reference's service URL lists the
team's members (a channel's roster is its team's). Members are named by their Entra object id,
as everywhere else; Teams does not tell a bot anyone's time zone.
"""

from __future__ import annotations

import logging

import aiohttp
from microsoft_agents.hosting.aiohttp import CloudAdapter

from bot.directory import DirectoryError
from bot.services import Services
from handlers.teams.connector import connector_client
from handlers.teams.references import stored_reference

log = logging.getLogger(__name__)

NOT_INSTALLED = (
    "sectorbot has not been added to that Teams channel, so it cannot see who is in it. "
    "Add the app to the team first."
)
REFUSED = "Teams would not list that channel's members (sectorbot may have been removed from it)."
UNAVAILABLE = "Teams could not list that channel's members just now. Please try again shortly."


class TeamsDirectory:
    def __init__(self, services: Services, adapter: CloudAdapter) -> None:
        self.services = services
        self.adapter = adapter

    async def channel_members(self, channel: str) -> list[str]:
        async with self.services.sessions() as session:
            reference = await stored_reference(session, channel)
        if reference is None or not reference.service_url:
            raise DirectoryError(NOT_INSTALLED)
        bot_id = reference.agent.id if reference.agent else None
        try:
            async with connector_client(
                self.services.settings, self.adapter, reference.service_url
            ) as client:
                members = await client.conversations.get_conversation_members(
                    reference.conversation.id
                )
        except aiohttp.ClientResponseError as failure:
            if failure.status in (403, 404):
                raise DirectoryError(REFUSED) from failure
            log.warning("listing Teams members failed: HTTP %s", failure.status)
            raise DirectoryError(UNAVAILABLE) from failure
        except (aiohttp.ClientError, TimeoutError) as failure:
            log.warning("listing Teams members failed: %s", type(failure).__name__)
            raise DirectoryError(UNAVAILABLE) from failure
        people = [m.aad_object_id or m.id for m in members if m.id and m.id != bot_id]
        return list(dict.fromkeys(p for p in people if p))

    async def user_timezone(self, user: str) -> str | None:
        return None  # the roster carries no time zone; the network's own is used

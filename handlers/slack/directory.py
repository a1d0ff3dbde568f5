"""The core's Directory over the Slack Web API: channel members and people's time zones."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.directory import DirectoryError

PAGE = 200
CHANNEL_FAULTS = {
    "channel_not_found": "I can't find that channel. If it is private, invite me to it first.",
    "not_in_channel": "I'm not in that channel yet. Invite me to it, then try again.",
    "missing_scope": "I'm not allowed to see channel members: add the channels:read scope.",
}


class SlackDirectory:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._bot_user: str | None = None

    async def _me(self) -> str:
        if self._bot_user is None:
            answer = await self.client.auth_test()
            self._bot_user = str(answer.get("user_id") or "")
        return self._bot_user

    async def channel_members(self, channel: str) -> list[str]:
        members: list[str] = []
        cursor: str | None = None
        try:
            while True:
                answer = await self.client.conversations_members(
                    channel=channel, limit=PAGE, cursor=cursor
                )
                members.extend(answer.get("members") or [])
                cursor = (answer.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
            me = await self._me()
        except SlackApiError as error:
            fault = str(error.response.get("error", ""))
            raise DirectoryError(
                CHANNEL_FAULTS.get(fault, f"Slack couldn't list that channel's members ({fault}).")
            ) from None
        return [m for m in members if m != me]

    async def user_timezone(self, user: str) -> str | None:
        try:
            answer = await self.client.users_info(user=user)
        except SlackApiError:
            return None
        tz = (answer.get("user") or {}).get("tz")
        return str(tz) if tz else None

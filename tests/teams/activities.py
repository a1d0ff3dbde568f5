"""Teams-shaped activities, as the Bot Connector posts them to /api/messages."""

from __future__ import annotations

import itertools
from typing import Any

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:bot-app-id"
BOT_NAME = "sectorbot"
USER_ID = "29:1user-teams-id"
USER_AAD = "0b9c3c1e-0000-4000-8000-000000000001"
PERSONAL = "a:1personal-chat-with-a-long-opaque-id-that-is-longer-than-sixty-four-characters-xyz"
CHANNEL = "19:general-channel-id@thread.tacv2"

_ids = itertools.count(1)


def _base(service_url: str, conversation: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": f"incoming-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": "2026-11-23T09:00:00.000Z",
        "from": {"id": USER_ID, "name": "Sam Member", "aadObjectId": USER_AAD},
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "conversation": conversation,
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
        **extra,
    }


def personal() -> dict[str, Any]:
    return {"id": PERSONAL, "conversationType": "personal", "tenantId": TENANT}


def channel(thread: str = "1700000000000") -> dict[str, Any]:
    return {
        "id": f"{CHANNEL};messageid={thread}",
        "conversationType": "channel",
        "isGroup": True,
        "tenantId": TENANT,
        "name": "General",
    }


def message(
    service_url: str, text: str, *, in_channel: bool = False, **extra: Any
) -> dict[str, Any]:
    if in_channel:
        mention = f"<at>{BOT_NAME}</at>"
        return _base(
            service_url,
            channel(),
            type="message",
            text=f"{mention} {text}",
            entities=[
                {
                    "type": "mention",
                    "text": mention,
                    "mentioned": {"id": BOT_ID, "name": BOT_NAME},
                }
            ],
            **extra,
        )
    return _base(service_url, personal(), type="message", text=text, **extra)


def card_submit(
    service_url: str, data: dict[str, Any], *, card_id: str = "card-1", in_channel: bool = False
) -> dict[str, Any]:
    """What Teams posts when an Action.Submit is pressed: the data, the inputs merged in."""
    return _base(
        service_url,
        channel() if in_channel else personal(),
        type="message",
        value=data,
        replyToId=card_id,
    )


def members_added(service_url: str, *, in_channel: bool = True, bot: bool = True) -> dict[str, Any]:
    who = {"id": BOT_ID} if bot else {"id": USER_ID, "aadObjectId": USER_AAD}
    conversation = channel() if in_channel else personal()
    if in_channel:
        conversation["id"] = CHANNEL
    return _base(
        service_url,
        conversation,
        type="conversationUpdate",
        membersAdded=[who],
        channelData={
            "tenant": {"id": TENANT},
            "eventType": "teamMemberAdded",
            "team": {"id": CHANNEL, "name": "Reentry Network"},
        },
    )


def members_removed(service_url: str) -> dict[str, Any]:
    activity = members_added(service_url)
    activity["membersRemoved"] = activity.pop("membersAdded")
    activity["channelData"]["eventType"] = "teamMemberRemoved"
    return activity

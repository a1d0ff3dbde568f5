"""Who and where, from a Teams activity: the core's Caller and the ids we store."""

from __future__ import annotations

from microsoft_agents.activity import Activity

from bot.interactions import Caller

PLATFORM = "teams"


def tenant_of(activity: Activity) -> str:
    if activity.conversation and activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    data = activity.channel_data
    tenant = (data.get("tenant") if isinstance(data, dict) else getattr(data, "tenant", None)) or {}
    return str(tenant.get("id", "") if isinstance(tenant, dict) else getattr(tenant, "id", ""))


def conversation_id(activity: Activity) -> str:
    """The conversation itself: a channel message's id carries `;messageid=` for its thread,
    which would make every proactive post a reply to that one thread."""
    raw = activity.conversation.id if activity.conversation else ""
    return raw.split(";", 1)[0]


def user_id(activity: Activity) -> str:
    """The Entra object id: stable across bots and what coordinators are configured by."""
    sender = activity.from_property
    if sender is None:
        return ""
    return sender.aad_object_id or sender.id or ""


def caller_of(activity: Activity) -> Caller:
    return Caller(
        platform=PLATFORM,
        team_id=tenant_of(activity),
        user_id=user_id(activity),
        channel_id=conversation_id(activity),
    )

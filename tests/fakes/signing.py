"""Build request bodies exactly as Slack sends them, and sign them like Slack does."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TEAM_ID = "T0001"
TEAM_DOMAIN = "test-workspace"
API_APP_ID = "A0001"
BOT_USER_ID = "UBOT"
# Slack still sends the deprecated verification token; Bolt ignores it.
VERIFICATION_TOKEN = "verification-token"
DEFAULT_RESPONSE_URL = "https://hooks.slack.com/commands/T0001/1000/abcdef"

_event_ids = itertools.count(1)


def sign(
    body: bytes | str,
    secret: str,
    timestamp: int | str | None = None,
    content_type: str | None = None,
) -> dict[str, str]:
    """Headers Slack would send with ``body``; ``timestamp`` defaults to now."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    if signature is None:  # only when the secret is empty
        raise ValueError("a signing secret is required")
    if content_type is None:
        raw = body.encode() if isinstance(body, str) else body
        is_json = raw.lstrip().startswith(b"{")
        content_type = "application/json" if is_json else "application/x-www-form-urlencoded"
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
        "Content-Type": content_type,
    }


def retry_headers(retry_num: int, reason: str = "http_timeout") -> dict[str, str]:
    """Extra headers Slack adds when it resends an event."""
    return {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": reason}


def slash_command_body(
    command: str = "/dps-update",
    text: str = "",
    user_id: str = "U1",
    channel_id: str = "C1",
    team_id: str = TEAM_ID,
    response_url: str = DEFAULT_RESPONSE_URL,
    trigger_id: str = "t1",
    *,
    user_name: str | None = None,
    channel_name: str | None = None,
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = API_APP_ID,
) -> str:
    """A slash command's form-encoded body, fields in the order Slack sends them."""
    return urlencode(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name or _default_channel_name(channel_id),
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def interactive_body(payload: dict[str, Any]) -> str:
    """Interactive payloads arrive as one form field, ``payload=<json>``."""
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))})


def block_actions_body(payload: dict[str, Any]) -> str:
    return interactive_body(payload)


def block_actions_payload(
    action_id: str,
    value: str | None = None,
    *,
    block_id: str = "b1",
    action_type: str = "button",
    user_id: str = "U1",
    channel_id: str | None = "C1",
    message_ts: str | None = "1700000000.000100",
    team_id: str = TEAM_ID,
    response_url: str = DEFAULT_RESPONSE_URL,
    trigger_id: str = "t1",
    state_values: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    action: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``block_actions`` payload for one action, from a message or (with ``view``) a view."""
    action_ts = f"{time.time():.6f}"
    the_action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type,
        "action_ts": action_ts,
    }
    if action_type == "button":
        the_action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
    if value is not None:
        the_action["value"] = value
    the_action.update(action or {})
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": state_values or {}},
        "actions": [the_action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V1")}
        payload["view"] = view
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": _default_channel_name(channel_id or "")}
        payload["message"] = {
            "type": "message",
            "user": BOT_USER_ID,
            "ts": message_ts,
            "bot_id": "BBOT",
            "text": "",
            "team": team_id,
            "blocks": [],
        }
        payload["response_url"] = response_url
    return payload


def view_submission_payload(
    callback_id: str,
    state_values: dict[str, Any] | None = None,
    *,
    user_id: str = "U1",
    team_id: str = TEAM_ID,
    view_id: str = "V1",
    private_metadata: str = "",
    trigger_id: str = "t1",
    response_urls: list[dict[str, Any]] | None = None,
    blocks: list[dict[str, Any]] | None = None,
    title: str = "Form",
) -> dict[str, Any]:
    """A ``view_submission`` payload for a modal with the given input values."""
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "blocks": blocks or [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": state_values or {}},
            "hash": "1700000000.abcdef",
            "title": {"type": "plain_text", "text": title, "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": API_APP_ID,
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": "BBOT",
        },
        "response_urls": response_urls or [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_submission_body(
    callback_id: str,
    state_values: dict[str, Any] | None = None,
    **kwargs: Any,
) -> str:
    """Form-encoded ``view_submission``; keywords as for ``view_submission_payload``."""
    return interactive_body(view_submission_payload(callback_id, state_values, **kwargs))


def event_body(
    event: dict[str, Any],
    event_id: str | None = None,
    team_id: str = TEAM_ID,
    *,
    event_time: int | None = None,
    api_app_id: str = API_APP_ID,
) -> str:
    """The JSON ``event_callback`` envelope; ``event_id`` is unique unless given."""
    return json.dumps(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "context_team_id": team_id,
            "context_enterprise_id": None,
            "api_app_id": api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_event_ids):08d}",
            "event_time": int(time.time()) if event_time is None else event_time,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{team_id}-{api_app_id}",
        }
    )


def url_verification_body(challenge: str = "challenge-token") -> str:
    return json.dumps(
        {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    )


def _user(user_id: str, team_id: str) -> dict[str, str]:
    name = user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _default_channel_name(channel_id: str) -> str:
    return "directmessage" if channel_id.startswith("D") else f"channel-{channel_id.lower()}"

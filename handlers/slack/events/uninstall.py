"""`app_uninstalled` and `tokens_revoked`: forget the workspace (or the users) Slack names.

This deployment runs on one bot token from the environment, so there is no stored token to
delete: the bot forgets the workspace's people, channels and queued posts, and tells the
operator, in one log line, to remove the token. Nothing else is kept about the install, so a
reinstall starts cleanly and needs no table of installations.
"""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt.async_app import AsyncBoltContext

from bot.privacy import forget_people, forget_workspace

PLATFORM = "slack"
REMOVE_TOKEN = (
    "Slack says sectorbot was %s in workspace %s: its members, channels, subscriptions and "
    "queued posts have been deleted (%d row(s)). Remove SLACK_BOT_TOKEN (and "
    "SLACK_SIGNING_SECRET, SLACK_APP_TOKEN) from this deployment's environment; Slack will no "
    "longer accept the token."
)


async def on_app_uninstalled(
    body: dict[str, Any], context: AsyncBoltContext, logger: Logger
) -> None:
    team_id = str(body.get("team_id") or "")
    try:
        erased = await forget_workspace(context["services"], PLATFORM, team_id, "app_uninstalled")
    except Exception:
        logger.exception("could not forget workspace %s after app_uninstalled", team_id)
        return
    logger.warning(REMOVE_TOKEN, "uninstalled", team_id, erased.total)


async def on_tokens_revoked(
    event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext, logger: Logger
) -> None:
    """Bot tokens revoked: as an uninstall. User tokens: forget those users."""
    services = context["services"]
    team_id = str(body.get("team_id") or "")
    tokens = event.get("tokens") or {}
    users = [str(u) for u in tokens.get("oauth") or [] if u]
    try:
        if tokens.get("bot"):
            erased = await forget_workspace(services, PLATFORM, team_id, "tokens_revoked")
            logger.warning(
                REMOVE_TOKEN, "disconnected (its bot token revoked)", team_id, erased.total
            )
        if users:
            forgotten = await forget_people(services, PLATFORM, users, actor=PLATFORM)
            logger.info(
                "forgot %d user(s) whose tokens were revoked (%d row(s))",
                len(users),
                forgotten.total,
            )
    except Exception:
        logger.exception("could not forget data after tokens_revoked in workspace %s", team_id)

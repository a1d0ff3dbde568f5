"""Turn state storage that keeps nothing.

The SDK loads and saves per-conversation state on every turn. Ours lives in our database
(conversations, invitations, answers), so the SDK's copy would only grow in memory and differ
between instances; this storage makes it explicit that there is none.
"""

from __future__ import annotations

from typing import Any

from microsoft_agents.hosting.core import Storage
from microsoft_agents.hosting.core.storage.store_item import StoreItem


class NoTurnState(Storage):
    async def read(
        self, keys: list[str], *, target_cls: type[Any], **kwargs: Any
    ) -> dict[str, Any]:
        return {}

    async def write(self, changes: dict[str, StoreItem]) -> None:
        return None

    async def delete(self, keys: list[str]) -> None:
        return None

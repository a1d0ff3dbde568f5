"""How one delivery went: the core's outcome type, under the name the Teams sender imports."""

from __future__ import annotations

from bot.delivery import DeliveryOutcome

__all__ = ["DeliveryOutcome"]

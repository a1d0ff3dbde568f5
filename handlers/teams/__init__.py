"""Microsoft Teams: the same core behind the Microsoft 365 Agents SDK (see README, "Put it in
Teams"). Commands arrive as messages, buttons and forms as Adaptive Card submits."""

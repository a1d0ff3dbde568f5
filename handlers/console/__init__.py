"""The console platform: a terminal chat that runs the same core conversations as Slack."""

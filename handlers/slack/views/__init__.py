"""Modal submissions: every form goes to the core's form registry."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from handlers.slack.views.submit import on_view_submission


def register(app: AsyncApp) -> None:
    app.view(re.compile(r".*"))(on_view_submission)

"""Pytest fixtures for the fake Slack Web API; import them from ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.slack_api import FakeSlackAPI


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackAPI]:
    """A started fake Slack Web API, stopped after the test."""
    with FakeSlackAPI() as fake:
        yield fake

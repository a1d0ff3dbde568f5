"""Every bot process a fault test starts is gone when the test ends, passed or failed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.process import kill_leftover_bots


@pytest.fixture(autouse=True)
def _no_bot_outlives_its_test() -> Iterator[None]:
    yield
    kill_leftover_bots()

"""Logging set-up, with a filter that masks anything shaped like a Slack token or secret."""

from __future__ import annotations

import logging
import re

_SECRET = re.compile(r"\b(xox[abposr]-|xapp-)[A-Za-z0-9-]+")


class RedactSecrets(logging.Filter):
    """Defence in depth: even if a library logs a token, it never reaches the log sink."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SECRET.search(message):
            record.msg = _SECRET.sub(r"\1***", message)
            record.args = None
        return True


def redact(text: str) -> str:
    return _SECRET.sub(r"\1***", text)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiohttp.access", "apscheduler.executors.default", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

"""Logging set-up that never lets a token or the signing secret reach a log sink.

Redaction happens where records are made (a log record factory), not in one handler's filter:
a filter on our handler misses every other handler (pytest's capture, the demo's log file, a
deployer's own), and filters on the root logger never see records from child loggers. Token
shapes (`xoxb-`, `xapp-`, ...) are masked always; secrets with no shape (the signing secret,
the Teams client secret) are masked by value once settings are known.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from collections.abc import Iterable
from typing import Any

_SECRET = re.compile(r"\b(xox[a-z]-|xapp-)[A-Za-z0-9-]+")
MASK = "***"
_MIN_SECRET = 6  # shorter "secrets" would mask ordinary words

_lock = threading.Lock()
_known: tuple[str, ...] = ()
_base_factory = logging.getLogRecordFactory()


def redact(text: str) -> str:
    """Mask token shapes and every registered secret in `text`."""
    text = _SECRET.sub(r"\1" + MASK, text)
    for secret in _known:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _needs(text: str) -> bool:
    return bool(_SECRET.search(text)) or any(secret in text for secret in _known)


def scrub(record: logging.LogRecord) -> logging.LogRecord:
    """Mask secrets in a record's message, its traceback and its stack, in place."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: let logging report it as it always does
        return record
    if _needs(message):
        record.msg = redact(message)
        record.args = None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        formatted = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if _needs(formatted):
            record.exc_text = redact(formatted)
    if record.stack_info and _needs(record.stack_info):
        record.stack_info = redact(record.stack_info)
    return record


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    return scrub(_base_factory(*args, **kwargs))


def protect_secrets(secrets: Iterable[str | None] = ()) -> None:
    """Mask these values (and token shapes) in every log record from now on, whoever logs
    it and wherever it goes. Safe to call again: the secrets accumulate."""
    global _known
    with _lock:
        values = {s for s in (*_known, *secrets) if s and len(s) >= _MIN_SECRET}
        _known = tuple(sorted(values, key=len, reverse=True))  # longest first
        if logging.getLogRecordFactory() is not _redacting_factory:
            logging.setLogRecordFactory(_redacting_factory)


class RedactSecrets(logging.Filter):
    """Kept for handlers built elsewhere; the record factory already did the work."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub(record)
        return True


def configure_logging(level: str = "INFO") -> None:
    protect_secrets()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # A tick skipped because the last one is still running is expected under load (ticks
    # coalesce); APScheduler's job errors are logged by our jobs' own handlers too.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    for noisy in ("aiohttp.access", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

"""Logging to a rotating file in the log dir, with secrets scrubbed from every record.

Secrets are registered with :func:`register_secret` by the secrets wrapper and the API client as soon
as they are known; every log record is filtered through :class:`RedactingFilter`, which replaces them
(and anything that looks like a token/sign parameter) with ``***``.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import threading

from desktop.core import paths

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
# key=value / "key": "value" pairs whose value is always secret, whatever it is
_SECRET_KEYS = r"(?:access_token|refresh_token|app_secret|appSecret|signSecret|sign_secret|sign)"
_PAIR_RE = re.compile(rf"(?P<k>\b{_SECRET_KEYS}\b[\"']?\s*[=:]\s*[\"']?)(?P<v>[^&\s\"',}}]+)")

MAX_BYTES = 2_000_000
BACKUPS = 5


def register_secret(value: str | None) -> None:
    """Never log ``value`` (ignored when empty or too short to be a real secret)."""
    if value and len(value) >= 6:
        with _secrets_lock:
            _secrets.add(value)


def redact(text: str) -> str:
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for s in secrets:
        if s in text:
            text = text.replace(s, "***")
    return _PAIR_RE.sub(lambda m: m.group("k") + "***", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        clean = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg, record.args = clean, None
        return True


_configured: logging.Handler | None = None


def setup_logging(level: int = logging.INFO, *, to_stderr: bool = False) -> logging.Handler:
    """Install the rotating file handler (idempotent; re-targets when the log dir changed)."""
    global _configured
    root = logging.getLogger()
    target = str(paths.log_file())
    if _configured is not None:
        if getattr(_configured, "baseFilename", None) == target:
            return _configured
        root.removeHandler(_configured)
        _configured.close()
    handler = logging.handlers.RotatingFileHandler(
        target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    if to_stderr:
        stream = logging.StreamHandler()
        stream.addFilter(RedactingFilter())
        stream.setLevel(logging.WARNING)
        root.addHandler(stream)
    root.setLevel(level)
    # urllib3 logs full URLs (with access_token) at DEBUG: keep it quiet whatever the level
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    _configured = handler
    return handler


def close_logging() -> None:
    """Remove and close the log file's handler (the app's and the commands' last step): the file
    is not left open behind them."""
    global _configured
    handler, _configured = _configured, None
    if handler is not None:
        logging.getLogger().removeHandler(handler)
        handler.close()

"""Logging to a rotating file in the log dir, with secrets scrubbed from every record.

Secrets are registered with :func:`register_secret` by the secrets wrapper and the API client as soon
as they are known; every log record is filtered through :class:`RedactingFilter`, which replaces them
(and anything that looks like a token/sign parameter) with ``***``.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import logging.handlers
import re
import sys
import threading
import urllib.parse

from desktop.core import paths
from desktop.core.i18n import tr

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
# key=value / "key": "value" pairs whose value is always secret, whatever it is
_SECRET_KEYS = r"(?:access_token|refresh_token|app_secret|appSecret|signSecret|sign_secret|sign)"
_PAIR_RE = re.compile(rf"(?P<k>\b{_SECRET_KEYS}\b[\"']?\s*[=:]\s*[\"']?)(?P<v>[^&\s\"',}}]+)")

MAX_BYTES = 2_000_000
BACKUPS = 5


def register_secret(value: str | None) -> None:
    """Never log ``value`` (ignored when empty or too short to be a real secret), nor its
    URL-encoded spelling (as a gateway may echo the request it was sent)."""
    if value and len(value) >= 6:
        encoded = urllib.parse.quote(value, safe="")
        with _secrets_lock:
            _secrets.add(value)
            _secrets.add(encoded)


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


class _LogFile(logging.handlers.RotatingFileHandler):
    """The rotating log file. A record that cannot be written (the disk is full, the file went
    away) is dropped: the first failure is said once on the console, in one line, instead of a
    "--- Logging error ---" traceback for every record; writing resumes when it works again."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.failing = False
        self._failed_now = False

    def emit(self, record: logging.LogRecord) -> None:
        self._failed_now = False
        try:
            if self.shouldRollover(record):
                self.doRollover()
            logging.FileHandler.emit(self, record)  # calls handleError itself on a failed write
        except RecursionError:
            raise
        except Exception as exc:
            self.handleError(record, exc)
        if not self._failed_now:
            self.failing = False

    def handleError(self, record: logging.LogRecord, exc: BaseException | None = None) -> None:  # noqa: N802
        self._failed_now = True
        if self.failing:
            return
        self.failing = True
        if exc is None:
            exc = sys.exc_info()[1]
        problem = _os_problem(exc)
        with contextlib.suppress(Exception):
            sys.stderr.write(
                tr(
                    "Cannot write the log file {path} ({problem}); log messages are "
                    "dropped until it can be written again.",
                    path=self.baseFilename,
                    problem=problem,
                )
                + "\n"
            )
        if self.stream is not None:  # a half-written buffer would fail again at every flush
            with contextlib.suppress(Exception):
                self.stream.close()
            self.stream = None


def _os_problem(exc: BaseException | None) -> str:
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return tr("the disk is full")
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return tr("no permission to write there")
        return exc.strerror or str(exc)
    return str(exc) if exc is not None else ""


_configured: logging.Handler | None = None
_fallback_target: str | None = None


def setup_logging(level: int = logging.INFO, *, to_stderr: bool = False) -> logging.Handler:
    """Install the rotating file handler (idempotent; re-targets when the log dir changed).

    When the log folder cannot be created or the file cannot be opened (a read-only home, no
    permission, a full disk), warnings and errors go to the console instead — said once — and the
    app or command carries on."""
    global _configured, _fallback_target
    root = logging.getLogger()
    try:
        target = str(paths.log_file())
        error: OSError | None = None
    except OSError as exc:  # the log folder cannot be created
        target, error = str(paths.log_file_path()), exc
    if _configured is not None:
        if getattr(_configured, "baseFilename", None) == target or _fallback_target == target:
            return _configured
        root.removeHandler(_configured)
        _configured.close()
        _configured = None
    handler: logging.Handler
    try:
        if error is not None:
            raise error
        handler = _LogFile(target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
        _fallback_target = None
    except OSError as exc:
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
        _fallback_target = target
        with contextlib.suppress(Exception):
            sys.stderr.write(
                tr(
                    "Cannot write the log file {path} ({problem}); log messages go to the console instead.",
                    path=target,
                    problem=_os_problem(exc),
                )
                + "\n"
            )
        to_stderr = False  # the console handler is the one handler
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
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
    global _configured, _fallback_target
    handler, _configured, _fallback_target = _configured, None, None
    if handler is not None:
        logging.getLogger().removeHandler(handler)
        handler.close()

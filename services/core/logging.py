"""structlog set-up. Every string in a log event passes through the personnummer mask."""

from __future__ import annotations

import logging
import sys
from typing import Any
from urllib.parse import unquote

import structlog

from services.core.pii import mask_personnummer


def _redact(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for k, v in list(event_dict.items()):
        if isinstance(v, str):
            event_dict[k] = mask_personnummer(v)
    return event_dict


class _CurrentStderr:
    """Writes to whatever sys.stderr is at the time of writing (not at configuration time), so a
    replaced or closed stream (test capture, daemonised process) never breaks logging."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class _RedactFilter(logging.Filter):
    """Masks personnummer in the message and in each argument, keeping the argument shapes (uvicorn's
    access formatter unpacks its argument tuple: client, method, path with query string, ...)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_personnummer(record.msg)
        if record.exc_info and not record.exc_text:
            # Formatters print the cached traceback text: mask it too (an exception's message may
            # carry a personnummer from the letter being read).
            record.exc_text = mask_personnummer(logging.Formatter().formatException(record.exc_info))
        if isinstance(record.args, tuple):
            record.args = tuple(mask_personnummer(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: mask_personnummer(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


# Loggers with their own handlers that do not reach the root logger's filter.
OWN_HANDLER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "celery", "celery.task")


def mask_own_handler_loggers() -> None:
    """Put the personnummer mask on the handlers servers install for themselves (uvicorn's access
    log shows query strings)."""
    for name in OWN_HANDLER_LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, _RedactFilter) for f in handler.filters):
                handler.addFilter(_RedactFilter())


def mask_path(full_path: str) -> str:
    """A request path for a log line: no query string, every segment (URL-decoded) masked."""
    path = unquote(full_path.split("?", 1)[0])
    return "/".join(mask_personnummer(segment) for segment in path.split("/"))


class AccessLogFilter(logging.Filter):
    """uvicorn's access log: the path without its query string (search terms, personnummer), masked.

    Attached to the `uvicorn.access` logger itself (uvicorn's own handlers do not pass the root's
    filter), it survives uvicorn's logging set-up, which replaces handlers but keeps logger filters.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], mask_path(args[2]), *args[3:])
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not stop logging
            return True
        masked = mask_personnummer(msg)
        if masked != msg:
            record.msg, record.args = masked, None
        return True


def protect_server_logs() -> None:
    """Mask personnummer and drop query strings in the web server's own log lines (idempotent)."""
    for name in ("uvicorn.access", "uvicorn.error", "uvicorn"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, AccessLogFilter) for f in logger.filters):
            logger.addFilter(AccessLogFilter())


def configure_logging(level: str = "INFO", json: bool = False) -> None:
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso"),
        # `log.exception(...)` / `exc_info=True`: the traceback as text, so it reaches the line
        # (and the mask below), in the console and in JSON alike.
        structlog.processors.format_exc_info,
        _redact,
    ]
    processors.append(structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False))
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
    protect_server_logs()
    root = logging.getLogger()
    root.setLevel(level)
    if not any(isinstance(f, _RedactFilter) for h in root.handlers for f in h.filters):
        handler = _CurrentStderrHandler()
        handler.addFilter(_RedactFilter())
        root.handlers = [handler]
    for handler in root.handlers:
        if any(isinstance(f, _RedactFilter) for f in handler.filters):
            handler.setFormatter(_stdlib_formatter(json))
    mask_own_handler_loggers()


def _stdlib_formatter(json: bool) -> logging.Formatter:
    """Lines from libraries (Celery, uvicorn, SQLAlchemy) in the same format as ours: JSON when asked."""
    if not json:
        return logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    return structlog.stdlib.ProcessorFormatter(
        processor=structlog.processors.JSONRenderer(),
        foreign_pre_chain=[
            structlog.stdlib.add_logger_name,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            _redact,
        ],
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)

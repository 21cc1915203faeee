"""One logging setup for every process: the personnummer mask on library and uvicorn lines too."""

from __future__ import annotations

import io
import logging

import pytest

from services.core.logging import configure_logging


def test_uvicorn_access_lines_are_masked_and_still_formatted(monkeypatch: pytest.MonkeyPatch) -> None:
    from uvicorn.logging import AccessFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False))
    access = logging.getLogger("uvicorn.access")
    monkeypatch.setattr(access, "handlers", [handler])
    monkeypatch.setattr(access, "propagate", False)
    monkeypatch.setattr(access, "disabled", False)  # another test's dictConfig may have disabled it
    monkeypatch.setattr(access, "level", logging.INFO)
    configure_logging("INFO", json=False)
    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/ui/search?q=19121212-1212", "1.1", 200)
    line = stream.getvalue()
    assert "19121212-1212" not in line
    assert "/ui/search" in line and "200" in line  # formatted, no personnummer (issue 9 drops the query)


def test_library_lines_are_json_when_json_is_asked(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=True)
    try:
        logging.getLogger("celery.worker").warning("lost task for %s", "19121212-1212")
        err = capsys.readouterr().err
        assert '"logger": "celery.worker"' in err and "19121212-1212" not in err
    finally:
        configure_logging("INFO", json=False)


def test_the_api_factory_sets_up_logging() -> None:
    from services.api.app import create_app

    logging.getLogger().handlers = []
    create_app()
    assert any(f.__class__.__name__ == "_RedactFilter" for h in logging.getLogger().handlers for f in h.filters)


def _fail_with_personnummer() -> None:
    raise ValueError("kunde inte läsa 19121212-1212")


@pytest.mark.parametrize("json", [False, True])
def test_our_log_lines_carry_the_traceback_masked(capsys: pytest.CaptureFixture[str], json: bool) -> None:
    from services.core.logging import get_logger

    configure_logging("INFO", json=json)
    try:
        try:
            _fail_with_personnummer()
        except ValueError:
            get_logger("test.traceback").exception("step_failed")
        err = capsys.readouterr().err
        assert "Traceback" in err and "_fail_with_personnummer" in err  # not "<traceback object ...>"
        assert "traceback object" not in err and "19121212-1212" not in err
    finally:
        configure_logging("INFO", json=False)


@pytest.mark.parametrize("json", [False, True])
def test_library_tracebacks_are_printed_and_masked(capsys: pytest.CaptureFixture[str], json: bool) -> None:
    configure_logging("INFO", json=json)
    try:
        try:
            _fail_with_personnummer()
        except ValueError:
            logging.getLogger("celery.worker").error("Unrecoverable error", exc_info=True)
        err = capsys.readouterr().err
        assert "Traceback" in err and "_fail_with_personnummer" in err
        assert "19121212-1212" not in err
    finally:
        configure_logging("INFO", json=False)

"""`notify.sweep`: a notice whose `notify.delivered` message was lost (the broker away at the routing
commit, a worker killed) is still sent, once, to a real SMTP server started by the test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from services.core.db import session_scope
from services.core.models import MailItem, utcnow
from services.core.settings import reset_settings
from services.notify import service as notify
from services.users.service import create_user
from tests.support.servers import free_port


class Inbox:
    def __init__(self) -> None:
        self.rcpts: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.rcpts.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def smtp(migrated: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("POSTHANTERING_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("POSTHANTERING_SMTP_PORT", str(port))
    reset_settings()
    try:
        yield inbox
    finally:
        controller.stop()


def test_a_lost_notice_is_sent_by_the_sweep_exactly_once(smtp: Inbox) -> None:
    from workers import tasks

    with session_scope() as s:
        uid = create_user(s, "hanna", "department", ["HR"]).id
        notify.set_preferences(s, uid, "hanna@kommun.example", "immediate")
        item = MailItem(
            sha256="a" * 64,
            filename="a.pdf",
            state="routed",
            department_code="HR",
            routed_at=utcnow() - timedelta(seconds=60),
        )
        s.add(item)
    # No notify.delivered ever ran for this item (its message was lost).
    assert tasks.notify_sweep() == 1
    assert smtp.rcpts == ["hanna@kommun.example"]
    assert tasks.notify_sweep() == 0  # sent: nothing owed any more
    assert tasks.notify_delivered(item.id) == 0  # the late original message finds it sent
    assert smtp.rcpts == ["hanna@kommun.example"]

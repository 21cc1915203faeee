"""A routed letter sends `notify.delivered` only when someone of its department wants e-mail notices:
otherwise the hop is for nothing (on one worker process it delayed the next letter by a broker poll).
A notice owed after all (settings changed in between) is sent by `notify.sweep` (test_notify_tasks.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.core.db import session_scope
from services.core.models import MailItem
from services.notify import service as notify
from services.users.service import create_user
from workers import dispatch


def test_the_notice_task_is_sent_only_when_someone_wants_notices(
    migrated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workers.celery_app import app

    sent: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(app, "send_task", lambda name, args, queue: sent.append((name, args)))
    with session_scope() as s:
        item = MailItem(sha256="a" * 64, filename="a.pdf", state="routed", department_code="HR")
        s.add(item)
        s.flush()
        item_id = item.id
        hanna = create_user(s, "hanna", "department", ["HR"]).id
    assert dispatch.enqueue_for_state(item_id, "routed") is False
    assert sent == []
    with session_scope() as s:
        notify.set_preferences(s, hanna, "hanna@kommun.example", "daily")
    assert dispatch.enqueue_for_state(item_id, "routed") is True
    assert sent == [("notify.delivered", [item_id])]

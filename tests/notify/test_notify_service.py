"""Notice settings and the outbox (services/notify/service.py); sending is tested against a real SMTP
server in tests/e2e/test_ws_notify.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.core.db import session_scope
from services.core.models import MailItem
from services.core.models_workstation import Notification
from services.notify import service as notify
from services.users.service import create_user


@pytest.fixture
def db(migrated: Path) -> Iterator[None]:
    yield


def test_settings_are_validated(db: None) -> None:
    with session_scope() as session:
        uid = create_user(session, "hanna", "department", ["HR"]).id
        with pytest.raises(notify.InvalidSetting):
            notify.set_preferences(session, uid, "inte-en-adress", "immediate")
        with pytest.raises(notify.InvalidSetting):
            notify.set_preferences(session, uid, "hanna@kommun.example", "hourly")
        notify.set_preferences(session, uid, "", "none")  # no address needed to turn notices off
        assert notify.get_preferences(session, uid) == notify.Preferences("", "none")


def test_the_outbox_has_one_row_per_user_and_item_only_for_the_department(db: None) -> None:
    with session_scope() as session:
        hanna = create_user(session, "hanna", "department", ["HR"]).id
        otto = create_user(session, "otto", "department", ["HR"]).id
        olle = create_user(session, "olle", "department", ["SBN"]).id
        create_user(session, "tyst", "department", ["HR"])  # no settings: no notice
        notify.set_preferences(session, hanna, "hanna@kommun.example", "immediate")
        notify.set_preferences(session, otto, "otto@kommun.example", "daily")
        notify.set_preferences(session, olle, "olle@kommun.example", "immediate")
        item = MailItem(sha256="a" * 64, filename="x.pdf", state="routed", department_code="HR")
        session.add(item)
        session.flush()
        due = notify.record_delivery(session, item.id)
        again = notify.record_delivery(session, item.id)  # a redelivered task
        rows = session.query(Notification).all()
        assert due == again and len(due) == 1
        assert sorted((n.user_id, n.mode) for n in rows) == sorted([(hanna, "immediate"), (otto, "daily")])
        assert notify.pending_digest_users(session) == [otto]

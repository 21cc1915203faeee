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


def test_items_still_owing_a_notice_are_found_once_settled_and_until_sent(db: None) -> None:
    """The sweep's query: a routed item whose notice task was lost owes its users an e-mail; one being
    handled right now (routed seconds ago), one already noticed, and one routed days ago do not."""
    from datetime import timedelta

    from services.core.models import utcnow

    look_back, settle = timedelta(hours=24), timedelta(seconds=15)
    now = utcnow()
    with session_scope() as session:
        hanna = create_user(session, "hanna", "department", ["HR"]).id
        notify.set_preferences(session, hanna, "hanna@kommun.example", "immediate")
        ids = {}
        for name, ago in (("lost", 120), ("fresh", 1), ("old", 3 * 86400)):
            item = MailItem(
                sha256=name[0] * 64,
                filename=f"{name}.pdf",
                state="routed",
                department_code="HR",
                routed_at=now - timedelta(seconds=ago),
            )
            session.add(item)
            session.flush()
            ids[name] = item.id
        elsewhere = MailItem(
            sha256="e" * 64,
            filename="e.pdf",
            state="routed",
            department_code="SBN",
            routed_at=now - timedelta(seconds=60),
        )
        session.add(elsewhere)
        session.flush()
        assert notify.owed_items(session, look_back, settle) == [ids["lost"]]
        due = notify.record_delivery(session, ids["lost"])  # the outbox row exists, not yet sent
        assert notify.owed_items(session, look_back, settle) == [ids["lost"]]
        session.get(Notification, due[0]).sent_at = utcnow()
        assert notify.owed_items(session, look_back, settle) == []

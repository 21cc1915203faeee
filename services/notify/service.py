"""E-mail notices to department staff when mail lands in their inbox.

Each user chooses (NotificationSetting): no e-mail, one e-mail per delivered item ("immediate"), or one
summary a day ("daily", sent at POSTHANTERING_DIGEST_HOUR by the beat). A notice holds no letter content
and no personal data: only that new mail has arrived for a department, how many, and a link to the
inbox. The outbox (Notification, one row per user and item) makes the task idempotent: a redelivered
task finds the rows already there and sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import Session

from services.core.errors import DomainError
from services.core.logging import get_logger
from services.core.models import MailItem, User, UserDepartment, utcnow
from services.core.models_workstation import Notification, NotificationSetting
from services.core.settings import get_settings
from services.core.states import MailState
from services.notify import mailer

log = get_logger(__name__)
MODES = ("none", "immediate", "daily")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidSetting(DomainError):
    status_code = 422
    code = "invalid_setting"


@dataclass(frozen=True)
class Preferences:
    email: str
    mode: str


def get_preferences(session: Session, user_id: int) -> Preferences:
    row = session.get(NotificationSetting, user_id)
    return Preferences(row.email, row.mode) if row else Preferences("", "none")


def set_preferences(session: Session, user_id: int, email: str, mode: str) -> Preferences:
    email = (email or "").strip()
    if mode not in MODES:
        raise InvalidSetting("Välj hur du vill få aviseringar.")
    if mode != "none" and not _EMAIL.match(email):
        raise InvalidSetting("Ange en giltig e-postadress för aviseringarna.")
    if len(email) > 254:
        raise InvalidSetting("E-postadressen är för lång.")
    row = session.get(NotificationSetting, user_id)
    if row is None:
        row = NotificationSetting(user_id=user_id)
        session.add(row)
    row.email, row.mode = email, mode
    return Preferences(email, mode)


def _link(path: str) -> str:
    return get_settings().public_url.rstrip("/") + path


def wants_notices(session: Session, item_id: int) -> bool:
    """Whether any active user of the routed item's department wants e-mail notices (one query)."""
    item = session.get(MailItem, item_id)
    if item is None or item.state != MailState.routed.value or not item.department_code:
        return False
    return session.scalar(_subscribers(item.department_code).limit(1)) is not None


def _subscribers(department_code: str) -> Select[tuple[int, str]]:
    """(user id, mode) of the department's active users who want e-mail notices."""
    return (
        select(User.id, NotificationSetting.mode)
        .join(UserDepartment, UserDepartment.user_id == User.id)
        .join(NotificationSetting, NotificationSetting.user_id == User.id)
        .where(
            UserDepartment.department_code == department_code,
            User.active.is_(True),
            NotificationSetting.mode != "none",
            NotificationSetting.email != "",
        )
    )


def record_delivery(session: Session, item_id: int) -> list[int]:
    """Outbox rows for every active user of the item's department who wants notices; returns the ids
    of the immediate ones not yet sent."""
    item = session.get(MailItem, item_id)
    if item is None or item.state != MailState.routed.value or not item.department_code:
        return []
    users = session.execute(_subscribers(item.department_code)).all()
    have = {n.user_id: n for n in session.scalars(select(Notification).where(Notification.item_id == item_id)).all()}
    due: list[int] = []
    for user_id, mode in users:
        note = have.get(user_id)
        if note is None:
            note = Notification(user_id=user_id, item_id=item_id, department_code=item.department_code, mode=mode)
            session.add(note)
            session.flush()
        if note.mode == "immediate" and note.sent_at is None:
            due.append(note.id)
    return due


def owed_items(session: Session, look_back: timedelta, settle: timedelta) -> list[int]:
    """Items routed within `look_back` (and at least `settle` ago, so the routing's own task goes first)
    that still owe some user a notice: a lost `notify.delivered` message, or one whose e-mail failed
    until its retries ran out. One query; the sweep then does what the lost task would have done."""
    now = utcnow()
    no_row = ~exists().where(and_(Notification.item_id == MailItem.id, Notification.user_id == User.id))
    unsent = exists().where(
        and_(
            Notification.item_id == MailItem.id,
            Notification.user_id == User.id,
            Notification.mode == "immediate",
            Notification.sent_at.is_(None),
        )
    )
    rows = session.scalars(
        select(MailItem.id)
        .join(UserDepartment, UserDepartment.department_code == MailItem.department_code)
        .join(User, User.id == UserDepartment.user_id)
        .join(NotificationSetting, NotificationSetting.user_id == User.id)
        .where(
            MailItem.state == MailState.routed.value,
            MailItem.routed_at.is_not(None),
            MailItem.routed_at >= now - look_back,
            MailItem.routed_at <= now - settle,
            User.active.is_(True),
            NotificationSetting.mode != "none",
            NotificationSetting.email != "",
            no_row | unsent,
        )
        .distinct()
        .order_by(MailItem.id)
    )
    return list(rows)


def send_notice(session: Session, notification_id: int) -> bool:
    """Send one immediate notice (no letter content, only a link); False if already sent or no SMTP."""
    note = session.get(Notification, notification_id)
    if note is None or note.sent_at is not None or not mailer.smtp_configured():
        return False
    prefs = get_preferences(session, note.user_id)
    if not prefs.email:
        return False
    mailer.send(
        prefs.email,
        f"Ny post till {note.department_code} i Posthantering",
        "Hej!\n\n"
        f"Det har kommit ny post till {note.department_code}. Öppna den i Posthantering:\n"
        f"{_link(f'/ui/mail/{note.item_id}')}\n\n"
        "Det här meddelandet innehåller inga uppgifter ur brevet. Du kan ändra dina aviseringar under "
        f"Inställningar: {_link('/ui/installningar')}\n",
    )
    note.sent_at = utcnow()
    log.info("notice_sent", notification_id=note.id, mode="immediate")
    return True


def pending_digest_users(session: Session) -> list[int]:
    rows = session.scalars(
        select(Notification.user_id).where(Notification.mode == "daily", Notification.sent_at.is_(None)).distinct()
    )
    return list(rows)


def send_digest(session: Session, user_id: int) -> int:
    """One summary e-mail of a user's unsent daily notices (counts per department, a link); returns the count."""
    notes = list(
        session.scalars(
            select(Notification).where(
                Notification.user_id == user_id, Notification.mode == "daily", Notification.sent_at.is_(None)
            )
        )
    )
    prefs = get_preferences(session, user_id)
    if not notes or not prefs.email or not mailer.smtp_configured():
        return 0
    per_dept: dict[str, int] = {}
    for n in notes:
        per_dept[n.department_code] = per_dept.get(n.department_code, 0) + 1
    lines = "\n".join(f"  {code}: {count} försändelse(r)" for code, count in sorted(per_dept.items()))
    mailer.send(
        prefs.email,
        f"Posthantering: {len(notes)} ny(a) försändelse(r) i din inkorg",
        f"Hej!\n\nSedan förra sammanfattningen har det kommit ny post:\n{lines}\n\n"
        f"Öppna inkorgen: {_link('/ui/inkorg')}\n\n"
        "Det här meddelandet innehåller inga uppgifter ur breven.\n",
    )
    now = utcnow()
    for n in notes:
        n.sent_at = now
    log.info("digest_sent", user_id=user_id, count=len(notes))
    return len(notes)

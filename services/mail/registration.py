"""What people do with an item's registration record: view it (whoever may view the item), edit and
confirm it (the registry), list records for a daily import. Sender ids are masked in everything shown;
only the export to the diarium and the archive carries the full number.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from services.core.errors import Forbidden, NotFound
from services.core.models import MailItem, User
from services.core.models_registration import RegistrationRecord
from services.core.pii import mask_personnummer
from services.export import service as export
from services.mail import permissions
from services.mail.service import InvalidRequest, _human_seconds, get_item
from services.registration import service as registration
from services.registration.arrival import holiday_name
from services.users.service import actor_for

LIST_COLUMNS = (
    "item_id", "arrival_date", "status", "secret", "do_not_open", "department", "sender_name", "sender_org",
    "sender_kind", "sender_id", "letter_date", "subject", "their_ref", "our_dnr", "recipient_unit", "exported_at",
)  # fmt: skip


def _masked_fields(rec: RegistrationRecord) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, f in (rec.fields or {}).items():
        f = dict(f)
        f["value"] = mask_personnummer(str(f.get("value", "") or ""))
        f["source"] = mask_personnummer(str(f.get("source", "") or ""))
        if rec.secret and name in ("subject", "sender_name", "sender_address"):
            f["protected"] = True  # shown to the registry and the receiving department only
        out[name] = f
    return out


def as_dict(item: MailItem, rec: RegistrationRecord) -> dict[str, Any]:
    return {
        "item_id": item.id,
        "status": rec.status,
        "arrival_date": rec.arrival_date.isoformat(),
        "arrival_reason": rec.arrival_reason,
        "arrival_overridden": rec.arrival_overridden,
        "intake_channel": rec.intake_channel,
        "secret": rec.secret,
        "do_not_open": rec.do_not_open,
        "confirmed_by": rec.confirmed_by,
        "confirmed_at": rec.confirmed_at.isoformat() if rec.confirmed_at else None,
        "exported_at": rec.exported_at.isoformat() if rec.exported_at else None,
        "export_pending": rec.export_pending,
        "export": export_status(rec),
        "fields": _masked_fields(rec),
    }


EXPORT_LABELS = {
    "not_wanted": "Ingen export begärd",
    "pending": "Väntar på export",
    "retrying": "Exporten misslyckades tillfälligt; nytt försök görs",
    "failed": "Exporten misslyckades",
    "exported": "Exporterad till diariet",
}


def export_status(rec: RegistrationRecord) -> dict[str, Any]:
    """The export's state for people (Swedish label) and programs (status)."""
    if rec.export_failed_at is not None:
        status = "failed"
    elif rec.export_pending:
        status = "retrying" if rec.export_attempts else "pending"
    elif rec.exported_at is not None:
        status = "exported"
    else:
        status = "not_wanted"
    return {
        "status": status,
        "label": EXPORT_LABELS[status],
        "attempts": rec.export_attempts or 0,
        "next_try_at": rec.export_next_at.isoformat() if rec.export_next_at else None,
        "failed_at": rec.export_failed_at.isoformat() if rec.export_failed_at else None,
        "reason": rec.export_failure or "",
        "can_resend": status == "failed",
    }


def find_record(session: Session, user: User, item_id: int) -> tuple[MailItem, RegistrationRecord | None]:
    """The item (visibility checked) and its record, None while the item is still in the pipeline."""
    return get_item(session, user, item_id), registration.get_record(session, item_id)


def get_record(session: Session, user: User, item_id: int) -> tuple[MailItem, RegistrationRecord]:
    item, rec = find_record(session, user, item_id)
    if rec is None:
        raise NotFound(f"försändelse {item_id} har ingen registrering ännu")
    return item, rec


def deliveries(session: Session, item_id: int) -> list[dict[str, Any]]:
    """The export delivery log of an item (registry)."""
    return [
        {"connector": d.connector, "attempt": d.attempt, "ok": d.ok, "status_code": d.status_code,
         "detail": d.detail, "at": d.at.isoformat()}
        for d in export.deliveries(session, item_id)
    ]  # fmt: skip


def _registry_only(user: User) -> None:
    if not permissions.can_route(user):
        raise Forbidden(f"role {user.role!r} may not register mail")


def update_record(session: Session, user: User, item_id: int, changes: dict[str, Any]) -> RegistrationRecord:
    _registry_only(user)
    get_item(session, user, item_id)
    fields = changes.get("fields") or {}
    if not isinstance(fields, dict):
        raise InvalidRequest("fields must be an object of field name to value")
    return registration.update(
        session,
        item_id,
        actor_for(user),
        fields={str(k): str(v) for k, v in fields.items()},
        arrival_date=changes.get("arrival_date"),
        arrival_reason=changes.get("arrival_reason"),
        secret=changes.get("secret"),
        do_not_open_=changes.get("do_not_open"),
    )


def confirm_record(
    session: Session, user: User, item_id: int, changes: dict[str, Any] | None = None, human_seconds: float = 0.0
) -> RegistrationRecord:
    """Apply any last corrections and confirm; the export is then pending (delivered after the commit)."""
    _registry_only(user)
    seconds = _human_seconds(human_seconds)
    if changes:
        update_record(session, user, item_id, changes)
    get_item(session, user, item_id)
    return registration.confirm(session, item_id, actor_for(user), seconds)


def erms_xml(session: Session, user: User, item_id: int) -> bytes:
    _registry_only(user)
    item, _ = get_record(session, user, item_id)
    return export.erms_xml(session, item)


def list_records(
    session: Session, user: User, start: date | None, end: date | None, status: str | None = None
) -> list[dict[str, Any]]:
    _registry_only(user)
    if start and end and end < start:
        raise InvalidRequest("to must not be before from")
    rows = []
    for rec in registration.list_records(session, start, end):
        if status is not None and rec.status != status:
            continue
        item = session.get(MailItem, rec.item_id)
        v = {k: str((rec.fields or {}).get(k, {}).get("value", "") or "") for k in LIST_COLUMNS}
        v.update(
            item_id=rec.item_id,
            arrival_date=rec.arrival_date.isoformat(),
            status=rec.status,
            secret=rec.secret,
            do_not_open=rec.do_not_open,
            department=item.department_code if item else None,
            sender_id=mask_personnummer(v["sender_id"]),
            exported_at=rec.exported_at.isoformat() if rec.exported_at else "",
        )
        if rec.secret:  # the public list: the protected form of the subject, no sender name
            v["subject"] = str((rec.fields or {}).get("public_subject", {}).get("value", "") or "")
            v["sender_name"] = ""
        rows.append(v)
    return rows


def _cell(value: Any) -> Any:
    """A letter's text must not become a spreadsheet formula when the CSV is opened (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "@", "\t", "\r", "-") and not value[1:2].isdigit():
        return "'" + value
    return value


def to_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(LIST_COLUMNS), extrasaction="ignore")
    w.writeheader()
    w.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return buf.getvalue()


def resend_export(session: Session, user: User, item_id: int) -> RegistrationRecord:
    """Registry: send an export that was given up again (a new round; enqueue after the commit)."""
    _registry_only(user)
    get_item(session, user, item_id)
    return export.resend(session, item_id, actor_for(user))


def deliver_now(session: Session, item_id: int) -> bool:
    """Deliver a pending export (after the confirm's commit). A failure stays pending for the periodic task."""
    return export.deliver(session, item_id)


def stamp(rec: RegistrationRecord) -> dict[str, str]:
    """The digital arrival stamp (ankomststämpel) shown on the item."""
    holiday = holiday_name(rec.arrival_date)
    return {
        "date": rec.arrival_date.isoformat(),
        "reason": rec.arrival_reason,
        "note": f"({holiday})" if holiday else "",
    }

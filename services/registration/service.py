"""The registration record: proposed by the machine after routing, edited and confirmed by a registrar.

- `propose_record(text, ...)`: the proposal as data, nothing stored (the CLI's `register`, the bench).
- `propose(session, item, ...)`: store it for an item (the pipeline, after routing) + `registration_proposed`.
- `update(...)`: a registrar's edits (field values, arrival override with its reason, secrecy, do-not-open).
- `confirm(...)`: `registration_confirmed`; the export is then wanted (`export_pending`) and the
  export service delivers it after the commit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.core.errors import Conflict, DomainError, NotFound
from services.core.events import SYSTEM, record
from services.core.logging import get_logger
from services.core.models import MailItem, utcnow
from services.core.models_registration import RegistrationRecord
from services.core.pii import mask_personnummer
from services.core.settings import get_settings
from services.registration import arrival as fl22
from services.registration.extract import DEFAULT, FIELDS, propose_fields
from services.registration.learned.model import Ranker
from services.registration.secrecy import do_not_open, propose_secrecy

log = get_logger(__name__)
EDITABLE = (*FIELDS, "secrecy_regulation", "secrecy_why", "public_subject")
REGISTRAR = "registrator"


class InvalidRegistration(DomainError):
    status_code = 422
    code = "invalid_registration"


def propose_record(
    text: str,
    case_refs: list[str],
    own_prefixes: frozenset[str],
    *,
    sensitive_hint: bool = False,
    filename: str = "",
    ranker: Ranker | str | None = DEFAULT,
) -> dict[str, Any]:
    """Every field with {value, confidence, source, start, end}, plus secrecy and do-not-open. `ranker`:
    the learned layer over the rules (default: the one shipped with the package; None: rules alone)."""
    fields = {k: f.as_dict() for k, f in propose_fields(text, case_refs, own_prefixes, ranker=ranker).items()}
    sec = propose_secrecy(text, fields["subject"]["value"], sensitive_hint)
    fields["secret"] = {"value": "ja" if sec.secret else "nej", "confidence": sec.confidence, "source": sec.why}
    fields["secrecy_regulation"] = {"value": sec.regulation, "confidence": sec.confidence, "source": sec.why}
    fields["secrecy_why"] = {"value": sec.why, "confidence": sec.confidence, "source": ""}
    fields["public_subject"] = {"value": sec.public_subject, "confidence": sec.confidence, "source": ""}
    closed = do_not_open(text, filename)
    fields["do_not_open"] = {"value": "ja" if closed else "nej", "confidence": 0.9 if closed else 0.8, "source": ""}
    return {"fields": fields, "secret": sec.secret, "do_not_open": closed}


def empty_proposal(secret: bool) -> dict[str, Any]:
    """Every field blank at confidence 0: the registrar fills them in."""
    fields: dict[str, Any] = {k: {"value": "", "confidence": 0.0, "source": ""} for k in FIELDS}
    for k in ("secrecy_regulation", "secrecy_why", "public_subject"):
        fields[k] = {"value": "", "confidence": 0.0, "source": ""}
    fields["secret"] = {"value": "ja" if secret else "nej", "confidence": 0.0, "source": ""}
    fields["do_not_open"] = {"value": "nej", "confidence": 0.0, "source": ""}
    return {"fields": fields, "secret": secret, "do_not_open": False}


def _arrival_for(item: MailItem) -> fl22.Arrival:
    s = get_settings()
    if item.intake_channel in fl22.CHANNELS:  # as it came in (the hot folder's subfolder): settings may change
        channel = item.intake_channel
    else:
        channel = fl22.channel_for(item.channel, None, s.hotfolder_intake_channel, s.intake_channels)
    return fl22.arrival_date(item.created_at, channel, s.time_zone)


def get_record(session: Session, item_id: int) -> RegistrationRecord | None:
    return session.query(RegistrationRecord).filter_by(item_id=item_id).one_or_none()


def propose(
    session: Session, item: MailItem, own_prefixes: frozenset[str], *, auto_routed: bool = False
) -> RegistrationRecord:
    """Store the proposed record for an item (idempotent: an existing record is left alone)."""
    existing = get_record(session, item.id)
    if existing is not None:
        return existing
    try:
        proposal = propose_record(
            item.text, list(item.case_refs or []), own_prefixes, sensitive_hint=item.sensitive, filename=item.filename
        )
    except Exception as e:  # noqa: BLE001 - a rule that trips on odd text must never stop the routing
        log.warning("registration_proposal_failed", item_id=item.id, error=type(e).__name__)
        proposal = empty_proposal(item.sensitive)
    arrival = _arrival_for(item)
    settings = get_settings()
    rec = RegistrationRecord(
        item_id=item.id,
        status="proposed",
        fields=proposal["fields"],
        arrival_date=arrival.date,
        intake_channel=arrival.channel,
        arrival_reason=arrival.reason,
        arrival_overridden=False,
        secret=proposal["secret"],
        do_not_open=proposal["do_not_open"],
        export_pending=bool(auto_routed and settings.registration_auto_export),
    )
    session.add(rec)
    session.flush()
    record(
        session,
        item_id=item.id,
        actor=SYSTEM,
        action="registration_proposed",
        detail={
            "arrival_date": arrival.date.isoformat(),
            "channel": arrival.channel,
            "auto_export": rec.export_pending,
        },
    )
    return rec


def refresh_proposal(session: Session, item: MailItem, text: str, own_prefixes: frozenset[str]) -> bool:
    """A letter routed on its first pages (issue 11) whose whole text is now read: propose its record
    again from the whole text. What a registrar has corrected, and a confirmed record, are kept.
    Returns whether the record changed."""
    rec = get_record(session, item.id)
    if rec is None or rec.status != "proposed":
        return False
    try:
        proposal = propose_record(
            text, list(item.case_refs or []), own_prefixes, sensitive_hint=item.sensitive, filename=item.filename
        )
    except Exception as e:  # noqa: BLE001 - keep the first proposal rather than stop the completion
        log.warning("registration_proposal_failed", item_id=item.id, error=type(e).__name__)
        return False
    old = dict(rec.fields or {})
    new = {**proposal["fields"], **{k: v for k, v in old.items() if (v or {}).get("source") == REGISTRAR}}
    if new == old:
        return False
    rec.fields = new
    if (old.get("secret") or {}).get("source") != REGISTRAR:
        rec.secret = proposal["secret"]
    if (old.get("do_not_open") or {}).get("source") != REGISTRAR:
        rec.do_not_open = proposal["do_not_open"]
    rec.updated_at = utcnow()
    changed = sorted(k for k in new if new.get(k) != old.get(k))
    record(session, item_id=item.id, actor=SYSTEM, action="registration_reproposed", detail={"fields": changed})
    return True


def _require(session: Session, item_id: int) -> RegistrationRecord:
    rec = get_record(session, item_id)
    if rec is None:
        raise NotFound(f"item {item_id} has no registration record yet")
    return rec


def printable(value: str) -> str:
    """The text without control characters and lone surrogates (no database, JSON answer or PDF can
    carry a lone surrogate; a NUL breaks PostgreSQL): what a registrar's typed value may hold."""
    return "".join(c for c in value if c.isprintable() or c in " \t\n")


def parse_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidRegistration(f"{what}: ogiltigt datum {value!r} (ÅÅÅÅ-MM-DD)") from None


def arrival_override(value: str, reason: str | None, current: date) -> tuple[date, str] | None:
    """A registrar's arrival date other than `current`: (the date, the reason as shown), or None when it
    is the same date. Another date needs a reason and cannot lie in the future."""
    d = parse_date(value, "Inkomstdatum")
    if d == current:
        return None
    if not (reason or "").strip():
        raise InvalidRegistration("Ange skäl när inkomstdatum ändras")
    if d > utcnow().date():
        raise InvalidRegistration("Inkomstdatum kan inte ligga i framtiden")
    return d, f"Ändrat av registrator: {(reason or '').strip()}"[:1000]


def update(
    session: Session,
    item_id: int,
    actor: str,
    *,
    fields: dict[str, str] | None = None,
    arrival_date: str | None = None,
    arrival_reason: str | None = None,
    secret: bool | None = None,
    do_not_open_: bool | None = None,
) -> RegistrationRecord:
    """A registrar's corrections. Changed fields get confidence 1.0 and source "registrator"; an
    arrival date other than the rule's needs a reason."""
    rec = _require(session, item_id)
    changed: list[str] = []
    new_fields = dict(rec.fields or {})
    for name, value in (fields or {}).items():
        if name not in EDITABLE:
            raise InvalidRegistration(f"okänt fält {name!r}", fields=list(EDITABLE))
        value = printable(value or "").strip()
        if name == "letter_date" and value:
            value = parse_date(value, "Brevets datum").isoformat()
        if len(value) > 1000:
            raise InvalidRegistration(f"{name}: högst 1000 tecken")
        old = str(new_fields.get(name, {}).get("value", "") or "")
        if value != old and value == mask_personnummer(old):
            continue  # the masked form shown in the station sent back unchanged: keep the full number
        if old != value:
            new_fields[name] = {"value": value, "confidence": 1.0, "source": REGISTRAR, "start": None, "end": None}
            changed.append(name)
    override = arrival_override(arrival_date, arrival_reason, rec.arrival_date) if arrival_date else None
    if override is not None:
        rec.arrival_date, rec.arrival_reason = override
        rec.arrival_overridden = True
        changed.append("arrival_date")
    if secret is not None and secret != rec.secret:
        rec.secret = secret
        new_fields["secret"] = {"value": "ja" if secret else "nej", "confidence": 1.0, "source": REGISTRAR}
        changed.append("secret")
    if do_not_open_ is not None and do_not_open_ != rec.do_not_open:
        rec.do_not_open = do_not_open_
        new_fields["do_not_open"] = {"value": "ja" if do_not_open_ else "nej", "confidence": 1.0, "source": REGISTRAR}
        changed.append("do_not_open")
    if rec.secret and not new_fields.get("secrecy_regulation", {}).get("value"):
        raise InvalidRegistration("Ange sekretessgrund (t.ex. OSL 26 kap. 1 §) för en handling med sekretess")
    if changed:
        rec.fields = new_fields
        rec.updated_at = utcnow()
        record(session, item_id=item_id, actor=actor, action="registration_edited", detail={"fields": changed})
    return rec


def confirm(session: Session, item_id: int, actor: str, human_seconds: float = 0.0) -> RegistrationRecord:
    rec = _require(session, item_id)
    if rec.status == "confirmed":
        raise Conflict(f"registreringen för försändelse {item_id} är redan bekräftad", state=rec.status)
    if rec.secret and not (rec.fields.get("secrecy_regulation") or {}).get("value"):
        raise InvalidRegistration("Ange sekretessgrund innan registreringen bekräftas")
    rec.status = "confirmed"
    rec.confirmed_by = actor
    rec.confirmed_at = utcnow()
    rec.export_pending = True
    rec.updated_at = rec.confirmed_at
    record(
        session,
        item_id=item_id,
        actor=actor,
        action="registration_confirmed",
        human_seconds=human_seconds,
        detail={"arrival_date": rec.arrival_date.isoformat(), "secret": rec.secret},
    )
    return rec


def value(rec: RegistrationRecord, name: str) -> str:
    return str((rec.fields or {}).get(name, {}).get("value", "") or "")


def list_records(session: Session, start: date | None, end: date | None) -> list[RegistrationRecord]:
    q = session.query(RegistrationRecord)
    if start is not None:
        q = q.filter(RegistrationRecord.arrival_date >= start)
    if end is not None:
        q = q.filter(RegistrationRecord.arrival_date <= end)
    return list(q.order_by(RegistrationRecord.arrival_date, RegistrationRecord.item_id).all())


def stamp_time(rec: RegistrationRecord) -> datetime:
    return rec.confirmed_at or rec.created_at

"""Envelopes that must stay closed (personally addressed, tenders before the opening): registered from
what the registrar reads on the envelope, and forwarded unopened to the chosen department.

No scan of the content is made and nothing is read by OCR. The item's file is either a photo of the
envelope, or, with only typed fields, a one-page registration slip (registreringsblad) made here, so
the item has a document like every other (viewer, export, archive) without anything being scanned.
The item goes straight from `received` to `routed` (see services/core/states.py), its registration
record is confirmed at once (the registrar typed every field), and its export to the diarium is
pending. Tenders are marked secret under OSL 19 kap. 3 § unless the registrar says otherwise.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from services.core.events import record, transition
from services.core.models import Department, MailItem, utcnow
from services.core.models_registration import RegistrationRecord
from services.core.pii import mask_personnummer
from services.core.settings import get_settings
from services.core.states import MailState
from services.ingest.service import submit_stream
from services.registration import arrival as fl22
from services.registration.service import (
    EDITABLE,
    REGISTRAR,
    InvalidRegistration,
    arrival_override,
    parse_date,
    printable,
)

KINDS = {"anbud": "Anbud", "personligt": "Personligt adresserat", "annat": "Ska inte öppnas"}
TENDER_REGULATION = "OSL 19 kap. 3 §"
TENDER_WHY = "Anbud i upphandling: sekretess till dess att tilldelningsbeslut har fattats (OSL 19 kap. 3 §)"
CHANNEL = "registry"  # MailItem.channel: typed in at the registry's desk
TYPED = EDITABLE  # every field of the record, typed by the registrar
SENDER_KINDS = ("", "person", "company", "association", "authority")


@dataclass
class UnopenedEnvelope:
    kind: str = "anbud"  # anbud | personligt | annat
    subject: str = ""  # ärendemening; for a tender "Anbud – <upphandling>" when only `procurement` is given
    procurement: str = ""
    sender_name: str = ""
    sender_org: str = ""
    sender_kind: str = ""
    sender_address: str = ""
    sender_id: str = ""
    letter_date: str = ""
    their_ref: str = ""
    our_dnr: str = ""
    recipient_unit: str = ""  # the person or unit on the envelope
    secret: bool | None = None  # None: by kind (a tender is secret)
    secrecy_regulation: str = ""
    secrecy_why: str = ""
    public_subject: str = ""
    channel: str = fl22.POST  # post | mailbox: paper, the previous working day by FL 22 §
    arrival_date: str = ""  # an override of the rule's date, with a reason
    arrival_reason: str = ""


def _text(value: object) -> str:
    """One line of printable text: runs of white space as one space; control characters and lone
    surrogates (which no database or PDF can store) dropped."""
    return " ".join(printable(str(value or "")).split())


def _clean(env: UnopenedEnvelope) -> dict[str, str]:
    """The typed values, trimmed and checked, with the tender defaults filled in."""
    if env.kind not in KINDS:
        raise InvalidRegistration(f"okänd kuverttyp {env.kind!r}", kinds=list(KINDS))
    if env.channel not in fl22.PAPER:
        raise InvalidRegistration("Ett kuvert kommer med posten eller i brevlådan", channels=sorted(fl22.PAPER))
    values = {name: _text(getattr(env, name, "")) for name in TYPED}
    for name, value in values.items():
        if len(value) > 1000:
            raise InvalidRegistration(f"{name}: högst 1000 tecken")
    procurement = _text(env.procurement)
    if not values["subject"] and env.kind == "anbud" and procurement:
        values["subject"] = f"Anbud – {procurement}"
    if not values["subject"]:
        raise InvalidRegistration("Ange ärendemening (t.ex. ”Anbud – Snöröjning 2026–2028”)")
    if values["sender_kind"] not in SENDER_KINDS:
        raise InvalidRegistration(f"okänd avsändartyp {values['sender_kind']!r}", kinds=list(SENDER_KINDS[1:]))
    if values["letter_date"]:
        values["letter_date"] = parse_date(values["letter_date"], "Brevets datum").isoformat()
    return values


def _secrecy(env: UnopenedEnvelope, values: dict[str, str]) -> bool:
    secret = env.kind == "anbud" if env.secret is None else env.secret
    if secret and env.kind == "anbud" and not values["secrecy_regulation"]:
        values["secrecy_regulation"] = TENDER_REGULATION
        values["secrecy_why"] = values["secrecy_why"] or TENDER_WHY
    if secret and not values["secrecy_regulation"]:
        raise InvalidRegistration("Ange sekretessgrund (t.ex. OSL 26 kap. 1 §) för en handling med sekretess")
    if secret and not values["public_subject"]:
        # A tender's subject names the procurement, not a person: it is its public form too.
        values["public_subject"] = values["subject"] if env.kind == "anbud" else f"{KINDS[env.kind]} försändelse"
    return secret


def _arrival(env: UnopenedEnvelope, now: datetime) -> tuple[date, str, bool]:
    rule = fl22.arrival_date(now, env.channel, get_settings().time_zone)
    override = arrival_override(env.arrival_date, env.arrival_reason, rule.date) if env.arrival_date.strip() else None
    if override is None:
        return rule.date, rule.reason, False
    return override[0], override[1], True


def slip_pdf(values: dict[str, str], kind: str, department: Department, arrival: date) -> bytes:
    """The registration slip of an envelope registered from typed fields: what was read on it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setTitle("Registreringsblad – oöppnat kuvert")
    c.setSubject(secrets.token_hex(16))  # one slip, one file: two slips never deduplicate as one
    c.setFont("Helvetica-Bold", 16)
    c.drawString(60, 780, "Registreringsblad – oöppnat kuvert")
    c.setFont("Helvetica", 11)
    c.drawString(60, 758, "Kuvertet har inte öppnats. Innehållet har varken skannats eller lästs.")
    rows = [
        ("Typ", KINDS[kind]),
        ("Inkomstdatum", arrival.isoformat()),
        ("Ärendemening", values["subject"]),
        ("Avsändare", values["sender_name"] or values["sender_org"] or "(okänd)"),
        ("Organisation", values["sender_org"]),
        ("Adress", values["sender_address"]),
        ("Person-/org.nr", mask_personnummer(values["sender_id"])),
        ("Er referens", values["their_ref"]),
        ("Vårt diarienummer", values["our_dnr"]),
        ("Mottagare", values["recipient_unit"]),
        ("Vidarebefordras till", f"{department.name} ({department.code})"),
        ("Sekretess", values["secrecy_regulation"] or "nej"),
    ]
    y = 720
    for label, value in rows:
        if not value:
            continue
        c.setFont("Helvetica-Bold", 11)
        c.drawString(60, y, f"{label}:")
        c.setFont("Helvetica", 11)
        c.drawString(200, y, value[:80])
        y -= 20
    c.showPage()
    c.save()
    return buf.getvalue()


def register(
    session: Session,
    env: UnopenedEnvelope,
    department: Department,
    actor: str,
    *,
    photo: tuple[BinaryIO, str] | None = None,
    human_seconds: float = 0.0,
) -> tuple[MailItem, RegistrationRecord]:
    """Record the envelope as an item routed unopened to `department`, with its confirmed registration
    record (export pending). `photo`: (stream, filename) of a photo of the envelope, else a slip is made."""
    values = _clean(env)
    secret = _secrecy(env, values)
    now = utcnow()
    arrival, reason, overridden = _arrival(env, now)
    if photo is not None:
        stream, filename = photo
    else:
        stream, filename = io.BytesIO(slip_pdf(values, env.kind, department, arrival)), "registreringsblad.pdf"
    result = submit_stream(session, stream, filename=filename, channel=CHANNEL, actor=actor, intake_channel=env.channel)
    item = result.item
    if result.duplicate:
        raise InvalidRegistration(f"bilden är redan registrerad som försändelse {item.id}", item_id=item.id)
    if result.error:  # not a photo the service can store (the caller's transaction is rolled back)
        raise InvalidRegistration(f"kuvertbilden kan inte tas emot: {result.error}")
    transition(
        session,
        item,
        expected=MailState.received,
        to=MailState.routed,
        actor=actor,
        action="routed",
        human_seconds=human_seconds,
        detail={"department": department.code, "unopened": True, "kind": env.kind, "photo": photo is not None},
        values={"department_code": department.code, "routed_at": now, "sensitive": secret},
    )
    fields: dict[str, Any] = {
        name: {"value": value, "confidence": 1.0, "source": REGISTRAR, "start": None, "end": None}
        for name, value in values.items()
    }
    fields["secret"] = {"value": "ja" if secret else "nej", "confidence": 1.0, "source": REGISTRAR}
    fields["do_not_open"] = {"value": "ja", "confidence": 1.0, "source": REGISTRAR}
    fields["envelope_kind"] = {"value": env.kind, "confidence": 1.0, "source": REGISTRAR}
    rec = RegistrationRecord(
        item_id=item.id,
        status="confirmed",
        fields=fields,
        arrival_date=arrival,
        intake_channel=env.channel,
        arrival_reason=reason,
        arrival_overridden=overridden,
        secret=secret,
        do_not_open=True,
        confirmed_by=actor,
        confirmed_at=now,
        export_pending=True,
        created_at=now,
        updated_at=now,
    )
    session.add(rec)
    session.flush()
    record(
        session,
        item_id=item.id,
        actor=actor,
        action="registration_confirmed",
        detail={"arrival_date": arrival.isoformat(), "secret": secret, "do_not_open": True, "kind": env.kind},
    )
    return item, rec

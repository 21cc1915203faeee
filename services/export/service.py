"""Export of registered items: the ERMS record, the archival PDF, and delivery through the configured
connectors, with every try in the delivery log (`export_deliveries`).

An item whose record is `export_pending` (confirmed by a registrar, or auto-routed with auto-export on)
is delivered to every connector not yet delivered; when all have it, the record is marked exported and
one `registration_exported` event per connector is written ({"connector": name}).

A failed delivery is either given up or tried again:
- a permanent refusal (the webhook answered 4xx other than 408/429) gives the item up at once;
- a transient failure (5xx, 408/429, timeout, connection refused) leaves it pending for the periodic
  `export.deliver_pending` task, after a wait that doubles each round (export_retry_backoff_seconds, at
  most an hour), until export_max_attempts tries in all or export_max_age_hours since the first: then
  it is given up too.
Given up = not pending, `export_failed_at` and a Swedish `export_failure` reason on the record, a
`registration_export_failed` event: the registry sees it in the item view and the delivery log, the
metrics count it, and `resend` starts a new round (`registration_export_resent`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.core.blobs import get_blob_store
from services.core.errors import Conflict, NotFound
from services.core.events import SYSTEM, record
from services.core.logging import get_logger
from services.core.models import MailItem, utcnow
from services.core.models_registration import ExportDelivery, RegistrationRecord
from services.core.pii import mask_personnummer
from services.core.settings import Settings, get_settings
from services.export import erms
from services.export.connectors import Connector, FileDrop, Package, Try, Webhook

log = get_logger(__name__)
EXTENSIONS = {"application/pdf": ".pdf", "image/tiff": ".tif", "image/png": ".png", "image/jpeg": ".jpg"}
SEARCHABLE = "searchable.pdf"


def connectors(settings: Settings | None = None) -> list[Connector]:
    s = settings or get_settings()
    out: list[Connector] = []
    for name in (n.strip() for n in s.export_connectors.split(",") if n.strip()):
        if name == "filedrop":
            assert s.export_dir is not None
            out.append(FileDrop(s.export_dir))
        elif name == "webhook" and s.export_webhook_url:
            out.append(
                Webhook(
                    s.export_webhook_url,
                    s.export_webhook_secret,
                    s.export_webhook_tries,
                    s.export_webhook_backoff_seconds,
                    s.export_webhook_timeout_seconds,
                )
            )
    return out


def _values(rec: RegistrationRecord) -> dict[str, str]:
    return {k: str(v.get("value", "") or "") for k, v in (rec.fields or {}).items() if isinstance(v, dict)}


def erms_input(item: MailItem, rec: RegistrationRecord, with_archival: bool) -> erms.ErmsInput:
    settings = get_settings()
    ext = EXTENSIONS.get(item.mime, "")
    return erms.ErmsInput(
        item_id=item.id,
        fields=_values(rec),
        arrival_date=rec.arrival_date,
        registered_at=(rec.confirmed_at or rec.created_at).replace(
            tzinfo=(rec.confirmed_at or rec.created_at).tzinfo or UTC
        ),
        secret=rec.secret,
        authority=settings.authority_name,
        department=item.department_code,
        original_name=f"original{ext}",
        original_format=item.mime,
        archival_pdf_name="archival.pdf" if with_archival else None,
        do_not_open=rec.do_not_open,
    )


def erms_xml(session: Session, item: MailItem) -> bytes:
    rec = session.scalars(select(RegistrationRecord).where(RegistrationRecord.item_id == item.id)).one_or_none()
    if rec is None:
        raise NotFound(f"item {item.id} has no registration record yet")
    return erms.build(erms_input(item, rec, with_archival=True))


def archival_pdf(item: MailItem) -> Path:
    """The item's PDF/A-2b, made once and kept as a derived blob."""
    from services.export.archival import ARCHIVAL, make_pdfa  # pikepdf: loaded only when exporting

    store = get_blob_store()
    dest = store.derived_path(item.sha256, ARCHIVAL)
    if dest.exists():
        return dest
    searchable = store.derived_path(item.sha256, SEARCHABLE)
    source, mime = (searchable, "application/pdf") if searchable.exists() else (store.path(item.sha256), item.mime)
    return make_pdfa(source, mime, dest, title=f"Försändelse {item.id}")


def payload(item: MailItem, rec: RegistrationRecord) -> dict[str, Any]:
    return {
        "item_id": item.id,
        "direction": "incoming",
        "status": rec.status,
        "arrival_date": rec.arrival_date.isoformat(),
        "arrival_reason": rec.arrival_reason,
        "intake_channel": rec.intake_channel,
        "secret": rec.secret,
        "do_not_open": rec.do_not_open,
        "department": item.department_code,
        "confirmed_by": rec.confirmed_by,
        "confirmed_at": rec.confirmed_at.isoformat() if rec.confirmed_at else None,
        "fields": _values(rec),
    }


def package(item: MailItem, rec: RegistrationRecord) -> Package:
    store = get_blob_store()
    files: dict[str, Path] = {}
    archival: Path | None = None
    if not rec.do_not_open:  # an unopened envelope has no content to archive yet
        try:
            archival = archival_pdf(item)
        except Exception as e:  # noqa: BLE001 - a PDF the archiver cannot read still exports its record
            log.warning("archival_pdf_failed", item_id=item.id, error=type(e).__name__)
    ext = EXTENSIONS.get(item.mime, "")
    files[f"original{ext}"] = store.path(item.sha256)
    if archival is not None:
        files["archival.pdf"] = archival
    xml = erms.build(erms_input(item, rec, with_archival=archival is not None))
    return Package(item.id, payload(item, rec), xml, files)


def delivered_connectors(session: Session, item_id: int) -> set[str]:
    rows = session.scalars(
        select(ExportDelivery.connector).where(ExportDelivery.item_id == item_id, ExportDelivery.ok.is_(True))
    )
    return set(rows)


def deliver(session: Session, item_id: int, targets: list[Connector] | None = None) -> bool:
    """Deliver a pending record to every connector that does not have it yet. True when all have it."""
    rec = session.scalars(select(RegistrationRecord).where(RegistrationRecord.item_id == item_id)).one_or_none()
    item = session.get(MailItem, item_id)
    if rec is None or item is None or not rec.export_pending:
        return False
    if item.text_pending:  # decided on its first pages (issue 11): the archive gets the whole letter
        return False
    targets = connectors() if targets is None else targets
    done = delivered_connectors(session, item_id)
    todo = [c for c in targets if c.name not in done]
    if not targets:
        return False  # nothing configured: stays pending, visible to the operator
    pkg = package(item, rec) if todo else None
    now = utcnow()
    if todo and rec.export_started_at is None:
        rec.export_started_at = now
    all_ok = True
    refusals: list[str] = []
    last_errors: list[str] = []
    for conn in todo:
        assert pkg is not None
        tries = conn.deliver(pkg)
        before = _tries_so_far(session, item_id, conn.name)
        for n, t in enumerate(tries, start=1):
            if not t.ok:  # the round's failed tries: what the give-up counts
                rec.export_attempts = (rec.export_attempts or 0) + 1
            session.add(
                ExportDelivery(
                    item_id=item_id,
                    connector=conn.name,
                    attempt=before + n,
                    ok=t.ok,
                    status_code=t.status_code,
                    detail=mask_personnummer(t.detail)[:1000],
                )
            )
        ok = bool(tries) and tries[-1].ok
        all_ok = all_ok and ok
        if ok:
            record(
                session, item_id=item_id, actor=SYSTEM, action="registration_exported", detail={"connector": conn.name}
            )
            continue
        log.warning("export_failed", item_id=item_id, connector=conn.name, tries=len(tries))
        last = tries[-1] if tries else Try(False, None, "inget försök gjordes")
        if last.permanent:
            refusals.append(f"{conn.name} avvisade försändelsen ({_answer(last)}); ett nytt försök ger samma svar")
        else:
            last_errors.append(f"{conn.name}: {_answer(last)}")
    if all_ok:
        rec.export_pending = False
        rec.exported_at = utcnow()
        rec.export_next_at = None
        return True
    if refusals:
        _give_up(session, rec, "Mottagaren " + "; ".join(refusals) + ".")
    else:
        _retry_later(session, rec, now, last_errors)
    return False


def _tries_so_far(session: Session, item_id: int, connector: str) -> int:
    q = select(func.count()).where(ExportDelivery.item_id == item_id, ExportDelivery.connector == connector)
    return int(session.scalar(q) or 0)


def _answer(t: Try) -> str:
    text = mask_personnummer(" ".join(t.detail.split()))[:200]
    if t.status_code is not None:
        return f"HTTP {t.status_code}" + (f": {text}" if text else "")
    return text or "inget svar"


def _retry_later(session: Session, rec: RegistrationRecord, now: datetime, errors: list[str]) -> None:
    """A transient failure: wait (doubling) and try again, or give up after too many tries or too long."""
    s = get_settings()
    started = _aware(rec.export_started_at or now)
    age = now - started
    if rec.export_attempts >= s.export_max_attempts or age >= timedelta(hours=s.export_max_age_hours):
        hours = age.total_seconds() / 3600
        _give_up(
            session,
            rec,
            f"Gav upp efter {rec.export_attempts} försök under {hours:.1f} timmar. Senaste fel: "
            + "; ".join(errors)
            + ".",
        )
        return
    rounds = max(0, rec.export_attempts - 1)
    wait = min(3600.0, s.export_retry_backoff_seconds * 2 ** min(rounds, 12))
    rec.export_next_at = now + timedelta(seconds=wait)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _give_up(session: Session, rec: RegistrationRecord, reason: str) -> None:
    rec.export_pending = False
    rec.export_next_at = None
    rec.export_failed_at = utcnow()
    rec.export_failure = reason[:1000]
    record(
        session,
        item_id=rec.item_id,
        actor=SYSTEM,
        action="registration_export_failed",
        detail={"reason": rec.export_failure, "attempts": rec.export_attempts},
    )
    log.warning("export_given_up", item_id=rec.item_id, attempts=rec.export_attempts)


def resend(session: Session, item_id: int, actor: str) -> RegistrationRecord:
    """Start a new delivery round for an export that was given up (after the receiver is fixed). The
    connectors that already have the item are not sent it again."""
    rec = session.scalars(select(RegistrationRecord).where(RegistrationRecord.item_id == item_id)).one_or_none()
    if rec is None:
        raise NotFound(f"försändelse {item_id} har ingen registrering ännu")
    if rec.export_failed_at is None:
        raise Conflict(
            f"exporten av försändelse {item_id} har inte misslyckats; den kan inte skickas om",
            state="pending" if rec.export_pending else ("exported" if rec.exported_at else rec.status),
        )
    previous = rec.export_failure
    rec.export_pending = True
    rec.export_attempts = 0
    rec.export_started_at = None
    rec.export_next_at = None
    rec.export_failed_at = None
    rec.export_failure = ""
    record(session, item_id=item_id, actor=actor, action="registration_export_resent", detail={"previous": previous})
    return rec


def pending_ids(session: Session, limit: int = 100) -> list[int]:
    """Records waiting for their export whose next try is due (not while the letter's pages are still
    being read: issue 11, an early-routed letter)."""
    now = utcnow()
    q = (
        select(RegistrationRecord.item_id)
        .join(MailItem, MailItem.id == RegistrationRecord.item_id)
        .where(
            RegistrationRecord.export_pending.is_(True),
            or_(RegistrationRecord.export_next_at.is_(None), RegistrationRecord.export_next_at <= now),
            MailItem.text_pending.is_(False),
        )
        .limit(limit)
    )
    return list(session.scalars(q))


def export_counts(session: Session) -> dict[str, int]:
    """Records by export status, for the metrics: pending (waiting or retrying) and failed (given up)."""
    pending = session.scalar(select(func.count()).where(RegistrationRecord.export_pending.is_(True))) or 0
    failed = session.scalar(select(func.count()).where(RegistrationRecord.export_failed_at.is_not(None))) or 0
    return {"pending": int(pending), "failed": int(failed)}


def deliveries(session: Session, item_id: int) -> list[ExportDelivery]:
    q = select(ExportDelivery).where(ExportDelivery.item_id == item_id).order_by(ExportDelivery.id)
    return list(session.scalars(q))

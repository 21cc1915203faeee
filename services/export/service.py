"""Export of registered items: the ERMS record, the archival PDF, and delivery through the configured
connectors, with every try in the delivery log (`export_deliveries`).

An item whose record is `export_pending` (confirmed by a registrar, or auto-routed with auto-export on)
is delivered to every connector not yet delivered; when all have it, the record is marked exported and
one `registration_exported` event per connector is written ({"connector": name}). A failed connector
leaves the record pending: the periodic `export.deliver_pending` task tries again.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.blobs import get_blob_store
from services.core.errors import NotFound
from services.core.events import SYSTEM, record
from services.core.logging import get_logger
from services.core.models import MailItem, utcnow
from services.core.models_registration import ExportDelivery, RegistrationRecord
from services.core.pii import mask_personnummer
from services.core.settings import Settings, get_settings
from services.export import erms
from services.export.connectors import Connector, FileDrop, Package, Webhook

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
    all_ok = True
    for conn in todo:
        assert pkg is not None
        tries = conn.deliver(pkg)
        for n, t in enumerate(tries, start=1):
            session.add(
                ExportDelivery(
                    item_id=item_id,
                    connector=conn.name,
                    attempt=n,
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
        else:
            log.warning("export_failed", item_id=item_id, connector=conn.name, tries=len(tries))
    if all_ok:
        rec.export_pending = False
        rec.exported_at = utcnow()
    return all_ok


def pending_ids(session: Session, limit: int = 100) -> list[int]:
    q = (
        select(RegistrationRecord.item_id)
        .join(MailItem, MailItem.id == RegistrationRecord.item_id)
        .where(RegistrationRecord.export_pending.is_(True), MailItem.text_pending.is_(False))
        .limit(limit)
    )
    return list(session.scalars(q))


def deliveries(session: Session, item_id: int) -> list[ExportDelivery]:
    q = select(ExportDelivery).where(ExportDelivery.item_id == item_id).order_by(ExportDelivery.id)
    return list(session.scalars(q))

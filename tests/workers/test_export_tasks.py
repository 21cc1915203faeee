"""The export tasks: `export.deliver_pending` finds every record waiting for its export and
`export.deliver` delivers one through the configured connectors (here the default file drop)."""

from __future__ import annotations

from pathlib import Path

import img2pdf
import pytest
from PIL import Image

from services.core.blobs import get_blob_store
from services.core.db import session_scope
from services.core.models import Event, MailItem, Page
from services.core.models_registration import RegistrationRecord
from services.core.settings import get_settings


def _item(session: object) -> int:
    import io

    buf = io.BytesIO()
    Image.new("L", (200, 280), 255).save(buf, "PNG")
    sha = get_blob_store().put_bytes(img2pdf.convert(buf.getvalue()))
    item = MailItem(sha256=sha, filename="brev.pdf", mime="application/pdf", state="routed", department_code="KS")
    item.pages = [Page(index=0, text="Hej", method="ocr", confidence=90.0)]
    session.add(item)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    return item.id


def test_pending_exports_are_delivered_by_the_tasks(migrated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    from workers import tasks

    with session_scope() as s:
        item_id = _item(s)
        s.add(
            RegistrationRecord(
                item_id=item_id,
                status="confirmed",
                fields={"subject": {"value": "Synpunkt", "confidence": 1.0}},
                arrival_date=date(2025, 6, 19),
                export_pending=True,
            )
        )
    sent: list[int] = []
    monkeypatch.setattr(tasks.export_deliver, "delay", lambda i: sent.append(i))
    assert tasks.export_deliver_pending() == 1
    assert sent == [item_id]
    assert tasks.export_deliver(item_id) is True  # a direct call runs the task body
    folder = get_settings().export_dir / str(item_id)
    assert (folder / ".done").exists() and (folder / "erms.xml").exists()
    with session_scope() as s:
        assert s.query(Event).filter_by(item_id=item_id, action="registration_exported").count() == 1
    assert tasks.export_deliver_pending() == 0

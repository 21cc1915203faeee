"""The files behind a mail item, for download: the original as received, and its searchable PDF.

Permission is the same as viewing the item. The original is the content-addressed blob, never
changed; the searchable PDF is the derived file the extraction step wrote (for an item whose pages
all had a real text layer, the original PDF is already searchable and is served instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from services.core.blobs import get_blob_store
from services.core.errors import NotFound
from services.core.models import User
from services.ingest.pdf_output import SEARCHABLE
from services.ingest.sniff import PDF
from services.mail.service import get_item

EXTENSIONS = {"application/pdf": ".pdf", "image/tiff": ".tif", "image/png": ".png", "image/jpeg": ".jpg"}


@dataclass(frozen=True)
class ItemFile:
    path: Path
    media_type: str
    filename: str


def _stem(filename: str) -> str:
    return Path(filename).stem or "post"


def original_file(session: Session, user: User, item_id: int) -> ItemFile:
    item = get_item(session, user, item_id)
    path = get_blob_store().path(item.sha256)
    if not path.exists():
        raise NotFound(f"the original of item {item_id} is not in the blob store")
    name = item.filename if Path(item.filename).suffix else _stem(item.filename) + EXTENSIONS.get(item.mime, "")
    return ItemFile(path, item.mime, name)


def searchable_pdf(session: Session, user: User, item_id: int) -> ItemFile:
    item = get_item(session, user, item_id)
    store = get_blob_store()
    derived = store.fetch(item.sha256, SEARCHABLE)
    filename = f"{_stem(item.filename)}.searchable.pdf"
    if derived is not None:
        return ItemFile(derived, PDF, filename)
    ocr_pages = [p for p in item.pages if p.method == "ocr"]
    if item.mime == PDF and item.pages and not ocr_pages and store.path(item.sha256).exists():
        return ItemFile(store.path(item.sha256), PDF, filename)  # its own text layer is searchable
    raise NotFound(f"item {item_id} has no searchable PDF (yet)")

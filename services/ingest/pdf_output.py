"""The searchable PDF: every page of a scanned item as its image with an invisible text layer.

Tesseract renders each OCR'd page as a one-page PDF in the same pass that reads it (no second
recognition); the pages are left in a work folder beside the blob and joined here, one page at a
time, into a derived blob `<sha>.searchable.pdf`. Pages that were not OCR'd (a real text layer, a
blank page) are taken from the original: the PDF page itself, or the image frame. The original blob
is never touched.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pypdfium2 as pdfium

from services.core.blobs import BlobStore
from services.core.logging import get_logger
from services.ingest.sniff import PDF, PDFIUM_LOCK, open_image

log = get_logger(__name__)

SEARCHABLE = "searchable.pdf"
PAGES_DIR = "pages"


def searchable_pdf_path(store: BlobStore, sha: str) -> Path:
    return store.derived_path(sha, SEARCHABLE)


def page_pdf_dir(store: BlobStore, sha: str) -> Path:
    """Where OCR leaves each page's PDF until the document is joined."""
    return store.derived_path(sha, PAGES_DIR)


def page_pdf_path(pdf_dir: Path, index: int) -> Path:
    return pdf_dir / f"page-{index:05d}.pdf"


def publish_page_pdf(store: BlobStore, sha: str, index: int) -> None:
    """Share one page's PDF with the process that will join the document (maybe on another host)."""
    store.publish(sha, f"{PAGES_DIR}/{page_pdf_path(Path(), index).name}")


def drop_page_pdf(store: BlobStore, sha: str, index: int) -> None:
    store.drop(sha, f"{PAGES_DIR}/{page_pdf_path(Path(), index).name}")


def build_searchable_pdf(original: Path, mime: str, indices: list[int], pdf_dir: Path, dest: Path) -> int:
    """Join page PDFs (or the original's pages where there is none) into `dest`, atomically.

    Returns the number of pages that carry an OCR text layer.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    ocr_pages = 0
    with PDFIUM_LOCK:
        out = pdfium.PdfDocument.new()
        source = pdfium.PdfDocument(str(original)) if mime == PDF else None
        opened: list[pdfium.PdfDocument] = []
        try:
            for index in sorted(indices):
                page_pdf = page_pdf_path(pdf_dir, index)
                if page_pdf.exists():
                    doc = pdfium.PdfDocument(str(page_pdf))
                    ocr_pages += 1
                elif source is not None:
                    out.import_pages(source, pages=[index])
                    continue
                else:
                    doc = pdfium.PdfDocument(_image_frame_pdf(original, index))
                opened.append(doc)
                out.import_pages(doc, pages=[0])
            out.save(str(tmp))
        finally:
            out.close()
            for doc in opened:
                doc.close()
            if source is not None:
                source.close()
    os.replace(tmp, dest)
    return ocr_pages


def _image_frame_pdf(original: Path, index: int) -> bytes:
    """A page without OCR (blank) from an image original: the frame itself as a PDF page."""
    with open_image(original) as im:
        im.seek(index)
        frame = im.copy()
    dpi = frame.info.get("dpi") or (300, 300)
    buf = io.BytesIO()
    frame.convert("L" if frame.mode not in ("1", "L") else frame.mode).save(buf, "PDF", resolution=float(dpi[0]))
    return buf.getvalue()


def discard_page_pdfs(store: BlobStore, sha: str) -> None:
    store.drop(sha, PAGES_DIR)


def finish_searchable_pdf(store: BlobStore, sha: str, mime: str, indices: list[int]) -> Path | None:
    """After every page is read: join the searchable PDF when any page was OCR'd, then drop the work folder.

    A failure here is logged, not raised: the item's text is what the pipeline needs.
    """
    try:
        pdf_dir = store.fetch_dir(sha, PAGES_DIR)  # pages read by other processes or hosts
        if not pdf_dir.exists() or not any(pdf_dir.glob("page-*.pdf")):
            return None
        dest = searchable_pdf_path(store, sha)
        build_searchable_pdf(store.path(sha), mime, indices, pdf_dir, dest)
        store.publish(sha, SEARCHABLE)
        return dest
    except Exception as e:  # noqa: BLE001 - the searchable PDF is a by-product; never fail the item for it
        log.warning("searchable_pdf_failed", sha=sha[:12], error=f"{type(e).__name__}: {e}")
        return None
    finally:
        try:
            store.drop(sha, PAGES_DIR)
        except Exception as e:  # noqa: BLE001 - leftover work files are harmless
            log.warning("page_pdfs_not_dropped", sha=sha[:12], error=type(e).__name__)

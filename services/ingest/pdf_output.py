"""The searchable PDF: every page of a scanned item as its image with an invisible text layer.

Tesseract renders each OCR'd page as a one-page PDF in the same pass that reads it (no second
recognition); the pages are left in a work folder beside the blob and joined here, one page at a
time, into a derived blob `<sha>.searchable.pdf`. Pages that were not OCR'd (a real text layer, a
blank page) are taken from the original: the PDF page itself, or the image frame. An OCR'd page whose
original is a JPEG keeps that JPEG stream as it is, with tesseract's invisible text laid over it
(`keep_original_jpegs`): tesseract's own page holds the image re-encoded, several times larger. The
original blob is never touched.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

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
    ocr_indices = [i for i in sorted(indices) if page_pdf_path(pdf_dir, i).exists()]
    try:
        keep_original_jpegs(tmp, original, mime, sorted(indices), ocr_indices)
    except Exception as e:  # noqa: BLE001 - the joined PDF as tesseract made it is still searchable
        log.warning("keep_original_jpegs_failed", error=f"{type(e).__name__}: {e}")
    os.replace(tmp, dest)
    return ocr_pages


def _has_jpeg(page: Any) -> bool:
    import pikepdf

    for image in page.images.values():
        filters = image.get("/Filter")
        names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
        if "/DCTDecode" in names:
            return True
    return False


def _same_size(a: Any, b: Any) -> bool:
    (aw, ah), (bw, bh) = (_size(a), _size(b))
    return abs(aw - bw) <= 0.02 * bw and abs(ah - bh) <= 0.02 * bh


def _size(page: Any) -> tuple[float, float]:
    box = [float(v) for v in page.mediabox]
    w, h = box[2] - box[0], box[3] - box[1]
    return (h, w) if int(page.obj.get("/Rotate", 0)) % 180 else (w, h)


def _strip_images(pdf: Any, page: Any) -> None:
    """Leave only tesseract's invisible text: drop the image it drew (`Do`) and its XObjects."""
    import pikepdf

    kept = [(operands, op) for operands, op in pikepdf.parse_content_stream(page) if str(op) != "Do"]
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
    if "/XObject" in page.obj.Resources:
        del page.obj.Resources["/XObject"]


def keep_original_jpegs(path: Path, original: Path, mime: str, indices: list[int], ocr_indices: list[int]) -> int:
    """Tesseract's page PDF holds the page image re-encoded (lossless, several times the JPEG's size).
    For an OCR'd page whose original is a JPEG (a JPEG file, or a PDF page drawing a JPEG), put the
    original page back, untouched, with tesseract's invisible text laid over it. Pages whose size
    differs (turned 90 degrees to be read) keep tesseract's page. Returns the pages replaced."""
    if not ocr_indices or mime not in (PDF, "image/jpeg"):
        return 0
    import img2pdf  # imported here: only OCR'd JPEG pages need them
    import pikepdf

    replaced = 0
    with pikepdf.open(path, allow_overwriting_input=True) as out:
        wrapped = original if mime == PDF else io.BytesIO(img2pdf.convert(str(original)))
        with pikepdf.open(wrapped) as source:
            for index in ocr_indices:
                pos = indices.index(index)
                if index >= len(source.pages):
                    continue
                base = source.pages[index]
                if not _has_jpeg(base) or not _same_size(base, out.pages[pos]):
                    continue
                text_layer = pikepdf.Pdf.new()
                text_layer.pages.append(out.pages[pos])
                _strip_images(text_layer, text_layer.pages[0])
                out.pages.insert(pos, base)
                new = out.pages[pos]
                new.add_overlay(text_layer.pages[0])
                del out.pages[pos + 1]
                replaced += 1
        if replaced:
            out.remove_unreferenced_resources()
            out.save(path)
    return replaced


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

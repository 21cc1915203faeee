"""The searchable PDF: every page of a scanned item as its original image with an invisible text layer.

Tesseract writes each OCR'd page's invisible text as a one-page PDF in the same pass that reads it
(no second recognition, and no image: `textonly_pdf`); the pages are left in a work folder beside the
blob and joined here into a derived blob `<sha>.searchable.pdf`, each text layer laid over the
original page as it is: the PDF page itself, or the image frame wrapped by img2pdf (JPEG, PNG and
CCITT TIFF streams embedded byte for byte). Tesseract re-encoding the page image cost CPU on every
page and made the file several times larger. A page read turned keeps its original too, shown upright
(/Rotate) with the text over it. A page whose original carries a rejected text layer has tesseract's
whole page instead: the rendered image with only the OCR text. Pages that were not
OCR'd (a real text layer, a blank page) are the original's. The original blob is never touched.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import img2pdf
import pikepdf
from PIL import Image, ImageOps

from services.core.blobs import BlobStore
from services.core.logging import get_logger
from services.ingest.ocr import to_grayscale
from services.ingest.sniff import JPEG, PDF, image_dpi, open_image

log = get_logger(__name__)

SEARCHABLE = "searchable.pdf"
PAGES_DIR = "pages"
# A text layer and the original page under it may differ this much in shape (rounding of the dpi).
SHAPE_TOLERANCE = 0.02


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
    """Join the original's pages, each OCR'd one with its text layer, into `dest`, atomically.

    Returns the number of pages that carry an OCR text layer.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    ocr_pages = 0
    opened: list[pikepdf.Pdf] = []  # foreign pages are copied when `out` is saved: keep them open till then
    try:
        with _Originals(original, mime) as source, pikepdf.Pdf.new() as out:
            for index in sorted(indices):
                page_pdf = page_pdf_path(pdf_dir, index)
                if not page_pdf.exists():
                    out.pages.append(source.page(index))
                    continue
                ocr_pages += 1
                text = pikepdf.open(io.BytesIO(page_pdf.read_bytes()))
                opened.append(text)
                layer = text.pages[0]
                if not is_text_only(layer):
                    out.pages.append(layer)  # tesseract's own page (the original has a text layer to hide)
                    continue
                base = source.page(index)
                if not _same_shape(base, layer):  # e.g. a mirrored EXIF orientation img2pdf ignores
                    base = source.frame_page(index)
                out.pages.append(base)
                page = out.pages[-1]
                page.add_overlay(layer)
                if turned := (360 - _rotation(layer)) % 360:  # read turned: show the page upright
                    page.Rotate = (_rotation(page) + turned) % 360
            out.remove_unreferenced_resources()
            out.save(tmp)
    finally:
        for doc in opened:
            doc.close()
    os.replace(tmp, dest)
    return ocr_pages


def is_text_only(page: pikepdf.Page) -> bool:
    """A page of tesseract's `textonly_pdf` output: text, no image."""
    resources = page.obj.get("/Resources")
    return resources is None or "/XObject" not in resources


def turn_back_layer(pdf: bytes, degrees: int) -> bytes | None:
    """The text-only page of a reading of the page turned `degrees` clockwise, set to show as the
    original lies (/Rotate), so that it fits over the original page; the join turns the joined page
    upright again. None (logged) if tesseract's PDF cannot be read: the searchable PDF is a by-product."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            doc.pages[0].Rotate = (360 - degrees) % 360
            buf = io.BytesIO()
            doc.save(buf)
    except pikepdf.PdfError as e:
        log.warning("text_layer_not_turned", error=f"{type(e).__name__}: {e}")
        return None
    return buf.getvalue()


def _rotation(page: pikepdf.Page) -> int:
    return int(page.obj.get("/Rotate", 0)) % 360


def _size(page: pikepdf.Page) -> tuple[float, float]:
    box = [float(v) for v in page.trimbox]
    w, h = box[2] - box[0], box[3] - box[1]
    return (h, w) if _rotation(page) % 180 else (w, h)


def _same_shape(base: pikepdf.Page, layer: pikepdf.Page) -> bool:
    """The text layer is scaled onto the page it covers: it fits where both have the same shape."""
    (bw, bh), (lw, lh) = _size(base), _size(layer)
    return abs(bw / bh - lw / lh) <= SHAPE_TOLERANCE * (lw / lh)


class _Originals:
    """The original's pages as PDF pages: a PDF's own, or an image's frames wrapped without re-encoding."""

    def __init__(self, original: Path, mime: str) -> None:
        self.original, self.mime = original, mime
        self.pdf: pikepdf.Pdf | None = None
        self.wrapped = mime == PDF  # an image is wrapped when its first page is asked for
        self.frames: list[pikepdf.Pdf] = []  # one-page wraps of single frames (fallbacks)

    def __enter__(self) -> _Originals:
        if self.mime == PDF:
            self.pdf = pikepdf.open(self.original)
        return self

    def __exit__(self, *exc: object) -> None:
        for doc in [self.pdf, *self.frames]:
            if doc is not None:
                doc.close()

    def page(self, index: int) -> pikepdf.Page:
        if not self.wrapped:
            self.wrapped, self.pdf = True, self._wrap_image()
        if self.pdf is None:
            return self.frame_page(index)
        return self.pdf.pages[index]

    def frame_page(self, index: int) -> pikepdf.Page:
        """The frame as OCR saw it (upright per EXIF, grayscale), losslessly: for an image img2pdf
        cannot embed as it is. A PDF original's page is always its own."""
        if self.mime == PDF:
            return self.page(index)
        doc = pikepdf.open(io.BytesIO(_image_frame_pdf(self.original, index, self.mime)))
        self.frames.append(doc)
        return doc.pages[0]

    def _wrap_image(self) -> pikepdf.Pdf | None:
        try:
            layout = _dpi_layout(_frame_dpis(self.original))
            data = img2pdf.convert(str(self.original), layout_fun=layout, rotation=img2pdf.Rotation.ifvalid)
            return pikepdf.open(io.BytesIO(data))
        except Exception as e:  # noqa: BLE001 - alpha, 16 bits, odd TIFFs: each frame re-encoded losslessly
            log.info("image_not_wrapped_as_is", error=f"{type(e).__name__}: {e}")
            return None


def _frame_dpis(original: Path) -> list[int]:
    """Each frame's resolution as OCR took it (no or nonsense resolution: 300)."""
    out = []
    with open_image(original) as im:
        for index in range(getattr(im, "n_frames", 1)):
            im.seek(index)
            out.append(image_dpi(im))
    return out


def _dpi_layout(dpis: list[int]) -> Any:
    """An img2pdf layout: each frame's page sized by the resolution tesseract was told."""
    frames = iter(dpis)

    def layout(width_px: int, height_px: int, _ndpi: object) -> tuple[float, float, float, float]:
        dpi = next(frames, dpis[-1])
        w, h = width_px * 72 / dpi, height_px * 72 / dpi
        return w, h, w, h

    return layout


def _image_frame_pdf(original: Path, index: int, mime: str) -> bytes:
    """One frame as a PDF page, losslessly (grayscale PNG through img2pdf), upright per EXIF."""
    with open_image(original) as im:
        im.seek(index)
        frame: Image.Image = im.copy()
        dpi = image_dpi(im)
    if mime == JPEG:
        frame = ImageOps.exif_transpose(frame)
    buf = io.BytesIO()
    to_grayscale(frame).save(buf, "PNG", compress_level=1)
    return img2pdf.convert(buf.getvalue(), layout_fun=_dpi_layout([dpi]))


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

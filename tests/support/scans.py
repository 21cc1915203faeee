"""Rendered scans as page images, and multi-page letters made of them (tests and bench/)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any


def page_images(path: Path, dpi: int = 300) -> Iterator[Any]:
    """Every page of a rendered scan as a PIL image (PDF pages rendered at `dpi`)."""
    from PIL import Image

    if path.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            for i in range(len(pdf)):
                page = pdf[i]
                yield page.render(scale=dpi / 72, grayscale=True).to_pil().copy()
                page.close()
        finally:
            pdf.close()
        return
    with Image.open(path) as im:
        i = 0
        while True:
            try:
                im.seek(i)
            except EOFError:
                return
            im.load()
            yield im.copy()
            i += 1


def multi_page_letter(dest: Path, scans: list[Path], pages: int | None = None) -> Path:
    """One multi-page TIFF (300 dpi) of the pages of `scans`, in order, cut at `pages`: the first
    scan's first page is the letter's first page, the others stand for its attachments."""
    images = [im.convert("L") for scan in scans for im in page_images(scan)]
    images = images[:pages] if pages is not None else images
    assert images and (pages is None or len(images) == pages), f"{len(images)} pages rendered, {pages} wanted"
    dest.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(dest, save_all=True, append_images=images[1:], compression="tiff_lzw", dpi=(300, 300))
    return dest

"""Per-page choice between a PDF's text layer and OCR, and the junk-text-layer check, on purpose-made PDFs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from services.core.settings import get_settings
from services.ingest.extract import extract_document
from services.ingest.pdf_output import build_searchable_pdf
from services.ingest.quality import PageFacts, garbled_reason, judge_text_layer
from services.ingest.schemas import PageResult
from tests.ingest.conftest import FONT, LINES, text_page

REAL = (
    "Solvik kommun, Miljö- och hälsoskyddsnämnden. Klagomål på buller från grannens värmepump. "
    "Jag vill anmäla att värmepumpen låter hela nätterna och att vi inte kan sova. Med vänlig hälsning, Anna Berg"
)
INVISIBLE = "Detta är en osynlig text som någon annans OCR har lagt över sidan och den stämmer inte alls. " * 3
TINY = "Sida 1 av 1, skannad 2024-05-12"
GARBLED = "Xkcd Brrt Zwqp Mnbv Tsk Prrf Qwrt Dfgh Jklm Vbnm Wxyz Cvbn Plmn Grrh Sdfg Hjkl Zxcv Bnmq Wrtp Lkjh " * 3


def _scan() -> Image.Image:
    """A scanned A4 page at 150 dpi: the image covers the whole PDF page."""
    return text_page(LINES, size=(1240, 1754))


def _pdf(path: Path) -> Path:
    """Seven pages, one per case the check must tell apart."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSans", FONT))
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    scan = ImageReader(_scan())

    def lines(text: str, mode: int = 0, size: int = 10) -> None:
        t = c.beginText(60, height - 80)
        t.setFont("DejaVuSans", size)
        t.setTextRenderMode(mode)
        words = text.split()
        for i in range(0, len(words), 10):
            t.textLine(" ".join(words[i : i + 10]))
        c.drawText(t)

    lines(REAL)  # 0: born-digital text
    c.showPage()
    c.drawImage(scan, 0, 0, width, height)  # 1: a scan without a text layer
    c.showPage()
    c.drawImage(scan, 0, 0, width, height)  # 2: someone else's invisible OCR over the scan
    lines(INVISIBLE, mode=3)
    c.showPage()
    c.drawImage(scan, 0, 0, width, height)  # 3: a scanner's footer line over the scan
    c.setFont("DejaVuSans", 8)
    c.drawString(60, 20, TINY)
    c.showPage()
    c.drawImage(scan, 0, 0, width, height)  # 4: a visible but garbled text layer (no ToUnicode map)
    lines(GARBLED)
    c.showPage()
    c.drawImage(scan, 0, 0, width, height)  # 5: a real text layer over a full-page background image
    lines(REAL + " " + REAL)
    c.showPage()
    c.save()
    return path


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, list[PageResult], Path]:
    d = tmp_path_factory.mktemp("mixed")
    pdf = _pdf(d / "mixed.pdf")
    before = pdf.read_bytes()
    pages = list(extract_document(pdf, "application/pdf", get_settings(), pdf_dir=d / "pages"))
    return pdf, before, pages, d / "pages"


def test_each_page_chooses_text_layer_or_ocr(mixed: tuple[Path, bytes, list[PageResult], Path]) -> None:
    _, _, pages, _ = mixed
    assert [p.index for p in pages] == [0, 1, 2, 3, 4, 5]
    assert [p.method for p in pages] == ["text-layer", "ocr", "ocr", "ocr", "ocr", "text-layer"]
    assert "Klagomål på buller" in pages[0].text and pages[0].note is None
    assert "Ansökan om bygglov" in pages[1].text and pages[1].note is None  # a plain scan: nothing rejected


def test_invisible_text_layer_is_replaced_by_ocr(mixed: tuple[Path, bytes, list[PageResult], Path]) -> None:
    page = mixed[2][2]
    assert page.note == "invisible text layer"
    assert "Ansökan om bygglov" in page.text and "osynlig" not in page.text


def test_text_layer_far_too_short_for_a_scanned_page_is_replaced(
    mixed: tuple[Path, bytes, list[PageResult], Path],
) -> None:
    page = mixed[2][3]
    assert page.note == "text layer too short for the page"
    assert "Ekeby 4:112" in page.text


def test_garbled_text_layer_is_replaced(mixed: tuple[Path, bytes, list[PageResult], Path]) -> None:
    page = mixed[2][4]
    assert page.note is not None and page.note.startswith("garbled text")
    assert "Ekeby 4:112" in page.text  # the scan is read (the garbled glyphs are visible, so OCR sees them too)


def test_real_text_over_a_background_image_is_kept(mixed: tuple[Path, bytes, list[PageResult], Path]) -> None:
    page = mixed[2][5]
    assert page.method == "text-layer" and "värmepumpen" in page.text


def test_searchable_pdf_joins_ocr_pages_and_original_pages(
    mixed: tuple[Path, bytes, list[PageResult], Path], tmp_path: Path
) -> None:
    pdf, before, pages, pdf_dir = mixed
    out = tmp_path / "searchable.pdf"
    assert build_searchable_pdf(pdf, "application/pdf", [p.index for p in pages], pdf_dir, out) == 4
    assert hashlib.sha256(pdf.read_bytes()).digest() == hashlib.sha256(before).digest()  # original untouched
    with pdfplumber.open(out) as doc:
        assert len(doc.pages) == 6
        texts = [p.extract_text() or "" for p in doc.pages]
        sizes = {(round(p.width), round(p.height)) for p in doc.pages}
        images = [len(p.images) for p in doc.pages]
    assert sizes == {(595, 842)}  # OCR pages keep the page size (tesseract told the real dpi)
    assert "Klagomål på buller" in texts[0]  # taken from the original
    for i in (1, 2, 3, 4):
        assert "Ekeby" in texts[i] and images[i] == 1  # the page image with our invisible OCR text
    assert "osynlig" not in texts[2]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("(cid:12)(cid:13)(cid:14) " * 10, "garbled text (glyph codes)"),
        ("~~~ ||| ### @@@ ;;; ::: --- +++ === ^^^ ***" * 2, "garbled text (symbols)"),
        ("Ansökan om bygglov fÃ¶r carport pÃ¥ fastigheten, hÃ¤lsningar frÃ¥n Ã¥sa", "garbled text (mojibake)"),
        ("Xkcd Brrt Zwqp Mnbv Tsk Prrf Qwrt Dfgh Jklm", "garbled text (no words)"),
        ("Ansökan om bygglov för carport, Dnr SBN 2024/0312, 3 st. kr 4 500", None),
    ],
)
def test_garbled_reason(text: str, reason: str | None) -> None:
    assert garbled_reason(text) == reason


def test_judge_uses_invisible_share_and_image_cover() -> None:
    assert judge_text_layer(REAL, PageFacts(chars=300, invisible_chars=0, image_share=0.0)).usable
    assert judge_text_layer(REAL, PageFacts(chars=300, invisible_chars=290, image_share=0.0)).reason == (
        "invisible text layer"
    )
    short = "Med vänliga hälsningar, Sara Engström, Solvik"
    assert judge_text_layer(short, PageFacts(chars=45, invisible_chars=0, image_share=0.0)).usable
    assert not judge_text_layer(short, PageFacts(chars=45, invisible_chars=0, image_share=0.9)).usable
    assert judge_text_layer("", None).reason is None  # a plain scan is not a rejected text layer

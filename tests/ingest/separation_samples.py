"""Purpose-made pages for the separation tests: letters, blank backs, separator sheets (300 dpi, A4)."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

A4 = (2480, 3508)
FONTS = {
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
}


def letter_page(lines: list[str], *, font: str = "sans", size: int = 42, left: int = 300) -> Image.Image:
    page = Image.new("L", A4, 250)
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(FONTS[font], size)
    for i, line in enumerate(lines):
        draw.text((left, 300 + i * round(size * 1.6)), line, font=face, fill=10)
    return page


def blank_back(kind: str, front: Image.Image | None = None, seed: int = 1) -> Image.Image:
    """White paper with specks, a faint mirrored show-through of the front, or punch-hole shadows."""
    rng = random.Random(seed)
    page = Image.new("L", A4, rng.randint(236, 252))
    if kind == "show-through" and front is not None:
        ghost = ImageOps.mirror(front).point(lambda v: 255 - (255 - v) * 0.09)
        page = Image.composite(ghost, page, ghost.point(lambda v: 255 if v < 250 else 0))
    elif kind == "holes":
        draw = ImageDraw.Draw(page)
        for y in (0.35, 0.65):
            cy = round(A4[1] * y)
            draw.ellipse([17, cy - 28, 73, cy + 28], fill=80)
    arr = np.array(page, dtype=np.int16)
    mask = np.random.default_rng(seed).random(arr.shape) < 0.0015
    arr[mask] = 40
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def separator_page(kind: str = "patcht") -> Image.Image:
    """A separator sheet as build_stacks.py makes it: one code, the word SKILJEBLAD."""
    import zxingcpp

    page = Image.new("L", A4, 255)
    if kind == "qr":
        code = zxingcpp.create_barcode("POSTHANTERING:SEPARATOR", zxingcpp.BarcodeFormat.QRCode)
        img = Image.fromarray(np.array(zxingcpp.write_barcode_to_image(code, scale=24)))
    else:
        code = zxingcpp.create_barcode("PATCHT", zxingcpp.BarcodeFormat.Code39)
        img = Image.fromarray(np.array(zxingcpp.write_barcode_to_image(code, scale=6))).resize((1500, 500))
    page.paste(img, ((page.width - img.width) // 2, 700))
    ImageDraw.Draw(page).text((900, 300), "SKILJEBLAD", font=ImageFont.truetype(FONTS["sans"], 110), fill=0)
    return page


def one_bit(page: Image.Image) -> Image.Image:
    return page.point(lambda v: 255 if v > 150 else 0).convert("1")


LETTER_A = [
    "Solvik kommun",
    "Miljö- och hälsoskyddsnämnden",
    "Box 100, 734 80 SOLVIK",
    "",
    "2025-03-02",
    "",
    "KLAGOMÅL PÅ BULLER FRÅN VÄRMEPUMP",
    "",
    "Hej,",
    "jag vill anmäla att grannens värmepump på Lärkvägen 11 låter hela",
    "nätterna sedan i höstas. Jag har pratat med grannen utan resultat.",
    "Jag ber nämnden att utreda saken och återkomma till mig.",
    "",
    "Med vänlig hälsning",
    "Anna Berg, Lärkvägen 9, 735 91 Ekeby",
]
LETTER_B1 = [
    "Byggnadsnämnden",
    "Solvik kommun, 734 80 SOLVIK",
    "Datum: 2025-04-11",
    "",
    "ANSÖKAN OM BYGGLOV FÖR GARAGE",
    "",
    "Vi ansöker om bygglov för ett fristående garage med förråd på",
    "fastigheten Ekeby 4:112. Garaget är 42 kvadratmeter och placeras",
    "4,5 meter från tomtgränsen mot Lärkvägen. Fasaden blir stående",
    "träpanel i faluröd kulör, samma som bostadshuset, och taket får",
    "svarta betongpannor. Ritningar och situationsplan bifogas enligt",
    "förteckningen nedan och grannens medgivande finns med som bilaga",
]
LETTER_B2 = [
    "fem. Vi har också frågat handläggaren om kontrollansvarig och fått",
    "beskedet att det inte behövs för en åtgärd av den här storleken,",
    "men vi tar gärna emot besked om nämnden ser annorlunda på det.",
    "Bilagor: situationsplan, fasadritningar, planritning, sektion och",
    "grannemedgivande från ägaren till Ekeby 4:113.",
    "",
    "Med vänliga hälsningar",
    "Mikael och Sara Engström",
]

# Page 2 of a letter whose page 1 ended inside the signature block (as a rendered two-page remiss does):
# enough text for a first page, but it opens with a signer's role and ends with the enclosures.
TAIL_PAGE_2 = [
    "Enhetschef",
    "",
    "Erik Lundmark",
    "Handläggare",
    "",
    "Bilagor:",
    "Förslag till regional handlingsplan för klimatanpassning 2025-2030",
    "Sändlista",
]


SANS = {"ink": 0.02, "line_mm": 3.6, "pitch_mm": 5.1, "left_mm": 25.0, "right_mm": 25.0, "lines": 15}
SERIF = {"ink": 0.02, "line_mm": 4.4, "pitch_mm": 6.4, "left_mm": 31.0, "right_mm": 20.0, "lines": 15}
# (text, signals) of a four-page simplex pile as extraction leaves it: letter A, a blank page, letter B (2 pages)
PILE = [
    ("\n".join(LETTER_A), SERIF),
    ("", {"ink": 0.0, "barcodes": [], "separator": False}),
    ("\n".join(LETTER_B1), SANS),
    ("\n".join(LETTER_B2), SANS),
]


def tiff_bytes(pages: int) -> bytes:
    """A small 1-bit TIFF with `pages` different frames (the pile's file; its content is not read here)."""
    import io

    frames = []
    for i in range(pages):
        frame = Image.new("L", (400, 560), 255)
        frame.paste(0, (10 + 20 * i, 10, 20 + 20 * i, 20))
        frames.append(one_bit(frame))
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:], compression="group4", dpi=(300, 300))
    return out.getvalue()


def make_pile(session, pages=PILE, filename: str = "hog.tif"):  # type: ignore[no-untyped-def]
    """A pile item in `extracted` with its pages read (text and signals), as the pipeline leaves it."""
    from services.core.blobs import get_blob_store
    from services.core.models import MailItem, Page

    sha = get_blob_store().put_bytes(tiff_bytes(len(pages)))
    item = MailItem(
        sha256=sha, filename=filename, mime="image/tiff", channel="hotfolder", state="extracted", page_count=len(pages)
    )
    session.add(item)
    session.flush()
    for i, (text, signals) in enumerate(pages):
        method = "ocr" if text else "empty"
        session.add(Page(item_id=item.id, index=i, text=text, method=method, confidence=90.0, signals=signals))
    session.flush()
    return item


def pile_waiting_for_review(monkeypatch) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A committed pile in `split_review` (every content split counts as unsure): (pile id, batch id)."""
    from sqlalchemy import select

    from services.core.db import session_scope
    from services.core.models_separation import Batch
    from services.core.settings import reset_settings
    from services.ingest.separation_service import separate_extracted

    monkeypatch.setenv("POSTHANTERING_SEPARATION_MIN_CONFIDENCE", "1.0")
    reset_settings()
    with session_scope() as s:
        pile = make_pile(s)
        assert separate_extracted(s, pile) == "split_review"
        return pile.id, s.scalars(select(Batch.id).where(Batch.source_item_id == pile.id)).one()


def pdf_pile(path, parts: list[tuple[str, object]]):  # type: ignore[no-untyped-def]
    """A pile as one PDF: ("text", [lines]) is a born-digital page (text layer, nothing to OCR),
    ("image", PIL image) a scanned page (rendered and looked at, OCR'd only if it has content)."""
    import io

    import pypdfium2 as pdfium
    from reportlab.lib.pagesizes import A4 as A4_POINTS
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSans", FONTS["sans"]))
    out = pdfium.PdfDocument.new()
    for kind, content in parts:
        buf = io.BytesIO()
        if kind == "text":
            c = canvas.Canvas(buf, pagesize=A4_POINTS)
            c.setFont("DejaVuSans", 11)
            for i, line in enumerate(content):  # type: ignore[arg-type]
                c.drawString(60, 780 - i * 15, line)
            c.showPage()
            c.save()
        else:
            image = content.reduce(3) if content.width > 1500 else content  # type: ignore[union-attr]
            image.save(buf, "PDF", resolution=100)
        src = pdfium.PdfDocument(buf.getvalue())
        out.import_pages(src)
        src.close()
    out.save(str(path))
    out.close()
    return path

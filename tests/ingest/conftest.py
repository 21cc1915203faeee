"""Small purpose-made sample files, built once per test session.

The root tests/conftest.py gives every test its own data directory (isolated_settings, autouse)
and a rolled-back session on a migrated database (db_session).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
EXTERNAL = Path(__file__).resolve().parents[3] / "shared" / "external" / "tesseract-test"

LINES = [
    "Till Solvik kommun",
    "Ansökan om bygglov för carport",
    "Fastighet: Ekeby 4:112",
    "Med vänliga hälsningar",
    "Sara Engström",
]
PDF_TEXT = [
    "Solvik kommun, Miljö- och hälsoskyddsnämnden",
    "Klagomål på buller från grannens värmepump",
    "Jag vill anmäla att värmepumpen låter hela nätterna.",
    "Med vänlig hälsning, Anna Berg",
]


def text_page(lines: list[str] = LINES, size: tuple[int, int] = (1400, 700)) -> Image.Image:
    """A clean grayscale 'scan' at 300 dpi with a large clear font."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 44)
    for i, line in enumerate(lines):
        draw.text((80, 70 + i * 110), line, font=font, fill=0)
    return image


def png_claiming(width: int, height: int) -> bytes:
    """A tiny valid PNG whose IHDR is patched to claim width x height (CRC fixed up)."""
    import io

    buf = io.BytesIO()
    Image.new("1", (1, 1), 1).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    # signature (8) + length (4) + b"IHDR" (4), then width, height; the CRC follows the 13-byte body
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def reportlab_pdf(path: Path, lines: list[str] = PDF_TEXT, **canvas_kwargs: object) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSans", FONT))  # embedded, so å ä ö extract correctly
    c = canvas.Canvas(str(path), pagesize=A4, **canvas_kwargs)
    c.setFont("DejaVuSans", 12)
    for i, line in enumerate(lines):
        c.drawString(72, 760 - i * 20, line)
    c.showPage()
    c.save()
    return path


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("samples")
    page = text_page()
    out: dict[str, Path] = {}

    def put(name: str) -> Path:
        out[name.split(".")[0]] = d / name
        return d / name

    page.save(put("scan.png"), dpi=(300, 300))
    page.rotate(180).save(put("upside_down.png"), dpi=(300, 300))
    page.convert("RGB").save(put("photo.jpg"), quality=90, dpi=(300, 300))
    first = page.convert("1")
    second = text_page(["Sida två", "Bilaga till ansökan om bygglov"]).convert("1")
    first.save(put("two_page.tif"), save_all=True, append_images=[second], compression="group4", dpi=(300, 300))
    page.save(put("image_only.pdf"), "PDF", resolution=300)
    Image.new("L", (1200, 800), 255).save(put("blank.png"), dpi=(300, 300))
    reportlab_pdf(put("digital.pdf"))
    reportlab_pdf(put("encrypted.pdf"), encrypt="secret")
    full = out["digital"].read_bytes()
    put("truncated.pdf").write_bytes(full[: len(full) // 2])
    put("text_named.pdf").write_text("Det här är bara text, inte en PDF.\n", encoding="utf-8")
    put("empty.pdf").write_bytes(b"")
    put("huge.png").write_bytes(png_claiming(30000, 30000))
    png = out["scan"].read_bytes()
    put("cut.png").write_bytes(png[: len(png) // 3])
    return out

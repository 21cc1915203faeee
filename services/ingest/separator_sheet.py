"""The printable separator sheet: put one before each letter in a pile and the split is certain.

It carries both codes the separation step reads: a Code 39 barcode `PATCHT` (the patch-code
convention of open-source capture tools) and a QR code `POSTHANTERING:SEPARATOR`, so either survives a
poor scan. The sheet and its back are removed from the letters.
"""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

DPI = 300
A4 = (round(210 / 25.4 * DPI), round(297 / 25.4 * DPI))


@lru_cache(maxsize=1)
def separator_sheet_pdf() -> bytes:
    import zxingcpp

    page = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(page)
    title = ImageFont.load_default(size=120)
    small = ImageFont.load_default(size=42)
    draw.text((A4[0] // 2, 330), "SKILJEBLAD", font=title, fill=0, anchor="mm")
    note = "Lägg före varje brev i högen. Sidan tas bort vid skanning."
    draw.text((A4[0] // 2, 480), note, font=small, fill=0, anchor="mm")
    code39 = zxingcpp.create_barcode("PATCHT", zxingcpp.BarcodeFormat.Code39)
    bar = Image.fromarray(np.array(zxingcpp.write_barcode_to_image(code39, scale=6))).resize((1600, 520))
    page.paste(bar, ((A4[0] - bar.width) // 2, 700))
    qr = zxingcpp.create_barcode("POSTHANTERING:SEPARATOR", zxingcpp.BarcodeFormat.QRCode)
    qr_img = Image.fromarray(np.array(zxingcpp.write_barcode_to_image(qr, scale=24)))
    page.paste(qr_img, ((A4[0] - qr_img.width) // 2, 1500))
    draw.text((A4[0] // 2, 2950), "PATCHT · POSTHANTERING:SEPARATOR", font=small, fill=0, anchor="mm")
    out = io.BytesIO()
    page.convert("1").save(out, "PDF", resolution=DPI)
    return out.getvalue()

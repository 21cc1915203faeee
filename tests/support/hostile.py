"""Hostile and broken files for the bad-input suite, generated at test time (issue 9.7).

Every file here must be refused at intake (4xx with a reason) or end as a quarantined item; none may
take a server or a worker down or leave an item stuck. `hostile_files()` returns (name, bytes) pairs.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

from PIL import Image

MAX_PAGES = 5  # the suite runs the stack with POSTHANTERING_MAX_PAGES=5


def pdf(objects: list[bytes], *, prefix: bytes = b"", suffix: bytes = b"") -> bytes:
    """A PDF from numbered objects (1 = catalog), with a correct xref table."""
    out = prefix + b"%PDF-1.4\n"
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out + suffix


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<<%s/Length %d>>stream\n" % (extra, len(data)) + data + b"\nendstream"


def text_pdf(pages: int = 1, text: bytes = b"Hej kommunen") -> bytes:
    """A small valid PDF with `pages` pages of text (objects: catalog, pages, font, then page+content pairs)."""
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
    objs = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[%s]/Count %d>>" % (kids, pages)]
    objs.append(b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>")
    for i in range(pages):
        content = b"BT /F1 24 Tf 72 720 Td (%s %d) Tj ET" % (text, i + 1)
        objs.append(
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 3 0 R>>>>/Contents %d 0 R>>"
            % (5 + 2 * i)
        )
        objs.append(_stream(content))
    return pdf(objs)


def image_pdf(width: int, height: int) -> bytes:
    """One page showing a JPEG whose header claims width x height (the data is a tiny real JPEG)."""
    jpeg = bytearray(jpeg_claiming(width, height))
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    return pdf(
        [
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</XObject<</Im0 5 0 R>>>>/Contents 4 0 R>>",
            _stream(content),
            _stream(
                bytes(jpeg),
                b"/Type/XObject/Subtype/Image/Width %d/Height %d/ColorSpace/DeviceGray/BitsPerComponent 8"
                b"/Filter/DCTDecode" % (width, height),
            ),
        ]
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (4, 4), 255).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def png_bomb(side: int) -> bytes:
    """A real PNG of side x side black 1-bit pixels: tiny on disk, huge when decoded."""
    raw = (b"\x00" + b"\x00" * ((side + 7) // 8)) * side
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    body = _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(raw, 9)) + _png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def jpeg_claiming(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (16, 16), 255).save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 7] = min(height, 65535).to_bytes(2, "big")
    data[sof + 7 : sof + 9] = min(width, 65535).to_bytes(2, "big")
    return bytes(data)


def tiff_frames(frames: int, size: tuple[int, int] = (32, 32)) -> bytes:
    buf = io.BytesIO()
    images = [Image.new("1", size, 1) for _ in range(frames)]
    images[0].save(buf, "TIFF", save_all=True, append_images=images[1:])
    return buf.getvalue()


def tiff_claiming(width: int, height: int) -> bytes:
    """A little-endian TIFF whose only IFD claims width x height."""
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 1), (259, 3, 1, 1), (262, 3, 1, 0)]
    entries += [(273, 4, 1, 8), (277, 3, 1, 1), (278, 4, 1, height), (279, 4, 1, 1)]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries) + b"\0\0\0\0"
    return b"II*\x00" + struct.pack("<I", 9) + b"\x00" + ifd


def tiff_loop() -> bytes:
    """A TIFF whose IFD chain points back at itself (an endless directory loop)."""
    data = bytearray(tiff_claiming(16, 16))
    next_at = 8 + 2 + 9 * 12 + 1
    data[next_at : next_at + 4] = struct.pack("<I", 9)
    return bytes(data)


def zip_bytes(inner: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in inner.items():
            z.writestr(name, data)
    return buf.getvalue()


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script>Hej</body></html>"


def hostile_files() -> list[tuple[str, bytes]]:
    rng = random.Random(9)
    good = text_pdf(1)
    files: list[tuple[str, bytes]] = [
        ("tom.pdf", b""),
        ("tom.png", b""),
        ("en-byte.pdf", b"%"),
        ("bara-huvud.pdf", b"%PDF-1.4\n"),
        ("huvud-och-slut.pdf", b"%PDF-1.4\n%%EOF\n"),
        ("noll-sidor.pdf", pdf([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"])),
        ("inga-sidor-alls.pdf", pdf([b"<</Type/Catalog>>"])),
        ("sex-sidor.pdf", text_pdf(MAX_PAGES + 1)),
        ("tjugo-sidor.pdf", text_pdf(20)),
        ("inbaddad-40000.pdf", image_pdf(40000, 40000)),
        ("inbaddad-56000.pdf", image_pdf(56000, 56000)),
        ("inbaddad-65535x3000.pdf", image_pdf(65535, 3000)),
        ("png-30000.png", png_claiming(30000, 30000)),
        ("png-60000.png", png_claiming(60000, 60000)),
        ("png-1x200000000.png", png_claiming(1, 200_000_000)),
        ("png-bomb.png", png_bomb(12000)),
        ("jpeg-40000.jpg", jpeg_claiming(40000, 40000)),
        ("jpeg-65535.jpg", jpeg_claiming(65535, 65535)),
        ("tiff-100000.tif", tiff_claiming(100000, 100000)),
        ("tiff-sex-sidor.tif", tiff_frames(MAX_PAGES + 1)),
        ("tiff-loop.tif", tiff_loop()),
        ("zip-som-pdf.pdf", zip_bytes({"brev.pdf": good})),
        ("zip-som-png.png", zip_bytes({"a.txt": b"hej"})),
        ("html-som-png.png", HTML),
        ("html-som-pdf.pdf", HTML),
        ("text-som-tif.tif", b"Detta ar bara text.\n" * 20),
        ("html-fore-pdf.pdf", good.replace(b"%PDF-1.4", HTML + b"\n%PDF-1.4", 1)),
        ("pdf-med-zip-efter.pdf", good + zip_bytes({"x.exe": b"MZ" + b"\0" * 200})),
        ("png-med-pdf-efter.png", png_claiming(4, 4) + good),
        ("png-med-html-efter.png", png_claiming(4, 4) + HTML),
        ("jpeg-med-html-efter.jpg", jpeg_claiming(16, 16) + HTML),
        ("jpeg-med-zip-efter.jpg", jpeg_claiming(16, 16) + zip_bytes({"a.js": b"x"})),
        ("gif.gif", b"GIF89a" + b"\0" * 64),
        ("bmp.bmp", b"BM" + b"\0" * 64),
        ("elf.pdf", b"\x7fELF" + b"\0" * 64),
        ("exe.pdf", b"MZ" + b"\0" * 200),
        ("krypterad-falsk.pdf", good.replace(b"/Size", b"/Encrypt<</Filter/Standard/V 1/R 2/O(x)/U(y)/P -4>>/Size")),
        ("skraphuvud.pdf", b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(2000)) + b"\n%%EOF\n"),
        ("cirkular-sidtrad.pdf", pdf([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[2 0 R]/Count 1>>"])),
        ("djupt-nastlad.pdf", pdf([b"<</Type/Catalog/Pages 2 0 R/X " + b"[" * 50000 + b"]" * 50000 + b">>"])),
        ("png-fel-crc.png", png_claiming(4, 4)[:29] + b"\0\0\0\0" + png_claiming(4, 4)[33:]),
        ("png-avkortad.png", png_claiming(4, 4)[:40]),
        ("jpeg-avkortad.jpg", jpeg_claiming(16, 16)[:30]),
        ("tiff-avkortad.tif", tiff_frames(2)[:20]),
    ]
    for pct in (10, 30, 50, 70, 90, 99):
        files.append((f"avkortad-{pct}.pdf", good[: len(good) * pct // 100]))
    for i in range(6):
        files.append((f"slump-{i}.pdf", bytes(rng.randrange(256) for _ in range(rng.randrange(10, 4000)))))
    odd_names = [
        "../../../../etc/passwd.pdf",
        "..\\..\\windows\\win.ini.pdf",
        "/etc/shadow.pdf",
        "C:\\boot.ini.pdf",
        "\u202efdp.exe",
        "ring\x07klocka\x1b[31m.pdf",
        "a" * 1000 + ".pdf",
        "CON.pdf",
        ".dold.pdf",
        "   ",
        "brev%00.pdf.exe",
        "<script>alert(1)</script>.pdf",
    ]
    for i, name in enumerate(odd_names):
        files.append((name, b"inte ett dokument %d\n" % i))
    return files

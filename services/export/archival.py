"""The archival PDF (PDF/A-2b) of an item: the searchable PDF (the original page images with tesseract's
invisible text layer), or the original PDF, or the original image wrapped losslessly (img2pdf: JPEG
streams are embedded as they are, never re-encoded), with what PDF/A-2b asks of the file itself: XMP
metadata declaring part 2 / conformance B, an sRGB output intent, document info in step with the XMP.

Not checked here with a PDF/A validator (veraPDF is not available on this machine); the test checks
the markers and that the pages and text survive.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path

import img2pdf
import pikepdf
from PIL import ImageCms

ARCHIVAL = "archival.pdf"


def _srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def make_pdfa(source: Path, mime: str, dest: Path, title: str) -> Path:
    """Write `dest` (atomically) as PDF/A-2b from a PDF or an image file."""
    if mime == "application/pdf":
        pdf = pikepdf.open(source)
    else:
        pdf = pikepdf.open(io.BytesIO(img2pdf.convert(str(source), rotation=img2pdf.Rotation.ifvalid)))
    with pdf:
        icc = pdf.make_stream(_srgb_icc())
        icc["/N"] = 3
        intent = pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent,
            S=pikepdf.Name.GTS_PDFA1,
            OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
            Info=pikepdf.String("sRGB IEC61966-2.1"),
            DestOutputProfile=icc,
        )
        pdf.Root.OutputIntents = pikepdf.Array([intent])
        now = datetime.now(UTC)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
            meta["dc:title"] = title or "Inkommen handling"
            meta["xmp:CreatorTool"] = "Posthantering"
            meta["xmp:ModifyDate"] = now.isoformat()
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        pdf.save(tmp, fix_metadata_version=True)
    os.replace(tmp, dest)
    return dest

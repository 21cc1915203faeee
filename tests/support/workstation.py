"""The registry's workstation in a real browser, fast: one API server per test module, items written
straight into its database (a small born-digital PDF per letter, its text as the page text), so the UI
tests need no OCR and no worker. Used by tests/e2e/test_ws_*.py and scripts/ui_screenshots.py.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from tests.support.processes import Stack

PASSWORD = "Posthantering-2025"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_serial = count(1)


@contextmanager
def stack_db(stack: Stack) -> Iterator[None]:
    """Point this process's settings at the stack's data directory (and its SMTP and other settings)."""
    from services.core.db import dispose_engine
    from services.core.settings import reset_settings

    keys = {k: v for k, v in stack.env.items() if k.startswith("POSTHANTERING_") or k in ("DATABASE_URL",)}
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(keys)
    dispose_engine()
    reset_settings()
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        dispose_engine()
        reset_settings()


def letter_pdf(text: str) -> bytes:
    """A one-page A4 PDF with the text in a text layer (no OCR needed to show or read it)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    y = A4[1] - 60
    for line in text.splitlines():
        c.setFont("Helvetica-Bold" if y > A4[1] - 80 else "Helvetica", 11)
        c.drawString(60, y, line)
        y -= 16
    c.rect(40, 40, A4[0] - 80, A4[1] - 80)  # a frame to the page's edges, to see what is reachable
    c.save()
    return buf.getvalue()


def add_user(stack: Stack, name: str, role: str, departments: list[str] | None = None) -> int:
    from services.core.db import session_scope
    from services.users.service import create_user

    with stack_db(stack), session_scope() as session:
        return create_user(session, name, role, departments or [], password=PASSWORD).id


def add_item(stack: Stack, text: str, **fields: Any) -> int:
    """An item in the stack's database (default: waiting for review), with its PDF in the blob store."""
    return add_items(stack, [text], **fields)[0]


def add_items(stack: Stack, texts: list[str], *, with_pdf: bool = True, **fields: Any) -> list[int]:
    """Items as add_item, in one go; with_pdf=False for list-only items (no page image, much cheaper)."""
    from services.core.blobs import get_blob_store
    from services.core.db import session_scope
    from services.core.events import record
    from services.core.models import MailItem, Page

    ids: list[int] = []
    with stack_db(stack), session_scope() as session:
        for raw in texts:
            n = next(_serial)
            text = raw.strip()
            marker = f"{text}\n\n(testbrev {n} {os.getpid()})"
            sha = get_blob_store().put_bytes(letter_pdf(marker)) if with_pdf else f"{n:032x}{os.getpid():032x}"
            values: dict[str, Any] = {
                "sha256": sha,
                "filename": f"skanner-{n:03d}.pdf",
                "mime": "application/pdf",
                "size_bytes": 1000,
                "channel": "hotfolder",
                "state": "needs_review",
                "page_count": 1,
                "decision": "review",
                "confidence": 0.55,
                "doc_type": "ansokan",
                "created_at": datetime.now(UTC) - timedelta(minutes=n),
                **fields,
            }
            item = MailItem(**values)
            item.pages = [Page(index=0, text=text, method="text-layer", confidence=None, seconds=0.01)]
            session.add(item)
            session.flush()
            record(session, item_id=item.id, actor="system:test", action="received", to_state=values["state"])
            ids.append(item.id)
    return ids


def item_state(stack: Stack, item_id: int) -> tuple[str, str | None]:
    from services.core.db import session_scope
    from services.core.models import MailItem

    with stack_db(stack), session_scope() as session:
        item = session.get(MailItem, item_id)
        assert item is not None
        return item.state, item.department_code


def login(browser: Any, base: str, name: str, **context: Any) -> Any:
    options = {"viewport": {"width": 1440, "height": 900}, "locale": "sv-SE", **context}
    page = browser.new_context(**options).new_page()
    page.goto(f"{base}/ui/login")
    page.get_by_label("Användarnamn").fill(name)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    return page


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


LETTERS = {
    "bygglov": "Anna Berg\nStorgatan 4, 545 30 Ekbacka\n\nEkbacka 3 mars 2025\n\nAnsökan om bygglov för carport\n\n"
    "Jag ansöker om bygglov för en carport på fastigheten Ekbacka 3:12. Ritningar bifogas.",
    "buller": "Karl Lund\nBox 12, 545 21 Ekbacka\n\nKlagomål på buller från fläkt\n\n"
    "Fläkten på grannfastigheten låter dygnet runt sedan i höstas.",
    "skola": "Föräldraföreningen Solbacken\n\nAngående: skolskjuts till Solbackens skola\n\n"
    "Vi önskar att kommunen ser över hållplatsen vid Björkvägen.",
    "reklam": "KONTORSMÖBLER DIREKT\nHöstkampanj för offentlig sektor!\n\nTill inköpsansvarig\nEkbacka kommun\n\n"
    "25 % rabatt på alla skrivbord.",
}

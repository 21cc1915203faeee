"""Downloading an item's original and its searchable PDF: same permission as viewing the item."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.core.blobs import get_blob_store
from services.ingest.pdf_output import searchable_pdf_path

ORIGINAL = b"%PDF-1.4\n% an original scan\n%%EOF\n"
SEARCHABLE = b"%PDF-1.4\n% image plus invisible text\n%%EOF\n"


def test_original_and_searchable_pdf_downloads(
    client: Any, make_item: Callable[..., int], make_user: Callable[..., Any], auth: Callable[[Any], dict[str, str]]
) -> None:
    store = get_blob_store()
    sha = store.put_bytes(ORIGINAL)
    item_id = make_item(sha256=sha, filename="skanning.pdf", state="routed", department_code="SBN")
    registrar = auth(make_user("reg", "registrar"))
    sbn = auth(make_user("sbn", "department", ["SBN"]))
    other = auth(make_user("mhn", "department", ["MHN"]))

    r = client.get(f"/api/v1/mail/{item_id}/searchable.pdf", headers=registrar)
    assert r.status_code == 404  # OCR'd pages but no searchable PDF written (yet)
    target = searchable_pdf_path(store, sha)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(SEARCHABLE)

    for headers in (registrar, sbn):
        r = client.get(f"/api/v1/mail/{item_id}/searchable.pdf", headers=headers)
        assert r.status_code == 200 and r.content == SEARCHABLE
        assert r.headers["content-type"] == "application/pdf"
        assert "skanning.searchable.pdf" in r.headers["content-disposition"]
        r = client.get(f"/api/v1/mail/{item_id}/original", headers=headers)
        assert r.status_code == 200 and r.content == ORIGINAL
    for path in ("original", "searchable.pdf"):
        assert client.get(f"/api/v1/mail/{item_id}/{path}", headers=other).status_code == 404
        assert client.get(f"/api/v1/mail/{item_id}/{path}").status_code == 401
    assert store.path(sha).read_bytes() == ORIGINAL


def test_a_born_digital_pdf_is_its_own_searchable_pdf(
    client: Any, make_item: Callable[..., int], make_user: Callable[..., Any], auth: Callable[[Any], dict[str, str]]
) -> None:
    from services.core.db import session_scope
    from services.core.models import MailItem

    sha = get_blob_store().put_bytes(ORIGINAL + b"digital")
    item_id = make_item(sha256=sha, filename="brev.pdf", state="needs_review")
    with session_scope() as s:
        item = s.get(MailItem, item_id)
        assert item is not None
        for p in item.pages:
            p.method = "text-layer"
    r = client.get(f"/api/v1/mail/{item_id}/searchable.pdf", headers=auth(make_user("reg", "registrar")))
    assert r.status_code == 200 and r.content == ORIGINAL + b"digital"

"""Batches over HTTP: look at one, confirm a review (409 the second time), the separator sheet PDF."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ingest.separation_samples import pile_waiting_for_review


@pytest.fixture
def pile_in_review(database: None, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    return pile_waiting_for_review(monkeypatch)


def test_registrar_sees_and_confirms_a_batch(
    client: Any, make_user: Any, auth: Any, enqueued: list, pile_in_review: tuple[int, int]
) -> None:
    pile_id, batch_id = pile_in_review
    reg = make_user("rita", "registrar")
    dept = make_user("sara", "department", ["SBN"])
    assert client.get(f"/api/v1/batches/{batch_id}", headers=auth(dept)).status_code == 403
    assert client.get("/api/v1/batches/999", headers=auth(reg)).status_code == 404
    waiting = client.get("/api/v1/batches?status=review", headers=auth(reg)).json()["items"]
    assert [b["id"] for b in waiting] == [batch_id]
    body = client.get(f"/api/v1/batches/{batch_id}", headers=auth(reg)).json()
    assert body["status"] == "review" and body["source_item_id"] == pile_id and body["letters"] == []
    assert body["pages"][1]["removed"] == "tom sida (baksida)"

    bad = client.post(f"/api/v1/batches/{batch_id}/confirm", headers=auth(reg), json={"documents": [[0, 2, 3]]})
    assert bad.status_code == 422  # page 2 is neither in a letter nor removed
    layout = {"documents": [[0], [2, 3]], "removed": [1], "human_seconds": 30}
    r = client.post(f"/api/v1/batches/{batch_id}/confirm", headers=auth(reg), json=layout)
    assert r.status_code == 200, r.text
    letters = r.json()["letters"]
    assert len(letters) == 2 and sorted(i for i, _ in enqueued) == sorted(letters)
    again = client.post(f"/api/v1/batches/{batch_id}/confirm", headers=auth(reg), json=layout)
    assert again.status_code == 409
    mail = client.get(f"/api/v1/mail/{letters[1]}", headers=auth(reg)).json()
    assert (mail["batch_id"], mail["source_pages"], mail["state"]) == (batch_id, [2, 3], "extracted")
    assert client.get(f"/api/v1/batches/{batch_id}", headers=auth(reg)).json()["status"] == "reviewed"
    assert client.get("/api/v1/batches?status=review", headers=auth(reg)).json()["items"] == []


def test_the_separator_sheet_pdf_carries_both_codes(client: Any) -> None:
    import pypdfium2 as pdfium

    from services.ingest.separation_signals import analyse_page

    r = client.get("/api/v1/separator-sheet.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    page = pdfium.PdfDocument(r.content)[0].render(scale=200 / 72, grayscale=True).to_pil()
    assert analyse_page(page, 200)["barcodes"] == ["PATCHT", "POSTHANTERING:SEPARATOR"]

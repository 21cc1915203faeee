"""The classify and route steps with admin rules, the case register and the discard tray."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from services.classify.cases import known_departments
from services.classify.rules import create_rule
from services.core.db import session_scope
from services.core.models import MailItem, Page
from services.pipeline.service import classify, route

ADVERT = (
    "KONTORSMÄSTARNA AB\nKampanj! Köp nu: 50 % rabatt på kontorsstolar. Erbjudandet gäller till fredag.\n"
    "Beställ i vår katalog eller på www.kontorsmastarna.se. Gratis frakt. Nyhetsbrev varje månad.\n"
)
FROM_COURT = "Förvaltningsrätten i Göteborg\nDom\nMål nr 6612-25\nDnr KS 2025/87\n\nKlagande: en medborgare.\n"


def _extracted(text: str) -> int:
    with session_scope() as s:
        n = len(s.scalars(select(MailItem.id)).all())
        item = MailItem(sha256=f"{n + 7:064x}", filename="b.pdf", state="extracted")
        item.pages = [Page(index=0, text=text, method="ocr")]
        s.add(item)
        s.flush()
        return item.id


def test_rule_routes_and_the_case_register_learns(migrated: Path) -> None:
    with session_scope() as s:
        create_rule(s, kind="sender", pattern="Förvaltningsrätten", department="KS")
    iid = _extracted(FROM_COURT)
    with session_scope() as s:
        classify(s, iid)
        route(s, iid)
    with session_scope() as s:
        item = s.get(MailItem, iid)
        assert (item.state, item.department_code, item.decision) == ("routed", "KS", "auto")
        assert item.reasons["rule"].startswith("sender rule #")
        assert known_departments(s, ["KS 2025/87"]) == {"KS 2025/87": "KS"}


def test_advertising_waits_in_the_discard_tray(migrated: Path) -> None:
    iid = _extracted(ADVERT)
    with session_scope() as s:
        classify(s, iid)
        route(s, iid)
    with session_scope() as s:
        item = s.get(MailItem, iid)
        assert (item.state, item.suggested_department, item.department_code) == ("needs_review", "INGEN", None)
        assert item.reasons["tray"] == "discard"
        assert item.reasons["runner_up"] and "terms" in item.reasons

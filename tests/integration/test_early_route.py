"""Time to route with a real worker (issue 11): a 3-page scanned letter whose first page is decisive
is routed while its other pages are still being read. The worker is SIGKILLed right after the
routing, in the middle of the next page; a new worker and the sweeper finish the letter's text,
searchable PDF and search index, each step exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pdfplumber
import pytest

from tests.integration.conftest import wait_until
from tests.support.processes import query as _rows
from tests.support.processes import render_letters, stack
from tests.support.scans import multi_page_letter

pytestmark = pytest.mark.integration


def test_routed_before_its_last_page_and_finished_once_after_a_kill(tmp_path: Path) -> None:
    # a-006 (KS) alone is auto-routed; a-012's two pages stand for its attachments.
    rows = render_letters(tmp_path / "scans", ["a-006", "a-012"], seed=23, extra_args=["--digital-share", "0"])
    by_id = {r["id"]: Path(r["path"]) for r in rows}
    letter = multi_page_letter(tmp_path / "letter.tif", [by_id["a-006"], by_id["a-012"]], pages=3)
    extra = {
        "POSTHANTERING_SEPARATION_ENABLED": "false",  # one letter per file (piles: test_separation_hotfolder.py)
        "POSTHANTERING_TASK_LEASE_SECONDS": "3",
        "POSTHANTERING_LOST_AFTER_SECONDS": "3",
        "POSTHANTERING_STALE_AFTER_SECONDS": "6",
        "POSTHANTERING_SWEEP_INTERVAL_SECONDS": "1",
    }
    with stack(tmp_path, **extra) as s:
        url = f"sqlite:///{s.data_dir / 'posthantering.db'}"
        s.start_worker(concurrency=1)  # one page at a time: page 1, then the others
        s.cli("ingest", str(letter))
        wait_until(lambda: _rows(url, "select 1 from events where to_state = 'routed'"), 240, 0.05, what="routed")
        s.kill("worker")
        [(item_id, state, pending, page_count, sha)] = _rows(
            url, "select id, state, text_pending, page_count, sha256 from mail_items"
        )
        read = _rows(url, f"select count(*) from pages where item_id = {item_id}")[0][0]
        assert (state, bool(pending), page_count) == ("routed", True, 3)
        assert read < 3  # routed before its last page was read

        s.start_worker(concurrency=1)
        s.start_beat()
        wait_until(
            lambda: _rows(url, "select 1 from events where action = 'text_completed'"), 300, what="text completed"
        )

    events = _rows(url, f"select action, detail from events where item_id = {item_id} order by id")
    actions = [a for a, _ in events]
    moves = [a for a in actions if a in {"extracted", "classified", "routed", "text_completed"}]
    assert moves == ["extracted", "classified", "routed", "text_completed"], actions
    assert Counter(actions)["text_completed"] == 1
    assert '"early": true' in next(str(d).lower() for a, d in events if a == "extracted")

    [(state, pending, department)] = _rows(url, "select state, text_pending, department_code from mail_items")
    assert (state, bool(pending), department) == ("routed", False, "KS")
    pages = _rows(url, f"select `index`, text from pages where item_id = {item_id} order by `index`")
    assert [i for i, _ in pages] == [0, 1, 2] and all(t.strip() for _, t in pages)
    # The search index holds every page (the FTS table is kept by triggers as pages are stored).
    word = max(pages[2][1].split(), key=len).strip(".,:;()")
    hits = _rows(url, f"select rowid from pages_fts where pages_fts match '\"{word}\"'")
    assert hits, word
    [searchable] = list(s.data_dir.rglob(f"{sha}.searchable.pdf"))
    with pdfplumber.open(searchable) as pdf:
        assert len(pdf.pages) == 3

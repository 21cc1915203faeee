"""The batch review in a real browser: keyboard only (arrows, S, X, R, Enter), then the letters exist.

The pile is born-digital (nothing to OCR) and separation is set to send every content split to review.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.test_ui_browser import PASSWORD, _shot
from tests.ingest.separation_samples import LETTER_A, LETTER_B1, LETTER_B2, pdf_pile
from tests.support.processes import stack
from tests.support.workstation import chromium

pytestmark = pytest.mark.e2e


def test_a_registrar_corrects_a_split_with_the_keyboard(tmp_path: Path) -> None:
    pile = pdf_pile(tmp_path / "hog.pdf", [("text", LETTER_A), ("text", LETTER_B1), ("text", LETTER_B2)])
    with stack(tmp_path, POSTHANTERING_SEPARATION_MIN_CONFIDENCE="1.0") as s:
        s.cli("users", "add", "rita", "--role", "registrar", "--password", input=PASSWORD + "\n")
        token = s.cli("users", "add", "api", "--role", "registrar", "--token").stdout.strip().splitlines()[-1]
        [row] = json.loads(s.cli("ingest", str(pile), "--inline", "--json").stdout)
        assert row["state"] == "split_review" and row["batch_id"]
        s.start_api()
        with chromium() as browser:
            page: Any = browser.new_context(viewport={"width": 1360, "height": 900}, locale="sv-SE").new_page()
            page.goto(f"{s.base_url}/ui/login")
            page.get_by_label("Användarnamn").fill("rita")
            page.get_by_label("Lösenord").fill(PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            page.goto(f"{s.base_url}/ui/buntar/{row['batch_id']}")
            page.wait_for_selector(".sep-page:focus")
            # The machine proposed [0], [1, 2] (or with less evidence something else): make it
            # [0, 1] and [2] by keys alone: page 2 joins letter 1, page 3 starts a letter, page 3 turned.
            starts = page.eval_on_selector_all(".sep-page.start", "els => els.map(e => +e.dataset.index)")
            page.keyboard.press("ArrowRight")
            if 1 in starts:
                page.keyboard.press("s")
            page.keyboard.press("ArrowRight")
            if 2 not in starts:
                page.keyboard.press("s")
            page.keyboard.press("r")
            _shot(page, "batch-review")
            page.keyboard.press("Enter")
            page.wait_for_selector("#flash :text('2 brev')")  # the server's flash after the redirect
        batch = httpx.get(
            f"{s.base_url}/api/v1/batches/{row['batch_id']}", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert batch["status"] == "reviewed"
        assert [x["source_pages"] for x in batch["letters"]] == [[0, 1], [2]]

"""Done-when of issue 16: a 60-page duplex pile dropped in the hot folder comes out as its letters, each
routed or in review, with its batch and source pages; on the embedded backend and on PostgreSQL+Redis.

To keep CI cheap the pile's letters are born-digital pages (a text layer: nothing to OCR), while every
back, separator sheet and separator back is a scanned image that the separation step renders and looks
at (blank detection, Code 39 / QR). 14 letters, three of them two pages long, each page on its own
sheet with a blank back, and a separator sheet (PATCHT or QR, alternating) before every letter but the
first: 30 sheets, 60 pages. The full-size scanned variant is bench/separation.py.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import httpx
import pytest

from tests.ingest.separation_samples import blank_back, pdf_pile, separator_page
from tests.integration.conftest import DONE_STATES, wait_until
from tests.support.processes import SHARED, stack

pytestmark = pytest.mark.integration

LETTERS_DIR = SHARED / "corpus" / "letters" / "b"
LETTER_IDS = [f"b-{n:03d}" for n in range(1, 15)]
TWO_PAGES = {"b-002", "b-007", "b-011"}


def _letter_pages(letter_id: str) -> list[list[str]]:
    lines = (LETTERS_DIR / f"{letter_id}.txt").read_text(encoding="utf-8").splitlines()
    lines = [ln[:95] for ln in lines]
    if letter_id in TWO_PAGES:
        half = max(1, len(lines) // 2)
        return [lines[:half], lines[half:]]
    return [lines]


def build_pile(path: Path) -> tuple[Path, list[list[int]]]:
    """The pile and, per letter, the page indexes it must come out with."""
    parts: list[tuple[str, object]] = []
    expected: list[list[int]] = []
    # A few distinct sheets, reused (generating a 300 dpi page costs more than separating it).
    separators = {kind: separator_page(kind) for kind in ("qr", "patcht")}
    backs = [blank_back(kind, seed=n) for n, kind in enumerate(["speckle", "holes", "show-through"])]
    for n, letter_id in enumerate(LETTER_IDS):
        if n:
            parts += [("image", separators["qr" if n % 2 else "patcht"]), ("image", backs[0])]
        pages: list[int] = []
        for page in _letter_pages(letter_id):
            pages.append(len(parts))
            parts += [("text", page), ("image", backs[len(parts) % 3])]
        expected.append(pages)
    assert len(parts) == 60
    return pdf_pile(path, parts), expected


@pytest.fixture(scope="module")
def pile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[int]]]:
    return build_pile(tmp_path_factory.mktemp("pile") / "dagens-post.pdf")


def _run(tmp_path: Path, pile_and_letters: tuple[Path, list[list[int]]], **backend: str) -> None:
    inbox = tmp_path / "inbox"
    pile, expected = pile_and_letters
    labels = {r["id"]: r["department"] for r in csv.DictReader((LETTERS_DIR / "labels.csv").open(encoding="utf-8"))}
    env = {
        "POSTHANTERING_HOT_FOLDER": str(inbox),
        "POSTHANTERING_HOT_FOLDER_SETTLE_SECONDS": "0.5",
        "POSTHANTERING_HOT_FOLDER_POLL_SECONDS": "0.3",
    }
    with stack(tmp_path, **backend, **env) as s:
        token = s.cli("users", "add", "reg", "--role", "registrar", "--token").stdout.strip().splitlines()[-1]
        headers = {"Authorization": f"Bearer {token}"}
        s.start_worker()
        s.start_api()
        s._start("watch", [sys.executable, "-m", "services.cli.main", "watch"])
        inbox.mkdir(parents=True, exist_ok=True)
        (inbox / pile.name).write_bytes(pile.read_bytes())

        def batch_done() -> dict | None:
            r = httpx.get(f"{s.base_url}/api/v1/batches", headers=headers, timeout=10)
            items = r.json()["items"] if r.status_code == 200 else []
            if not items or len(items[0]["letters"]) < len(expected):
                return None
            return items[0] if all(x["state"] in DONE_STATES for x in items[0]["letters"]) else None

        batch = wait_until(batch_done, 600, interval=1.0, what="the pile's letters to be routed or in review")
        assert batch["page_count"] == 60 and batch["duplex"] is True and batch["mode"] == "separators"
        assert [x["source_pages"] for x in batch["letters"]] == expected
        assert len(batch["separators"]) == 26  # 13 sheets and their backs
        assert len(batch["blank"]) == 60 - 26 - 17  # every back of a letter page
        assert all(x["state"] in {"routed", "needs_review"} for x in batch["letters"])
        routed = [(x, labels[LETTER_IDS[n]]) for n, x in enumerate(batch["letters"]) if x["state"] == "routed"]
        assert sum(x["department"] == dept for x, dept in routed) >= len(routed) - 1
        pile_item = httpx.get(f"{s.base_url}/api/v1/mail/{batch['source_item_id']}", headers=headers).json()
        assert pile_item["state"] == "split"
        assert not (inbox / pile.name).exists()  # taken and archived


def test_a_duplex_pile_in_the_hot_folder_on_the_embedded_backend(
    tmp_path: Path, pile: tuple[Path, list[list[int]]]
) -> None:
    _run(tmp_path, pile)


def test_a_duplex_pile_in_the_hot_folder_on_postgres_and_redis(
    tmp_path: Path, pile: tuple[Path, list[list[int]]], postgres_url: str, redis_url: str
) -> None:
    _run(tmp_path, pile, database_url=postgres_url, broker_url=redis_url)

"""The page signals separation reads from a page image: ink (blank backs), separator codes, layout."""

from __future__ import annotations

import pytest

from services.core.settings import get_settings
from services.ingest.separation_signals import analyse_page, turned
from tests.ingest.separation_samples import LETTER_A, blank_back, letter_page, one_bit, separator_page


@pytest.mark.parametrize("kind", ["speckle", "show-through", "holes"])
def test_blank_backs_measure_below_the_threshold_and_a_one_line_page_far_above(kind: str) -> None:
    threshold = get_settings().separation_blank_ink
    front = letter_page(LETTER_A)
    back = analyse_page(blank_back(kind, front), 300)
    assert back["ink"] < threshold and not back["separator"]
    one_line = analyse_page(letter_page(["Bilaga 1"]), 300)
    assert one_line["ink"] > 3 * threshold  # a page with a single short line is content
    assert analyse_page(one_bit(blank_back(kind, front)).convert("L"), 300)["ink"] < threshold


@pytest.mark.parametrize("kind", ["patcht", "qr"])
@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_separator_codes_are_read_in_any_orientation(kind: str, rotation: int) -> None:
    page = separator_page(kind).rotate(rotation, expand=True)
    assert analyse_page(page, 300)["separator"] is True


@pytest.mark.parametrize("dpi", [200, 300])
def test_separator_codes_are_read_on_one_bit_pages_at_scanner_resolutions(dpi: int) -> None:
    page = separator_page("patcht")
    if dpi != 300:
        page = page.resize((page.width * dpi // 300, page.height * dpi // 300))
    signals = analyse_page(one_bit(page).convert("L"), dpi)
    assert signals["separator"] is True and signals["barcodes"] == ["PATCHT"]


def test_a_letter_is_not_a_separator_and_its_layout_is_measured() -> None:
    signals = analyse_page(letter_page(LETTER_A, size=42, left=300), 300)
    assert signals["separator"] is False and signals["barcodes"] == []
    assert 2.0 < signals["line_mm"] < 5.0 and signals["lines"] >= 10
    assert signals["left_mm"] == pytest.approx(300 / 300 * 25.4, abs=2.0)
    upside_down = turned(signals, 180)
    assert (upside_down["left_mm"], upside_down["top_mm"]) == (signals["right_mm"], signals["bottom_mm"])

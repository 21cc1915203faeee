"""What the finder accepts as a personnummer, the masking masks (one pattern for both)."""

from __future__ import annotations

from datetime import date

import pytest

from services.classify.signals import find_personnummer
from services.core.pii import mask_personnummer

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("written", "found"),
    [
        ("580922 - 7738", "19580922-7738"),
        ("580922-7738", "19580922-7738"),
        ("5809227738", "19580922-7738"),
        ("19580922-7738", "19580922-7738"),
        ("195809227738", "19580922-7738"),
        ("580922 7738", "19580922-7738"),
        ("580922+7738", "18580922-7738"),  # + : a hundred years or older
        ("121212-1212", "20121212-1212"),  # century inferred: not in the future
        ("701063-2391", "19701063-2391"),  # samordningsnummer: day + 60
    ],
)
def test_every_found_form_is_masked(written: str, found: str) -> None:
    text = f"Personnummer: {written}, tack."
    assert find_personnummer(text, today=TODAY) == [found]
    masked = mask_personnummer(text)
    assert written not in masked and "-XXXX" in masked and found[-4:] not in masked.split("-XXXX")[1]


def test_luhn_invalid_and_phone_numbers_are_left_alone() -> None:
    text = "fel 580922-7739, tel 0701234567"
    assert find_personnummer(text, today=TODAY) == []
    assert "580922-7739" in mask_personnummer(text)

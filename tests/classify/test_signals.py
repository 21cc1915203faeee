from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from services.classify.signals import case_ref_department, find_case_refs, find_personnummer, sensitive_terms_in

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Er beteckning: Dnr SBN 2024/0312 gäller bygglov", ["SBN 2024/0312"]),
        ("ärende SBN 2024/0312.", ["SBN 2024/0312"]),
        ("(ärende MHN-2023-1145)", ["MHN 2023/1145"]),
        ("dnr: KS 2025/87 – remiss", ["KS 2025/87"]),
        ("Diarienummer 2024-000318", ["2024-000318"]),
        ("Er beteckning: ÖFN 2024/233", ["ÖFN 2024/233"]),
        ("OCR-läst: SBN2024 / 0312", ["SBN 2024/0312"]),
        ("Dnr 2024/312", ["2024/312"]),
        ("först TN-2024-0933 och sedan KS 2024/0530 och TN-2024-0933 igen", ["TN 2024/0933", "KS 2024/0530"]),
    ],
)
def test_case_ref_formats(text: str, expected: list[str]) -> None:
    assert find_case_refs(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Datum: 2024-11-06, förfallodatum 2025-05-03",
        "tel 0224-553 81 eller 070-318 92 47",
        "Faktura 2025-0412, fakturanr 2025-070-4412",
        "Invoice no.: DN-2025-00918, Beslutsnummer: LB-2025-337816",
        "Ledningskollen ärende 2025-LK-448130, Org.nr 559817-8399",
        "Tidsperiod 2025-04-14 till 2025-04-25",
    ],
)
def test_no_case_ref_in_dates_phones_invoices(text: str) -> None:
    assert find_case_refs(text) == []


def test_case_ref_department() -> None:
    assert case_ref_department("SBN 2024/0312") == "SBN"
    assert case_ref_department("MHN 2023/1145") == "MHN"
    assert case_ref_department("ÖFN 2024/233") == "OFN"
    assert case_ref_department("KUN 2025/00377") is None
    assert case_ref_department("2024-000318") is None


def test_every_labelled_case_ref_is_found(corpus_dirs: list[Path]) -> None:
    for d in corpus_dirs:
        with (d / "labels.csv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["case_ref"]:
                    text = (d / f"{row['id']}.txt").read_text(encoding="utf-8")
                    assert find_case_refs(row["case_ref"])[0] in find_case_refs(text), row["id"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Personnummer: 19580922-7738", ["19580922-7738"]),
        ("pnr 580922-7738", ["19580922-7738"]),
        ("Personnr: 5603182717", ["19560318-2717"]),
        ("Personnummer: 150612-5184", ["20150612-5184"]),
        ("född 580922+7738", ["18580922-7738"]),
        ("pnr 580922 - 7738", ["19580922-7738"]),
        ("pnr 580922 7738", ["19580922-7738"]),
        ("pnr 195809227738", ["19580922-7738"]),
        ("samordningsnummer 701063-2391", ["19701063-2391"]),
        ("två gånger: 580922-7738 och 19580922-7738", ["19580922-7738"]),
    ],
)
def test_personnummer_valid(text: str, expected: list[str]) -> None:
    assert find_personnummer(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "pnr 580922-7739",  # Luhn fails
        "pnr 581322-7732",  # month 13 (Luhn-valid)
        "pnr 580230-7735",  # 30 February (Luhn-valid)
        "samordningsnummer 701093-2395",  # day 93-60 = 33 (Luhn-valid)
        "tel 0701234569",  # phone number that is date- and Luhn-valid
        "Telefon: 070-318 92 47, 0224-553 81",
        "Org.nr: 559817-8399",
        "kontonummer 924 118 306-1, clearing 8327-6",
        "Datum: 2024-11-06",
        "pnr 20300101-1232",  # in the future (Luhn-valid)
    ],
)
def test_personnummer_invalid(text: str) -> None:
    assert find_personnummer(text, today=TODAY) == []


def test_luhn_and_samordning_check_digits_are_real() -> None:
    # Sanity for the parametrised data above: the valid ones differ from the invalid ones only where intended.
    from services.core.pii import luhn_ok

    assert luhn_ok("5809227738")
    assert not luhn_ok("5809227739")
    assert luhn_ok("7010632391")
    for ten in ("5813227732", "5802307735", "7010932395", "3001011232", "0701234569"):
        assert luhn_ok(ten), ten  # the invalid cases above fail on the date or context, not on Luhn
    assert find_personnummer("0701234569", today=TODAY) == ["20070123-4569"]  # without "tel" it is one


def test_corpus_personnummer_labels(corpus_dirs: list[Path]) -> None:
    misses, false_hits, n_pos, n_neg = [], [], 0, 0
    for d in corpus_dirs:
        with (d / "labels.csv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                found = bool(find_personnummer((d / f"{row['id']}.txt").read_text(encoding="utf-8")))
                if row["personnummer"] == "1":
                    n_pos += 1
                    if not found:
                        misses.append(row["id"])
                else:
                    n_neg += 1
                    if found:
                        false_hits.append(row["id"])
    assert n_pos > 20
    assert misses == []
    assert len(false_hits) <= n_neg * 0.02, false_hits


def test_sensitive_terms() -> None:
    assert "orosanmälan" in sensitive_terms_in("OROSANMÄLAN gällande barn", strong_only=True)
    assert sensitive_terms_in("Ansökan om bygglov för garage") == []
    assert "läkarintyg" in sensitive_terms_in("Läkarintyg bifogas")
    assert sensitive_terms_in("Läkarintyg bifogas", strong_only=True) == []

"""Sender and subject for lists (services/mail/summary.py): the letterhead and the first heading."""

from __future__ import annotations

from types import SimpleNamespace

from services.mail.summary import display_summary, subject_of


def _item(text: str) -> SimpleNamespace:
    return SimpleNamespace(pages=[SimpleNamespace(text=text)])


def test_letterhead_is_the_sender_and_the_first_heading_the_subject() -> None:
    text = (
        "Mona Ekholm\nFörvaltare och god man\nBox 33, 545 22 Ekbacka\n\nEkbacka den 11 september 2025\n\n"
        "Ekbacka kommun\nBox 214\n545 21 Ekbacka\n\n\nAnsökan om samtycke till uttag från spärrat konto\n"
        "Er beteckning: ÖFN 2024/233\n\nHuvudman:  Leif Roger Sandström, 500607-1335\n"
    )
    summary = display_summary(_item(text))
    assert summary.sender == "Mona Ekholm" and summary.source == "letter"
    assert summary.subject == "Ansökan om samtycke till uttag från spärrat konto"


def test_an_explicit_subject_line_wins_and_personnummer_are_masked() -> None:
    assert subject_of("Anna\n\nÄrende: Bygglov Storgatan 4\n\nText") == "Bygglov Storgatan 4"
    summary = display_summary(_item("Per Persson 19811218-9876\n\nAngående: intyg för 19811218-9876"))
    assert "9876" not in summary.sender + summary.subject


def test_nothing_read_yet_gives_empty_fields() -> None:
    assert display_summary(SimpleNamespace(pages=[])).subject == ""

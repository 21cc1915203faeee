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


def _record(item_id: int, *, secret: bool, **values: str) -> None:
    from datetime import date

    from services.core.db import session_scope
    from services.core.models_registration import RegistrationRecord

    with session_scope() as session:
        fields = {k: {"value": v, "confidence": 0.9} for k, v in values.items()}
        session.add(RegistrationRecord(item_id=item_id, fields=fields, arrival_date=date(2026, 3, 2), secret=secret))


def test_the_registration_record_is_preferred_and_a_secret_one_shows_its_public_subject(make_item) -> None:
    from services.core.db import session_scope
    from services.core.models import MailItem

    letter = "Mona Ekholm\n\nAnsökan om samtycke till uttag"
    public, secret, bare = make_item(text=letter), make_item(text=letter), make_item(text=letter)
    _record(
        public, secret=False, sender_org="Ekbacka Bygg AB", sender_name="Mona Ekholm", subject="Bygglov Storgatan 4"
    )
    _record(
        secret,
        secret=True,
        sender_kind="person",
        sender_name="Mona Ekholm",
        subject="Ansökan för Leif Sandström",
        public_subject="Ansökan om samtycke",
    )
    with session_scope() as session:
        shown = {i: display_summary(session.get(MailItem, i)) for i in (public, secret, bare)}
    assert (shown[public].sender, shown[public].subject, shown[public].source) == (
        "Ekbacka Bygg AB",
        "Bygglov Storgatan 4",
        "registration",
    )
    assert shown[secret].sender == "" and shown[secret].subject == "Ansökan om samtycke"
    assert "Sandström" not in shown[secret].subject
    assert shown[bare].source == "letter" and shown[bare].sender == "Mona Ekholm"

"""Swedish wording of the services' messages (services/api/ui/texts.py)."""

from __future__ import annotations

from services.api.ui.texts import doc_type_label, error_text, state_reason


def test_known_messages_are_translated_with_their_details() -> None:
    assert (
        error_text("no mail item 45", 404) == "Försändelse #45 finns inte, eller så har du inte behörighet att se den."
    )
    assert error_text("unknown department 'XYZ'") == "Okänd avdelning: XYZ."
    assert state_reason("too many pages: 900 (limit 500)") == "För många sidor: 900 (gräns 500)."
    assert state_reason("ingest.extract: page 2: damaged or unreadable (ValueError: x)") == (
        "Behandlingen misslyckades: Sida 2 är skadad eller oläslig."
    )


def test_an_unknown_english_message_never_reaches_the_page() -> None:
    assert error_text("the frobnicator is not ready", 409) == (
        "Försändelsen har redan ändrats av någon annan. Ladda om sidan."
    )
    assert error_text("Skriv en kommentar.") == "Skriv en kommentar."  # already Swedish: kept


def test_document_types_in_words() -> None:
    assert doc_type_label("begaran_allman_handling") == "Begäran om allmän handling"
    assert doc_type_label("ansokan") == "Ansökan" and doc_type_label(None) == "–"

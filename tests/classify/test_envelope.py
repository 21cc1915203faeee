"""Read the letter, not the envelope: address blocks are cut, the subject counts twice, the reference line decides."""

from __future__ import annotations

import numpy as np

from services.classify.envelope import focus_sentences, heading, letter_text, strip_envelope, subject_line
from services.classify.model import load_default
from services.classify.service import classify_text, decide

# The letter: about an SBN case (its reference line says so), sent from and to addresses on "-gatan".
SBN_WITH_STREETS = """Karin Sjöberg
Storgatan 14
734 30 Solvik
Tel 070-123 45 67

Solviks kommun
Rådhusgatan 7
734 80 Solvik

Dnr SBN 2024/0312

Komplettering
Här kommer den reviderade situationsplanen och fasadritningen för tillbyggnaden som ni bad om.
Med vänlig hälsning
Karin Sjöberg
"""


def test_address_parts_go_the_matter_stays() -> None:
    text = (
        "Adress: Lärkvägen 9, 735 91 Ekeby\n"
        "Kärande: Robin Ekström, Parkvägen 3, 734 35 Solvik\n"
        "E-post: sara@example.se\n"
        "Plogbilen kör förbi på Enebacksvägen utan att ploga.\n"
    )
    out = strip_envelope(text)
    assert "Lärkvägen" not in out and "Ekeby" not in out and "Adress" not in out and "sara@" not in out
    assert "Kärande: Robin Ekström" in out and "Parkvägen" not in out
    assert "Plogbilen kör förbi på Enebacksvägen" in out  # a street without a number is the matter itself
    stripped = strip_envelope(SBN_WITH_STREETS)
    assert "gatan" not in stripped.lower() and "734 80" not in stripped and "070" not in stripped
    assert "Dnr SBN 2024/0312" in stripped and "situationsplanen" in stripped


def test_subject_counts_twice() -> None:
    assert subject_line("Hej\nÄrende: Ansökan om bygglov för garage\ntext") == "Ansökan om bygglov för garage"
    assert subject_line("ANSÖKAN OM BYGGLOV\n\nSökande") == "ANSÖKAN OM BYGGLOV"
    assert letter_text("ANSÖKAN OM BYGGLOV\nSökande: Eva").count("ANSÖKAN OM BYGGLOV") == 2
    assert subject_line("hej\nvi vill bygga en altan") is None


def test_reference_line_outweighs_topic_words() -> None:
    """The model is sure of TN (street words); the letter's own reference line names an SBN case."""
    classes = ["SBN", "TN"]
    d = decide(SBN_WITH_STREETS, classes, np.array([0.1, 0.9]), threshold=0.7, sensitive_departments=set())
    assert d.department == "SBN" and d.reasons["rule"] == "reference_line SBN 2024/0312"
    assert d.decision == "review"  # the model disagrees: a registrar confirms, it is never auto-routed wrongly
    agreeing = decide(SBN_WITH_STREETS, classes, np.array([0.9, 0.1]), threshold=0.7, sensitive_departments=set())
    assert (agreeing.department, agreeing.decision) == ("SBN", "auto")
    # a case mentioned in passing in the body is no reference line: the model decides
    passing = "Hej\nJag har tidigare haft ett ärende hos er (Dnr SBN 2024/0312) men nu gäller det snöröjning.\n"
    d = decide(passing, classes, np.array([0.1, 0.9]), threshold=0.7, sensitive_departments=set())
    assert d.department == "TN" and d.reasons["rule"] is None


def test_packaged_model_reads_the_letter() -> None:
    d = classify_text(SBN_WITH_STREETS, classifier=load_default(), sensitive_departments=set())
    assert d.department == "SBN"
    assert d.suggestions[0].department == "SBN"  # the model itself, not only the rule


def test_the_focus_sentence_counts_twice() -> None:
    """A letter with two matters is decided by the one the writer says it is about, not by the longer aside."""
    two = "Hej! Två frågor: kan min son byta skola? Och när öppnar biblioteket? Det viktigaste är skolbytet.\nMvh"
    assert focus_sentences(two) == ["Det viktigaste är skolbytet."]
    assert letter_text(two).count("Det viktigaste är skolbytet") == 2
    assert "skolbytet" in heading(two)  # the lexicon's heading block counts it too
    aside = "Mitt bygglovsärende SBN 2024/0188 är klart, detta gäller bara lampan på Skolvägen."
    assert focus_sentences(aside) == ["detta gäller bara lampan på Skolvägen."]  # from the marker on
    later = "Tidigare gällde det vägen men nu gäller det snöröjning."
    assert focus_sentences(later) == ["men nu gäller det snöröjning."]
    assert focus_sentences("My main question is about the school bus. Also the library.") == [
        "main question is about the school bus."
    ]
    # ordinary sentences are no focus
    assert focus_sentences("Vi vill bygga en altan. Det är svårt att skriva, men det är en annan sak.") == []

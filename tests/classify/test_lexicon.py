"""The department lexicon: English and plain-Swedish terms, whole-word stems, and the heading block."""

from __future__ import annotations

from pathlib import Path

from services.classify.envelope import heading, subject_line
from services.classify.lexicon import LEXICON, LexiconFeatures, hits


def test_english_letters_hit_their_department() -> None:
    assert "MHN" in hits("there is black mould in the bathroom")
    assert "TN" in hits("how often is rubbish collected from the street?")
    assert "BUN" in hits("which school can he attend, is there mother tongue teaching?")
    assert "KFN" in hits("can we book the sports hall on sundays")


def test_a_stem_matches_at_the_start_of_a_word_only() -> None:
    """'vat' (moms) once matched 'vatten'; 'cafe' matched a sports hall's 'cafeterian'."""
    assert "EKO" not in hits("vattnet läcker, dagvatten på gatan")
    assert "MHN" not in hits("vi behöver cafeterian i hallen")
    assert "EKO" in hits("vat number SE5566")


def test_heading_is_the_subject_or_a_short_first_line() -> None:
    assert heading("Orosanmälan\nJag är lärare och vill anmäla oro för en elev i årskurs 4.") == "Orosanmälan"
    assert heading("Från: Tobbe <t@x.se>\nÄmne: bokning hallen november\n\nHej!") == "bokning hallen november"
    assert heading("Hej! Biblioteket borde ha öppet längre på lördagar, många hinner inte.") == ""


def test_subject_labels_are_whole_words() -> None:
    """'Re' is a label; 'Redovisning' is not ('re' once matched it and made 'dovisning …' the subject)."""
    assert subject_line("Redovisning av kostnader 2024") is None
    assert subject_line("Re: bygglov för garage") == "bygglov för garage"


def test_the_heading_block_counts_the_heading_once_more() -> None:
    text = "Orosanmälan\nJag är lärare och vill anmäla oro för en elev i årskurs 4."
    deps = sorted(LEXICON)
    plain = LexiconFeatures(1.0, envelope=True).transform([text]).toarray()[0]
    both = LexiconFeatures(1.0, envelope=True, subject=True).transform([text]).toarray()[0]
    assert plain.shape[0] == len(deps) and both.shape[0] == 2 * len(deps)
    head = both[len(deps) :]
    assert head[deps.index("SN")] > 0 and head[deps.index("BUN")] == 0  # the teacher's words are body words
    assert plain[deps.index("BUN")] > plain[deps.index("SN")]  # in the body alone BUN has more stems


def test_the_object_of_a_complaint_counts() -> None:
    """Uncollected rubbish that smells is waste collection (TN); a smelly pizzeria is food control (MHN)."""
    bins = hits("Soporna har inte hämtats på tre veckor. Tunnan är full och det luktar.")
    assert len(set(bins["TN"])) > len(set(bins.get("MHN", [])) - {"lukt"})
    assert {"sopor", "tunna"} <= set(bins["TN"])
    food = hits("Det luktar illa från pizzerian. Fett och sopor bakom huset. Råttor har synts.")
    assert len(set(food["MHN"])) > len(set(food["TN"]))
    assert "KS" in hits("Varför stänger ni medborgarkontoret?")
    assert "BUN" in hits("Det viktigaste är skolbytet.")


def test_more_plain_english_department_terms() -> None:
    assert "VON" in hits("my mother needs elderly care, she is disabled")
    assert "OFN" in hits("I am asking about guardianship for my brother")
    assert "TN" in hits("the street lighting is broken at the bus stop")
    assert "EKO" in hits("we have paid twice for the same invoice")
    assert "HR" in hits("thank you for the job interview")
    assert "TN" not in hits("debt collection agency")  # 'collection' alone is no TN word


def test_the_substring_prefilter_finds_what_the_patterns_alone_find() -> None:
    """hits() skips a stem's regex when the stem is not in the text at all (issue 11: classify runs on
    every item); on every corpus letter it finds exactly what searching every pattern finds."""
    from services.classify.lexicon import LEXICON, _hits, compiled

    letters = sorted((Path(__file__).resolve().parents[3] / "shared" / "corpus" / "letters").glob("[ab]/*.txt"))
    assert letters
    for path in letters:
        low = " ".join(path.read_text(encoding="utf-8").lower().split())
        every = tuple(
            (dep, found)
            for dep, pats in compiled().items()
            if (found := tuple(LEXICON[dep][i].lstrip("*") for i, p in enumerate(pats) if p.search(low)))
        )
        assert _hits.__wrapped__(low) == every, path.name

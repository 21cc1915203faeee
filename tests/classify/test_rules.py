from __future__ import annotations

import numpy as np
import pytest

from services.classify.rules import InvalidRule, RuleSpec, create_rule, first_match, matches, update_rule, validate
from services.classify.service import decide

LETTER = "MIGRATIONSVERKET\nMottagningsenhet Göteborg\n\nHej,\nvi skriver om ett ensamkommande barn.\n" + "text\n" * 20


def _rule(kind: str, pattern: str, is_regex: bool = False, dep: str = "OFN", prio: int = 100, rid: int = 1) -> RuleSpec:
    return RuleSpec(rid, kind, pattern, is_regex, dep, prio)


def test_sender_rule_reads_only_the_letterhead() -> None:
    assert matches(_rule("sender", "migrationsverket"), LETTER)
    tail_only = "Hej\n" + "rad\n" * 10 + "Migrationsverket\n"
    assert not matches(_rule("sender", "Migrationsverket"), tail_only)
    assert matches(_rule("keyword", "Migrationsverket"), tail_only)


def test_plain_pattern_matches_word_starts_and_collapses_spaces() -> None:
    assert matches(_rule("keyword", "ensamkommande  barn"), LETTER)
    assert not matches(_rule("keyword", "kommande"), LETTER)  # not at a word start


def test_first_match_honours_priority_then_id() -> None:
    rules = [_rule("keyword", "barn", dep="SN", prio=50, rid=2), _rule("sender", "migrationsverket", prio=10, rid=3)]
    assert first_match(LETTER, rules).id == 3
    assert first_match("inget här", rules) is None


@pytest.mark.parametrize(
    ("pattern", "is_regex", "message"),
    [
        ("(a+)+$", True, "too slow"),
        ("[unclosed", True, "invalid regular expression"),
        ("x*", True, "matches empty text"),
        ("ab", False, "at least 3"),
        ("", False, "empty"),
    ],
)
def test_validation_rejects_bad_patterns(pattern: str, is_regex: bool, message: str) -> None:
    with pytest.raises(InvalidRule, match=message):
        validate("keyword", pattern, is_regex)


def test_a_slow_regex_times_out_instead_of_hanging() -> None:
    slow = _rule("keyword", "(a+)+$", is_regex=True)
    assert matches(slow, "a" * 40 + "!", timeout=0.01) is False


def test_rule_decides_before_the_model() -> None:
    classes = ["OFN", "SN"]
    d = decide(
        LETTER,
        classes,
        np.array([0.2, 0.8]),
        threshold=0.9,
        sensitive_departments=set(),
        rules=[_rule("sender", "Migrationsverket")],
    )
    assert (d.department, d.decision) == ("OFN", "auto")
    assert d.reasons["rule"] == "sender rule #1 'Migrationsverket'"
    assert d.reasons["runner_up"][0]["department"] == "SN"


def test_rules_persist_and_validate_department(db_session) -> None:
    rule = create_rule(db_session, kind="sender", pattern="Skatteverket", department="eko")
    assert rule.department_code == "EKO" and rule.active
    with pytest.raises(InvalidRule, match="unknown department"):
        create_rule(db_session, kind="keyword", pattern="bygglov", department="NOPE")
    with pytest.raises(InvalidRule, match="kind"):
        create_rule(db_session, kind="subject", pattern="bygglov", department="SBN")
    changed = update_rule(db_session, rule.id, active=False, priority=5)
    assert (changed.active, changed.priority, changed.pattern) == (False, 5, "Skatteverket")

"""The rules' proposed values for a small purpose-made letter: shared by the rule tests."""

from __future__ import annotations

from services.registration.service import propose_record

OWN = frozenset({"KS", "SBN", "SN"})


def fields(text: str, own: frozenset[str] = OWN) -> dict[str, str]:
    """The rules alone (no learned ranker)."""
    return {k: v["value"] for k, v in propose_record(text, [], own, ranker=None)["fields"].items()}


def ranked_fields(text: str, own: frozenset[str] = frozenset({"KS", "SBN", "BUN"})) -> dict[str, str]:
    """The same with the packaged ranker over the rules, as in production."""
    return {k: v["value"] for k, v in propose_record(text, [], own)["fields"].items()}

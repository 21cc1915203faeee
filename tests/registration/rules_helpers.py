"""The rules' proposed values for a small purpose-made letter (no learned ranker): shared by the rule tests."""

from __future__ import annotations

from services.registration.service import propose_record

OWN = frozenset({"KS", "SBN", "SN"})


def fields(text: str, own: frozenset[str] = OWN) -> dict[str, str]:
    return {k: v["value"] for k, v in propose_record(text, [], own, ranker=None)["fields"].items()}

"""The trained ranker: logistic-regression weights per field (a small JSON file, no pickle), loaded lazily
on first use, applied to the rules' proposal. Its probability becomes the field's confidence."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from services.registration.field import Field, make_field
from services.registration.learned.candidates import Candidate, Context, date_candidates
from services.registration.learned.sender_candidates import kind_features, org_candidates
from services.registration.learned.subject_candidates import subject_candidates
from services.registration.sender_details import sender_kind

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "ranker.json"
RANKED = {"letter_date": date_candidates, "subject": subject_candidates, "sender_org": org_candidates}


def _dot(weights: dict[str, float], feats: dict[str, float]) -> float:
    return sum(weights.get(k, 0.0) * v for k, v in feats.items())


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass
class Ranker:
    """Weights per field: {"intercept": b, "weights": {feature: w}}; for `sender_kind`
    {"classes": [...], "intercepts": [...], "weights": [{feature: w}, ...]}."""

    models: dict[str, dict[str, Any]]
    # False (shipped): the kind is the rules' reading of the chosen organisation, its confidence the classifier's
    # probability of that kind; True: the classifier's own pick (worse on the held-out letters, see the bench)
    classify_kind: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ranker:
        return cls(data["fields"])

    @classmethod
    def load(cls, path: Path) -> Ranker:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def probability(self, field: str, feats: dict[str, float]) -> float:
        m = self.models[field]
        return sigmoid(m["intercept"] + _dot(m["weights"], feats))

    def best(self, field: str, candidates: list[Candidate]) -> tuple[Candidate, float] | None:
        if field not in self.models or not candidates:
            return None
        scored = [(self.probability(field, c.feats), i) for i, c in enumerate(candidates)]
        p, i = max(scored)
        return candidates[i], p

    def kinds(self, feats: dict[str, float]) -> dict[str, float]:
        """The probability of each kind of sender."""
        m = self.models["sender_kind"]
        z = [b + _dot(w, feats) for b, w in zip(m["intercepts"], m["weights"], strict=True)]
        top = max(z)
        exp = [math.exp(v - top) for v in z]
        return {k: e / sum(exp) for k, e in zip(m["classes"], exp, strict=True)}

    def kind(self, feats: dict[str, float]) -> tuple[str, float]:
        probs = self.kinds(feats)
        best = max(probs, key=lambda k: probs[k])
        return best, probs[best]

    def apply(self, ctx: Context) -> dict[str, Field]:
        """The rules' fields with `letter_date`, `subject`, `sender_org` re-ranked and `sender_kind`
        classified; each confidence is the model's probability."""
        fields = dict(ctx.fields)
        for name, make in RANKED.items():
            found = self.best(name, make(ctx))
            if found is None:
                continue
            c, p = found
            fields[name] = make_field(c.value, p, ctx.text, c.start, c.end)
        if "sender_kind" in self.models:
            org, sid = fields["sender_org"].value, fields["sender_id"].value
            feats = kind_features(ctx, org, sid)
            if self.classify_kind:
                kind, p = self.kind(feats)
            else:
                kind = ctx.fields["sender_kind"].value if org == ctx.fields["sender_org"].value else ""
                kind = kind or sender_kind(org, ctx.text, sid).value
                p = self.kinds(feats).get(kind, 0.0)
            fields["sender_kind"] = make_field(kind, p)
        return fields


@cache
def default_ranker() -> Ranker | None:
    """The ranker shipped with the package (trained on every corpus letter), or None if the file is absent."""
    return Ranker.load(DEFAULT_PATH) if DEFAULT_PATH.exists() else None

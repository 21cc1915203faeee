"""The routing decision as the pipeline, the API and the CLI see it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Suggestion(BaseModel):
    department: str
    confidence: float = Field(ge=0.0, le=1.0)


class Decision(BaseModel):
    department: str
    confidence: float = Field(ge=0.0, le=1.0)
    doc_type: str | None = None
    sensitive: bool = False
    case_refs: list[str] = Field(default_factory=list)
    personnummer_found: bool = False
    decision: Literal["auto", "review"]
    suggestions: list[Suggestion] = Field(default_factory=list, description="top 3 departments by model probability")
    reasons: dict[str, Any] = Field(
        default_factory=dict,
        description='{"rule": "case_ref SBN 2024/0312" | None, "terms": [...], "threshold": t, ...}',
    )
    model_version: str

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


# --- admin API shapes: rules, cases, model versions ----------------------------------------------


class RuleIn(BaseModel):
    kind: Literal["sender", "keyword"]
    pattern: str = Field(min_length=1, max_length=300)
    is_regex: bool = False
    department: str = Field(min_length=1, max_length=16)
    priority: int = Field(default=100, ge=0, le=10_000)
    active: bool = True


class RulePatch(BaseModel):
    kind: Literal["sender", "keyword"] | None = None
    pattern: str | None = Field(default=None, min_length=1, max_length=300)
    is_regex: bool | None = None
    department: str | None = Field(default=None, min_length=1, max_length=16)
    priority: int | None = Field(default=None, ge=0, le=10_000)
    active: bool | None = None


class RuleOut(BaseModel):
    id: int
    kind: str
    pattern: str
    is_regex: bool
    department: str
    priority: int
    active: bool
    created_by: str

    @classmethod
    def from_rule(cls, rule: Any) -> RuleOut:
        return cls(
            id=rule.id,
            kind=rule.kind,
            pattern=rule.pattern,
            is_regex=rule.is_regex,
            department=rule.department_code,
            priority=rule.priority,
            active=rule.active,
            created_by=rule.created_by,
        )


class CaseOut(BaseModel):
    number: str
    department: str
    title: str
    source: str
    created_at: Any
    # The department contradicts the number's prefix: never used to route, shown to an admin.
    flagged: bool = False


class CaseListOut(BaseModel):
    items: list[CaseOut]
    total: int


class CaseImportOut(BaseModel):
    added: int
    updated: int
    skipped: list[dict[str, Any]]


class ModelVersionOut(BaseModel):
    version: str
    active: bool
    created_at: Any
    metrics: dict[str, Any]

"""Routing rules (admin): CRUD /api/v1/rules. Validation and matching live in services/classify/rules.py."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from services.api.deps import require_roles
from services.classify import rules
from services.classify.schemas import RuleIn, RuleOut, RulePatch
from services.core.db import session_scope
from services.core.models import User
from services.users.service import actor_for

router = APIRouter(prefix="/rules", tags=["rules"])
admin = require_roles("admin")


@router.get("", response_model=list[RuleOut])
def list_rules(_user: User = Depends(require_roles("admin", "registrar"))) -> list[RuleOut]:
    with session_scope() as session:
        return [RuleOut.from_rule(r) for r in rules.list_rules(session)]


@router.post("", response_model=RuleOut, status_code=201)
def create_rule(body: RuleIn, user: User = Depends(admin)) -> RuleOut:
    with session_scope() as session:
        return RuleOut.from_rule(rules.create_rule(session, **body.model_dump(), actor=actor_for(user)))


@router.get("/{rule_id}", response_model=RuleOut)
def get_rule(rule_id: int, _user: User = Depends(require_roles("admin", "registrar"))) -> RuleOut:
    with session_scope() as session:
        return RuleOut.from_rule(rules.get_rule(session, rule_id))


@router.patch("/{rule_id}", response_model=RuleOut)
def update_rule(rule_id: int, body: RulePatch, _user: User = Depends(admin)) -> RuleOut:
    with session_scope() as session:
        return RuleOut.from_rule(rules.update_rule(session, rule_id, **body.model_dump(exclude_unset=True)))


@router.delete("/{rule_id}", status_code=204)
def delete_rule(rule_id: int, _user: User = Depends(admin)) -> Response:
    with session_scope() as session:
        rules.delete_rule(session, rule_id)
    return Response(status_code=204)

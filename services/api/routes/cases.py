"""The case register (GET /api/v1/cases, POST /api/v1/cases/import) and model versions (/api/v1/models)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Query, UploadFile

from services.api.deps import require_roles
from services.classify import cases, versions
from services.classify.schemas import CaseImportOut, CaseListOut, CaseOut, ModelVersionOut
from services.core.db import session_scope
from services.core.models import User

router = APIRouter(tags=["cases", "models"])
MAX_CSV_BYTES = 20 * 1024 * 1024


@router.get("/cases", response_model=CaseListOut)
def list_cases(
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=2**62),
    flagged: bool = Query(False, description="only entries whose department contradicts the number's prefix"),
    _user: User = Depends(require_roles("admin", "registrar")),
) -> CaseListOut:
    with session_scope() as session:
        if flagged:
            every = cases.flagged_cases(session)
            rows, total = every[offset : offset + limit], len(every)
        else:
            rows, total = cases.list_cases(session, limit, offset)
        items = [
            CaseOut(
                number=c.number,
                department=c.department_code,
                title=c.title,
                source=c.source,
                created_at=c.created_at,
                flagged=cases.prefix_conflict(c.number, c.department_code),
            )
            for c in rows
        ]
        return CaseListOut(items=items, total=total)


@router.post("/cases/import", response_model=CaseImportOut)
def import_cases(file: UploadFile = File(...), _user: User = Depends(require_roles("admin"))) -> CaseImportOut:
    data = file.file.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise cases.InvalidCaseFile(f"the CSV is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB")
    with session_scope() as session:
        result = cases.import_csv(session, data)
        return CaseImportOut(added=result.added, updated=result.updated, skipped=result.skipped)


@router.get("/models", response_model=list[ModelVersionOut])
def list_models(_user: User = Depends(require_roles("admin", "registrar"))) -> list[ModelVersionOut]:
    with session_scope() as session:
        return [
            ModelVersionOut(version=v.version, active=v.active, created_at=v.created_at, metrics=v.metrics)
            for v in versions.list_versions(session)
        ]


@router.post("/models/{version}/activate", response_model=ModelVersionOut)
def activate_model(version: str, _user: User = Depends(require_roles("admin"))) -> ModelVersionOut:
    """Promote a version, or roll back to an older one."""
    with session_scope() as session:
        v = versions.activate(session, version)
        return ModelVersionOut(version=v.version, active=v.active, created_at=v.created_at, metrics=v.metrics)

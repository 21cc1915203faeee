from __future__ import annotations

from fastapi import APIRouter, Depends

from services.api.deps import current_user
from services.core.db import session_scope
from services.core.models import User
from services.mail import service
from services.mail.schemas import DepartmentOut

router = APIRouter(tags=["departments"])


@router.get("/departments", response_model=list[DepartmentOut])
def list_departments(include_inactive: bool = False, _user: User = Depends(current_user)) -> list[DepartmentOut]:
    with session_scope() as session:
        return [DepartmentOut.from_department(d) for d in service.list_departments(session, include_inactive)]

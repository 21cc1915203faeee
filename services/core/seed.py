"""Default departments, loaded from the list shipped in the package (built from shared/corpus)."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

from sqlalchemy.orm import Session

from services.core.models import Department

NOT_ROUTABLE = {"INGEN"}


def read_departments(path: Path | None = None) -> list[dict[str, object]]:
    if path is None:
        text = resources.files("services.core").joinpath("data/departments.csv").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    rows = []
    for row in csv.DictReader(text.splitlines()):
        code = row["code"].strip()
        rows.append(
            {
                "code": code,
                "name": row["name"].strip(),
                "handles": row.get("handles", "").strip(),
                "sensitive_by_default": row.get("sensitive_by_default", "0").strip() in {"1", "true", "True"},
                "routable": code not in NOT_ROUTABLE,
            }
        )
    return rows


def ensure_departments(session: Session, path: Path | None = None) -> int:
    """Insert the default departments that are missing; existing ones are left as admins edited them
    (name, active), except the description of what they handle, which admins cannot edit: it follows
    the shipped list (so a database seeded with the older English descriptions gets the Swedish ones)."""
    added = 0
    for row in read_departments(path):
        existing = session.get(Department, row["code"])
        if existing is None:
            session.add(Department(**row))
            added += 1
        elif row["handles"] and existing.handles != row["handles"]:
            existing.handles = row["handles"]
    session.flush()
    return added

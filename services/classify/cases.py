"""The case register: known case numbers (diarienummer) and the department that owns each.

Filled two ways: ``import_csv`` (a diarium export, ``number,department,title``; admin, CLI
``posthantering cases import FILE.csv`` or ``POST /api/v1/cases/import``), and ``record_routed``: an
item routed by a registrar adds the case numbers it quotes with its department; an item auto-routed
by the machine adds only the number that is the letter's own case (``is_own_case``). An imported
entry is never overwritten by a routed one.

The register cannot be poisoned by a sender (issue 9): a letter to TN that quotes "Dnr SN 2025/0100"
must not teach the register that SN 2025/0100 is a TN case. So a routed item never records a number
whose prefix names another department (``prefix_conflict``), and an entry that contradicts its
number's prefix (an import, or a row written before this rule) is flagged for an admin
(``GET /api/v1/cases?flagged=true``) and never used to route (``known_departments`` leaves it out).

Numbers are stored normalised the way ``signals.find_case_refs`` writes them, so a letter's reference
and the register meet whatever spacing or dash form either used.

The known-case rule (``service.apply_known_case_rule``): a letter that quotes a known case goes to that
case's department, unless it is plainly a new matter; see services/classify/service.py.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.classify.signals import case_ref_department, find_case_refs
from services.core.errors import DomainError
from services.core.models import Case, Department

MAX_IMPORT_ROWS = 100_000


class InvalidCaseFile(DomainError):
    status_code = 422
    code = "invalid_case_file"


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    skipped: list[dict[str, object]]


def normalise_number(raw: str) -> str | None:
    """The register's form of a case number as written in a diarium export, or None if it is not one."""
    refs = find_case_refs(f"Dnr {raw.strip()}")
    return refs[0] if refs else None


def prefix_conflict(number: str, department: str) -> bool:
    """Whether the number's prefix names a department other than `department` (no prefix: no conflict)."""
    named = case_ref_department(number)
    return named is not None and named != department


def known_departments(session: Session, refs: Sequence[str]) -> dict[str, str]:
    """{reference: department} for the references in the register, leaving out flagged entries."""
    if not refs:
        return {}
    rows = session.execute(select(Case.number, Case.department_code).where(Case.number.in_(list(refs))))
    return {number: dept for number, dept in rows if not prefix_conflict(number, dept)}


def import_rows(session: Session, rows: Iterable[dict[str, str]]) -> ImportResult:
    codes = set(session.scalars(select(Department.code)))
    added = updated = 0
    skipped: list[dict[str, object]] = []
    for line, row in enumerate(rows, start=2):
        if line > MAX_IMPORT_ROWS + 1:
            raise InvalidCaseFile(f"more than {MAX_IMPORT_ROWS} rows")
        number = normalise_number(row.get("number") or "")
        dept = (row.get("department") or "").strip().upper()
        if number is None:
            skipped.append({"line": line, "why": "not a case number"})
            continue
        if dept not in codes:
            skipped.append({"line": line, "why": f"unknown department {dept!r}"})
            continue
        title = (row.get("title") or "").strip()[:300]
        case = session.scalar(select(Case).where(Case.number == number))
        if case is None:
            session.add(Case(number=number, department_code=dept, title=title, source="import"))
            added += 1
        else:
            case.department_code, case.title, case.source = dept, title or case.title, "import"
            updated += 1
        session.flush()
    return ImportResult(added, updated, skipped)


def import_csv(session: Session, data: bytes | str) -> ImportResult:
    """Import ``number,department,title`` rows (a header line is required); bad rows are skipped and listed."""
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower() for f in reader.fieldnames or []}
    if not {"number", "department"} <= fields:
        raise InvalidCaseFile("the CSV needs a header with at least: number,department[,title]")
    rows = ({(k or "").strip().lower(): (v or "") for k, v in r.items()} for r in reader)
    return import_rows(session, rows)


def record_routed(session: Session, refs: Sequence[str], department: str, *, text: str | None = None) -> int:
    """Add the case numbers of an item routed to ``department``; returns how many were new.

    ``text`` is given for a machine's auto-route: then only the letter's own case is learnt. A number
    whose prefix names another department is never learnt (a sender can quote any number).
    """
    from services.classify.service import is_own_case

    new = 0
    for ref in dict.fromkeys(refs):
        if prefix_conflict(ref, department):
            continue
        if text is not None and not is_own_case(text, ref):
            continue
        if session.scalar(select(Case.id).where(Case.number == ref)) is None:
            session.add(Case(number=ref, department_code=department, title="", source="routed"))
            new += 1
    if new:
        session.flush()
    return new


def list_cases(session: Session, limit: int = 100, offset: int = 0) -> tuple[list[Case], int]:
    from sqlalchemy import func

    total = session.scalar(select(func.count()).select_from(Case)) or 0
    rows = session.scalars(select(Case).order_by(Case.number).limit(limit).offset(offset)).all()
    return list(rows), int(total)


def flagged_cases(session: Session) -> list[Case]:
    """Entries whose department contradicts their number's prefix: for an admin to correct or delete."""
    rows = session.scalars(select(Case).order_by(Case.number))
    return [c for c in rows if prefix_conflict(c.number, c.department_code)]

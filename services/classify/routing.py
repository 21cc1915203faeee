"""The one decision path: what the pipeline's classify step and ``posthantering classify`` both call.

The decision for a letter's text with everything the registry has taught the service: the active model
version (or the packaged default when none is active), the admin rules, the case register (known case
numbers the letter quotes) and the departments marked sensitive in the database. The decision names the
model version that decided (``Decision.model_version``); ``model_source`` says whether that is an
active version or the packaged default.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.classify.cases import known_departments
from services.classify.rules import active_rules
from services.classify.schemas import Decision
from services.classify.service import classify_text
from services.classify.signals import find_case_refs
from services.classify.versions import active_classifier, active_version
from services.core.models import Department


def sensitive_departments(session: Session) -> set[str]:
    return set(session.scalars(select(Department.code).where(Department.sensitive_by_default.is_(True))))


def decide_letter(session: Session, text: str) -> Decision:
    """The routing decision for ``text`` as the pipeline makes it (see the module docstring)."""
    return classify_text(
        text,
        classifier=active_classifier(session),
        sensitive_departments=sensitive_departments(session),
        rules=active_rules(session),
        known_cases=known_departments(session, find_case_refs(text)),
    )


def model_source(session: Session) -> str:
    """``"active"`` when a model version is active, else ``"packaged default"``."""
    return "active" if active_version(session) is not None else "packaged default"

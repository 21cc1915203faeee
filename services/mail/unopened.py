"""The registry registers an envelope that must stay closed (personally addressed, a tender) from what
it reads on the envelope, with an optional photo of it, and forwards it unopened to a department."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from services.core.errors import Forbidden
from services.core.models import MailItem, User
from services.core.models_registration import RegistrationRecord
from services.mail import permissions
from services.mail.service import InvalidRequest, _human_seconds, _target_department
from services.registration.unopened import UnopenedEnvelope, register
from services.users.service import actor_for

FIELD_NAMES = tuple(f.name for f in fields(UnopenedEnvelope))


def envelope_from(data: dict[str, Any]) -> UnopenedEnvelope:
    """The typed values of a request (unknown names refused; `secret` a bool or absent)."""
    unknown = sorted(set(data) - set(FIELD_NAMES) - {"department", "human_seconds"})
    if unknown:
        raise InvalidRequest(f"okända fält: {', '.join(unknown)}", fields=list(FIELD_NAMES))
    values: dict[str, Any] = {}
    for name in FIELD_NAMES:
        if name not in data or data[name] is None:
            continue
        if name == "secret":
            if not isinstance(data[name], bool):
                raise InvalidRequest("secret ska vara true eller false")
            values[name] = data[name]
        else:
            values[name] = str(data[name])
    return UnopenedEnvelope(**values)


def register_unopened(
    session: Session,
    user: User,
    data: dict[str, Any],
    photo: tuple[BinaryIO, str] | None = None,
) -> tuple[MailItem, RegistrationRecord]:
    """Registry: record the envelope, routed unopened to data["department"], its registration confirmed."""
    if not permissions.can_route(user):
        raise Forbidden(f"role {user.role!r} may not register mail")
    department = _target_department(session, str(data.get("department") or ""))
    try:
        seconds = _human_seconds(float(data.get("human_seconds") or 0.0))
    except (TypeError, ValueError):
        raise InvalidRequest("human_seconds ska vara ett tal") from None
    return register(session, envelope_from(data), department, actor_for(user), photo=photo, human_seconds=seconds)

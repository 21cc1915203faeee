"""Domain errors. Each carries the HTTP status it maps to; one handler in the API renders them."""

from __future__ import annotations

import re
from typing import Any


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "detail": self.message, **self.extra}


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class StateConflict(Conflict):
    """The item was not in the state a transition expected (someone else moved it first)."""

    code = "state_conflict"


class InvalidInput(DomainError):
    """The submitted file cannot be processed (empty, corrupt, encrypted, too big, wrong type).

    The message becomes a quarantine reason shown to users: absolute paths (a library's error text
    often names the blob's file) are cut down to the file's name.
    """

    status_code = 422
    code = "invalid_input"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(strip_paths(message), **extra)


_ABS_PATH_RE = re.compile(r"""(?<![\w:/.])/(?:[^\s'"/:]+/)+([^\s'"/:]*)""")


def strip_paths(text: str) -> str:
    """Every absolute path in `text` replaced by its last part ('/var/lib/x/blobs/ab/cd' -> 'cd')."""
    return _ABS_PATH_RE.sub(lambda m: m.group(1) or "(sökväg)", text)


class PayloadTooLarge(InvalidInput):
    status_code = 413
    code = "payload_too_large"


class UnsupportedType(InvalidInput):
    status_code = 415
    code = "unsupported_media_type"


class TransientError(Exception):
    """A failure worth retrying (database locked, broker hiccup, a worker lost). Not a DomainError."""


class StorageUnavailable(TransientError):
    """The file system under the data directory refused a write or read (disk full, I/O error, read-only).
    An environment error: the step is retried; the letter is never blamed for it."""


class InsufficientStorage(DomainError):
    """An upload arrived while the blob store has no room: 507, nothing recorded, send it again later."""

    status_code = 507
    code = "insufficient_storage"

"""Admin rules applied before the model: sender rules and keyword rules.

A rule is ``{kind, pattern, is_regex, department, priority, active}``:

- ``kind = "sender"`` matches the letterhead: the first ``SENDER_LINES`` non-empty lines of the letter
  (who writes: "Migrationsverket", "Skatteverket", an invoice sender's name);
- ``kind = "keyword"`` matches anywhere in the letter.

A plain pattern matches case-insensitively at the start of a word, whitespace collapsed
(``bygglov`` matches "Bygglovsansökan"). A regex pattern (``is_regex``) is a ``regex``-module pattern,
case-insensitive, validated when the rule is created (it must compile, be at most ``MAX_PATTERN`` long and
finish on a probe text), and every match runs with a ``REGEX_TIMEOUT_S`` timeout: a rule that times out
on a letter is skipped for that letter (and logged by id, never with the text), it cannot stall a worker.

Rules are tried in order (priority ascending, then id); the first active match decides the department,
the item is auto-routed (an admin wrote the rule on purpose) and ``reasons["rule"]`` names it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.errors import DomainError, NotFound
from services.core.logging import get_logger
from services.core.models import Department, RoutingRule

log = get_logger(__name__)

KINDS = ("sender", "keyword")
SENDER_LINES = 6
MAX_PATTERN = 300
REGEX_TIMEOUT_S = 0.05
_PROBE = ("a" * 2000 + "!") + " " + ("ab " * 500) + "\n" * 50


class InvalidRule(DomainError):
    status_code = 422
    code = "invalid_rule"


@dataclass(frozen=True)
class RuleSpec:
    id: int
    kind: str
    pattern: str
    is_regex: bool
    department: str
    priority: int = 100

    def describe(self) -> str:
        shown = f"/{self.pattern}/" if self.is_regex else repr(self.pattern)
        return f"{self.kind} rule #{self.id} {shown}"


def sender_block(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return "\n".join(lines[:SENDER_LINES])


def _compile(rule: RuleSpec) -> regex.Pattern[str]:
    if rule.is_regex:
        return regex.compile(rule.pattern, regex.IGNORECASE | regex.VERSION1)
    words = [regex.escape(w) for w in rule.pattern.split()]
    return regex.compile(r"(?<!\w)" + r"\s+".join(words), regex.IGNORECASE)


def matches(rule: RuleSpec, text: str, *, timeout: float = REGEX_TIMEOUT_S) -> bool:
    """Whether ``rule`` matches ``text``; False (and a log line naming the rule) on a regex timeout."""
    target = sender_block(text) if rule.kind == "sender" else text
    try:
        return _compile(rule).search(target, timeout=timeout) is not None
    except TimeoutError:
        log.warning("rule_timeout", rule_id=rule.id, kind=rule.kind)
        return False


def first_match(text: str, rules: Iterable[RuleSpec]) -> RuleSpec | None:
    for rule in sorted(rules, key=lambda r: (r.priority, r.id)):
        if matches(rule, text):
            return rule
    return None


def validate(kind: str, pattern: str, is_regex: bool) -> str:
    """The cleaned pattern, or InvalidRule (422) saying what is wrong."""
    if kind not in KINDS:
        raise InvalidRule(f"kind must be one of {', '.join(KINDS)}", kind=kind)
    pattern = (pattern or "").strip()
    if not pattern:
        raise InvalidRule("pattern must not be empty")
    if len(pattern) > MAX_PATTERN:
        raise InvalidRule(f"pattern is longer than {MAX_PATTERN} characters")
    if not is_regex:
        if len(pattern) < 3:
            raise InvalidRule("a plain pattern needs at least 3 characters")
        return pattern
    try:
        compiled = regex.compile(pattern, regex.IGNORECASE | regex.VERSION1)
    except regex.error as exc:
        raise InvalidRule(f"invalid regular expression: {exc}") from None
    try:
        if compiled.search("", timeout=REGEX_TIMEOUT_S) is not None:
            raise InvalidRule("the regular expression matches empty text: it would match every letter")
        compiled.search(_PROBE, timeout=REGEX_TIMEOUT_S)
    except TimeoutError:
        raise InvalidRule("the regular expression is too slow (catastrophic backtracking)") from None
    return pattern


# --- persistence (admin CRUD) ---------------------------------------------------------------------


def to_spec(rule: RoutingRule) -> RuleSpec:
    return RuleSpec(rule.id, rule.kind, rule.pattern, rule.is_regex, rule.department_code, rule.priority)


def active_rules(session: Session) -> list[RuleSpec]:
    rows = session.scalars(select(RoutingRule).where(RoutingRule.active.is_(True)))
    return [to_spec(r) for r in rows]


def list_rules(session: Session) -> Sequence[RoutingRule]:
    return session.scalars(select(RoutingRule).order_by(RoutingRule.priority, RoutingRule.id)).all()


def _department(session: Session, code: str) -> str:
    code = (code or "").strip().upper()
    dept = session.get(Department, code)
    if dept is None:
        raise InvalidRule(f"unknown department {code!r}", department=code)
    return code


def get_rule(session: Session, rule_id: int) -> RoutingRule:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound(f"no rule {rule_id}")
    return rule


def create_rule(
    session: Session,
    *,
    kind: str,
    pattern: str,
    department: str,
    is_regex: bool = False,
    priority: int = 100,
    active: bool = True,
    actor: str = "system",
) -> RoutingRule:
    rule = RoutingRule(
        kind=kind,
        pattern=validate(kind, pattern, is_regex),
        is_regex=is_regex,
        department_code=_department(session, department),
        priority=int(priority),
        active=bool(active),
        created_by=actor,
    )
    session.add(rule)
    session.flush()
    return rule


def update_rule(session: Session, rule_id: int, **changes: object) -> RoutingRule:
    rule = get_rule(session, rule_id)
    kind = str(changes.get("kind") or rule.kind)
    pattern = str(changes.get("pattern") or rule.pattern)
    is_regex = bool(changes["is_regex"]) if changes.get("is_regex") is not None else rule.is_regex
    rule.pattern = validate(kind, pattern, is_regex)
    rule.kind, rule.is_regex = kind, is_regex
    if changes.get("department") is not None:
        rule.department_code = _department(session, str(changes["department"]))
    if changes.get("priority") is not None:
        rule.priority = int(changes["priority"])  # type: ignore[call-overload]
    if changes.get("active") is not None:
        rule.active = bool(changes["active"])
    session.flush()
    return rule


def delete_rule(session: Session, rule_id: int) -> None:
    session.delete(get_rule(session, rule_id))
    session.flush()

"""The one error tree of cogov.

Every refusal names the rule it broke (``error.rule``, a stable dotted code such as
``issue.transition`` or ``meeting.quorum``) and stores nothing::

    CogovError
    ├── InvalidInputError        malformed command input (translated from pydantic)
    ├── NotFoundError            unknown issue, meeting, project, unit, body, resident …
    ├── RuleViolationError       a domain rule refused the command
    │   ├── IllegalTransitionError   the command does not apply in the current status
    │   ├── QuorumNotMetError        fewer than the quorum present (三分之二以上 …)
    │   └── DeadlineError            a time limit was missed or cannot be met
    ├── PermissionDeniedError    the actor lacks the permission in that governance unit
    ├── ConcurrencyError         a command lost its race more times than the retry budget
    ├── StoreError               the store is unreachable or misconfigured (bad URL …)
    └── IntegrityViolationError  an audited history does not verify

Library errors (pydantic, eventsourcing, SQLAlchemy) are translated at the application
boundary; callers never need to import them.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CogovError",
    "ConcurrencyError",
    "DeadlineError",
    "IllegalTransitionError",
    "IntegrityViolationError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "QuorumNotMetError",
    "RuleViolationError",
    "StoreError",
]


class CogovError(Exception):
    """Base of every error cogov raises. ``rule`` names the rule that refused."""

    default_rule = "cogov"

    def __init__(self, message: str, *, rule: str | None = None, **details: Any) -> None:
        self.rule = rule or self.default_rule
        self.details = details
        super().__init__(f"[{self.rule}] {message}")

    @property
    def message(self) -> str:
        return str(self)


class InvalidInputError(CogovError):
    """The command's input is malformed: wrong type, missing field, too long …"""

    default_rule = "input.valid"

    def __init__(
        self, message: str, *, rule: str | None = None, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message, rule=rule)
        self.errors = errors or []


class NotFoundError(CogovError):
    """The command names something that does not exist."""

    default_rule = "ref.exists"


class RuleViolationError(CogovError):
    """A domain rule refused the command."""

    default_rule = "domain.rule"


class IllegalTransitionError(RuleViolationError):
    """The command does not apply in the current status."""

    default_rule = "transition"


class QuorumNotMetError(RuleViolationError):
    """Fewer members present than the quorum requires."""

    default_rule = "meeting.quorum"


class DeadlineError(RuleViolationError):
    """A time limit was missed or cannot be met."""

    default_rule = "deadline"


class PermissionDeniedError(CogovError):
    """The actor lacks the permission in that governance unit."""

    default_rule = "permission"


class ConcurrencyError(CogovError):
    """A command lost its optimistic-concurrency race more times than allowed."""

    default_rule = "concurrency.retries"


class StoreError(CogovError):
    """The store is unreachable or misconfigured."""

    default_rule = "store"


class IntegrityViolationError(CogovError):
    """An audited history does not verify."""

    default_rule = "audit.integrity"

"""PolicyBook: every version of the policy ever adopted, so any decision can be re-read
under the rules it was made under. One book per store, at a fixed id."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID, uuid5

from cogov.domain.base import Aggregate, Context, DomainEvent, Started, applies
from cogov.domain.policy import Policy
from cogov.domain.values import LongText
from cogov.errors import RuleViolationError

__all__ = ["POLICY_BOOK_ID", "WHOLE_DEPLOYMENT", "PolicyBook"]

POLICY_BOOK_ID = uuid5(UUID("6f1c2d4e-8a3b-4c5d-9e0f-112233445566"), "cogov.policy-book")
#: the "unit" of events that concern the whole deployment
WHOLE_DEPLOYMENT = UUID(int=0)


class PolicyBook(Aggregate):
    TOPIC: ClassVar[str] = "cogov:PolicyBook"

    class Event(DomainEvent):
        pass

    class Adopted(Started, Event):
        """A policy version was adopted; earlier decisions keep the version they cite."""

        TOPIC: ClassVar[str] = "cogov:PolicyBook.Adopted"
        policy: Policy
        reason: LongText

    unit_id: UUID
    versions: dict[int, Policy]
    current_version: int

    @classmethod
    def open(cls, ctx: Context, *, policy: Policy, reason: str) -> PolicyBook:
        return cls._start(
            cls.Adopted,
            ctx,
            id=POLICY_BOOK_ID,
            unit_id=WHOLE_DEPLOYMENT,
            policy=policy,
            reason=reason,
        )

    def adopt(self, ctx: Context, *, policy: Policy, reason: str) -> None:
        if policy.version != self.current_version + 1:
            raise RuleViolationError(
                f"the next policy version is {self.current_version + 1}, not {policy.version}",
                rule="policy.version.next",
            )
        self._record(self.Adopted, ctx, policy=policy, reason=reason)

    @property
    def current(self) -> Policy:
        return self.versions[self.current_version]

    @applies(Adopted)
    def _adopted(self, e: Adopted) -> None:
        if not hasattr(self, "versions"):
            self.unit_id = WHOLE_DEPLOYMENT
            self.versions = {}
        self.versions[e.policy.version] = e.policy
        self.current_version = e.policy.version

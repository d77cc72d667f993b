"""Policy as versioned data: the rules a governance unit decides under.

Defaults come from DOMAIN.md: 大事大议、小事小议、急事快议; the Organic Law's quorum
(三分之二以上 present — "以上" includes the number itself) and majority (过半数 — strictly more
than half of those present); 12345-style time limits (2 hours / 24 hours / 7 / 15 working
days); 退单 within 2 working days; 四议两公开 publication; 以奖代补 ratio and cap.

Every event records the ``policy_version`` it was decided under. Adopting a new policy
never changes a past decision: old events keep their version, and the policy book keeps
every version (see :class:`cogov.domain.policybook.PolicyBook`).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from cogov.domain.values import MeetingKind, Scale, Value

__all__ = ["Policy", "Quorum", "TimeLimit"]


class Quorum(Value):
    """A share of a whole, e.g. 2/3 of the roster present.

    ``inclusive=True`` reads as 以上 (at least the share: exactly two thirds is enough);
    ``inclusive=False`` reads as 过半数 / 超过 (strictly more than the share).
    """

    numerator: int = Field(ge=0)
    denominator: int = Field(ge=1)
    inclusive: bool

    def met(self, part: int, whole: int) -> bool:
        """True when ``part`` out of ``whole`` reaches the share (integer arithmetic)."""
        lhs, rhs = part * self.denominator, whole * self.numerator
        return lhs >= rhs if self.inclusive else lhs > rhs

    def describe(self) -> str:
        return f"{'≥' if self.inclusive else '>'} {self.numerator}/{self.denominator}"


class TimeLimit(Value):
    """A time limit counted in clock hours or in working days (工作日, China's calendar)."""

    hours: int | None = Field(default=None, ge=1)
    working_days: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> TimeLimit:
        if (self.hours is None) == (self.working_days is None):
            raise ValueError("give exactly one of hours or working_days")
        return self

    @property
    def as_timedelta(self) -> timedelta | None:
        return timedelta(hours=self.hours) if self.hours is not None else None

    def describe(self) -> str:
        return f"{self.hours} 小时" if self.hours is not None else f"{self.working_days} 个工作日"


Share = Annotated[Decimal, Field(ge=0, le=1)]

_ALL_KINDS = frozenset(MeetingKind)


def _default_decision_bodies() -> dict[Scale, frozenset[MeetingKind]]:
    return {
        # 大事大议: matters touching residents' vital interests are decided by the
        # representatives' meeting or the villagers' meeting (四议两公开 决议).
        Scale.MAJOR: frozenset({MeetingKind.REPRESENTATIVES, MeetingKind.VILLAGERS}),
        # 小事小议: the weekly two-committee meeting or a residents' council suffices.
        Scale.MINOR: frozenset(
            {
                MeetingKind.TWO_COMMITTEES,
                MeetingKind.RESIDENTS_COUNCIL,
                MeetingKind.EVENING_TALK,
                MeetingKind.REPRESENTATIVES,
                MeetingKind.VILLAGERS,
            }
        ),
        # 急事快议: fast-tracked by a responsible cadre, reported to the next meeting;
        # any meeting may also decide it.
        Scale.URGENT: _ALL_KINDS,
    }


def _default_quorum() -> dict[MeetingKind, Quorum]:
    two_thirds = Quorum(numerator=2, denominator=3, inclusive=True)  # 三分之二以上
    over_half = Quorum(numerator=1, denominator=2, inclusive=False)  # 过半数
    return {
        MeetingKind.REPRESENTATIVES: two_thirds,  # 村民委员会组织法 第二十六条
        MeetingKind.PARTY_MEMBERS: two_thirds,  # 四议两公开 党员大会审议
        MeetingKind.VILLAGERS: over_half,  # 第二十二条: 过半数 of adult villagers
        MeetingKind.TWO_COMMITTEES: over_half,
        MeetingKind.RESIDENTS_COUNCIL: over_half,
        MeetingKind.EVENING_TALK: Quorum(numerator=0, denominator=1, inclusive=True),
    }


class Policy(Value):
    """The rules in force. A new version is adopted through the policy book."""

    version: int = Field(default=1, ge=1)
    title: str = "共同缔造 默认规则 (DOMAIN.md)"

    # 大事大议、小事小议、急事快议
    decision_bodies: dict[Scale, frozenset[MeetingKind]] = Field(
        default_factory=_default_decision_bodies
    )
    fast_track_scales: frozenset[Scale] = frozenset({Scale.URGENT})

    # quorum (出席) and majority (表决) per kind of meeting
    quorum: dict[MeetingKind, Quorum] = Field(default_factory=_default_quorum)
    majority: Quorum = Quorum(numerator=1, denominator=2, inclusive=False)  # 过半数

    # agenda: published N days ahead; the monthly meeting takes 1–2 topics
    agenda_notice_days: dict[MeetingKind, int] = Field(
        default_factory=lambda: {
            MeetingKind.REPRESENTATIVES: 3,
            MeetingKind.VILLAGERS: 10,
            MeetingKind.PARTY_MEMBERS: 3,
        }
    )
    agenda_max_topics: dict[MeetingKind, int] = Field(
        default_factory=lambda: {MeetingKind.REPRESENTATIVES: 2}
    )

    # time limits (12345 接诉即办 defaults)
    response_limit: dict[Scale, TimeLimit] = Field(
        default_factory=lambda: {
            Scale.URGENT: TimeLimit(hours=2),
            Scale.MINOR: TimeLimit(hours=24),
            Scale.MAJOR: TimeLimit(hours=24),
        }
    )
    dispatch_deadline: dict[Scale, TimeLimit] = Field(
        default_factory=lambda: {
            Scale.URGENT: TimeLimit(hours=24),
            Scale.MINOR: TimeLimit(working_days=7),
            Scale.MAJOR: TimeLimit(working_days=15),
        }
    )
    #: categories with their own limit, e.g. 水电气暖 within 24 hours
    category_deadline: dict[str, TimeLimit] = Field(
        default_factory=lambda: {"水电气暖": TimeLimit(hours=24)}
    )
    return_limit: TimeLimit = TimeLimit(working_days=2)  # 退单 within 2 working days

    # 效果共评
    rating_min: int = 1
    rating_max: int = 5
    satisfied_from_score: int = 4  # a rating of 4 or 5 counts as 满意
    min_ratings_to_settle: int = Field(default=3, ge=1)
    satisfaction_threshold: Share = Decimal("0.8")  # share of satisfied ratings to close

    # 四议两公开: for these scales the decision and its outcome must be published
    publication_required: frozenset[Scale] = frozenset({Scale.MAJOR})

    # 以奖代补: reward = ratio × residents' and partners' contributions, capped
    reward_ratio: Share = Decimal("0.5")
    reward_cap: Decimal = Field(default=Decimal("200000"), ge=0)
    labour_day_value: Decimal = Field(default=Decimal("150"), ge=0)

    # residents' bodies (自管委 elects 5)
    body_default_seats: int = Field(default=5, ge=1)

    # 个人信息保护法: a departed resident's personal data is kept this long, then shredded
    personal_data_retention_days: int = Field(default=365, ge=1)

    def deadline_for(self, scale: Scale, category: str | None) -> TimeLimit:
        if category is not None and category in self.category_deadline:
            return self.category_deadline[category]
        return self.dispatch_deadline[scale]

    def quorum_for(self, kind: MeetingKind) -> Quorum:
        return self.quorum.get(kind, self.majority)

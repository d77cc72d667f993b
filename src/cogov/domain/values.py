"""Value types of the co-governance domain: the words of DOMAIN.md as enums and frozen models.

Enum *values* are persisted in events: never rename a value, only add new ones.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "Actor",
    "Assignee",
    "AssigneeKind",
    "BodyKind",
    "Channel",
    "ContributionKind",
    "Contributor",
    "ContributorKind",
    "DecisionRef",
    "LongText",
    "MeetingKind",
    "Name",
    "Role",
    "Scale",
    "ShortText",
    "UnitLevel",
    "Value",
    "VoteChoice",
]

#: A short label: a title, a category, a name of a place (1–200 characters, trimmed).
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
#: A description, a reason, minutes (1–5,000 characters, trimmed).
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
#: An identifier chosen by a host system (actor ids, department codes …).
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=r"^\S.*$")
]


class Value(BaseModel):
    """Base of every value object: frozen, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class UnitLevel(StrEnum):
    """The levels of governance units (治理单元), top down."""

    COUNTY = "county"  # 县/区
    TOWNSHIP = "township"  # 乡镇/街道
    VILLAGE = "village"  # 村/社区
    GROUP = "group"  # 组/小区
    BUILDING = "building"  # 楼栋

    @property
    def depth(self) -> int:
        return list(UnitLevel).index(self)

    @property
    def label_zh(self) -> str:
        return {
            UnitLevel.COUNTY: "县/区",
            UnitLevel.TOWNSHIP: "乡镇/街道",
            UnitLevel.VILLAGE: "村/社区",
            UnitLevel.GROUP: "组/小区",
            UnitLevel.BUILDING: "楼栋",
        }[self]


class Role(StrEnum):
    """Roles an actor holds in a governance unit (and its subtree)."""

    RESIDENT = "resident"  # 群众/居民
    GRID_WORKER = "grid_worker"  # 网格员
    PARTY_HOUSEHOLD = "party_household"  # 党员中心户
    COMMITTEE_MEMBER = "committee_member"  # 两委成员
    REPRESENTATIVE = "representative"  # 党员、群众代表
    COUNCIL_MEMBER = "council_member"  # 理事会/自管委成员
    DEPARTMENT_STAFF = "department_staff"  # 部门工作人员
    AUDITOR = "auditor"  # 审计/纪检/居民代表监督
    ADMINISTRATOR = "administrator"  # 系统管理员
    SYSTEM = "system"  # the software itself (automatic consequences)


class Actor(Value):
    """Who does a thing: an id from the host's identity system, the role, and where."""

    id: Name
    role: Role
    unit_id: UUID
    #: the department, committee or council the actor works for (acts for its 派单)
    organisation: Name | None = None


class Channel(StrEnum):
    """How a concern was collected (民情收集渠道)."""

    GRID_WORKER = "grid_worker"  # 网格员走访
    PARTY_HOUSEHOLD = "party_household"  # 党员中心户
    ONLINE_GROUP = "online_group"  # 线上群
    EVENING_TALK = "evening_talk"  # 夜谈会/塆组夜话
    HOTLINE = "hotline"  # 12345 热线
    MEETING = "meeting"  # 会议提出
    VISIT = "visit"  # 来访
    OTHER = "other"


class Scale(StrEnum):
    """大事、小事、急事: decides which meeting deliberates and the time limits."""

    MAJOR = "major"  # 大事
    MINOR = "minor"  # 小事
    URGENT = "urgent"  # 急事

    @property
    def label_zh(self) -> str:
        return {Scale.MAJOR: "大事", Scale.MINOR: "小事", Scale.URGENT: "急事"}[self]


class MeetingKind(StrEnum):
    """Kinds of meeting (两个会议 and the residents' own)."""

    TWO_COMMITTEES = "two_committees"  # 两委会议 (weekly)
    REPRESENTATIVES = "representatives"  # 党员群众代表会议 (monthly)
    RESIDENTS_COUNCIL = "residents_council"  # 居民议事会 / 红凳子议事会
    VILLAGERS = "villagers"  # 村民会议
    PARTY_MEMBERS = "party_members"  # 党员大会 (四议两公开 审议)
    EVENING_TALK = "evening_talk"  # 夜谈会 / 塆组夜话

    @property
    def label_zh(self) -> str:
        return {
            MeetingKind.TWO_COMMITTEES: "两委会议",
            MeetingKind.REPRESENTATIVES: "党员群众代表会议",
            MeetingKind.RESIDENTS_COUNCIL: "居民议事会",
            MeetingKind.VILLAGERS: "村民会议",
            MeetingKind.PARTY_MEMBERS: "党员大会",
            MeetingKind.EVENING_TALK: "夜谈会",
        }[self]


class VoteChoice(StrEnum):
    FOR = "for"  # 赞成
    AGAINST = "against"  # 反对
    ABSTAIN = "abstain"  # 弃权


class AssigneeKind(StrEnum):
    """Who a matter is dispatched to (派单对象)."""

    DEPARTMENT = "department"  # 部门 (住建、民政、公安 …)
    COMMITTEE = "committee"  # 村/社区两委
    COUNCIL = "council"  # 理事会/自管委/业委会
    CADRE = "cadre"  # 包干干部


class Assignee(Value):
    """The one who owns a dispatched matter to the end (包干)."""

    kind: AssigneeKind
    id: Name
    name: ShortText


class BodyKind(StrEnum):
    """Residents' bodies (群众自治组织)."""

    COUNCIL = "council"  # 理事会
    SELF_MANAGEMENT = "self_management"  # 自管委
    OWNERS = "owners"  # 业委会


class ContributionKind(StrEnum):
    MONEY = "money"  # 捐资 (yuan)
    LABOUR = "labour"  # 投工投劳 (labour days)
    MATERIALS = "materials"  # 物资 (valued in yuan)


class ContributorKind(StrEnum):
    RESIDENT = "resident"
    FIRM = "firm"
    GOVERNMENT = "government"
    COMMUNITY = "community"  # another village/community sharing the cost


class Contributor(Value):
    kind: ContributorKind
    id: Name
    name: ShortText


class DecisionRef(Value):
    """The meeting decision a fact rests on: meeting, agenda item, when it was decided."""

    meeting_id: UUID
    item_no: int = Field(ge=1)
    decided_at: datetime


Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]

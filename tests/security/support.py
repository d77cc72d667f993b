"""A small deployment for the security tests: the tree, the first administrator and a
setup cadre at the county; helpers to grant roles and register residents."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from cogov import Actor, CoGov, Role, UnitLevel

PEOPLE = [
    ("张伟", "13800138001", "渡河村1组3号", "户001"),
    ("王芳", "13900139002", "渡河村1组5号", "户002"),
    ("李娜", "13700137003", "白羊社区2栋", "户003"),
]


@dataclass
class Deployment:
    """黄梅县 → 某镇 → {渡河村 → 渡河村1组, 白羊社区}."""

    app: CoGov
    admin: Actor
    boss: Actor  # 县里的两委干部: prepares state in every unit
    county: UUID
    town: UUID
    village: UUID  # "own" unit of the actors under test
    group: UUID  # a unit in its subtree
    other: UUID  # a sibling village: outside the subtree

    def grant(
        self, actor_id: str, role: Role, unit: UUID, organisation: str | None = None
    ) -> Actor:
        return self.app.grant_role(
            self.admin, grantee_id=actor_id, role=role, unit_id=unit, organisation=organisation
        )

    def resident(self, unit: UUID, person: int = 0) -> Actor:
        """Register a resident of ``unit`` (by the boss) and return the resident's Actor."""
        name, phone, address, household = PEOPLE[person % len(PEOPLE)]
        resident_id = self.app.register_resident(
            self.boss, unit_id=unit, name=name, phone=phone, address=address, household=household
        )
        return Actor(id=str(resident_id), role=Role.RESIDENT, unit_id=unit)


def deploy(app: CoGov) -> Deployment:
    admin = app.bootstrap_administrator("admin")
    county = app.establish_unit(admin, name="黄梅县", level=UnitLevel.COUNTY)
    town = app.establish_unit(admin, name="某镇", level=UnitLevel.TOWNSHIP, parent_id=county)
    village = app.establish_unit(admin, name="渡河村", level=UnitLevel.VILLAGE, parent_id=town)
    group = app.establish_unit(admin, name="渡河村1组", level=UnitLevel.GROUP, parent_id=village)
    other = app.establish_unit(admin, name="白羊社区", level=UnitLevel.VILLAGE, parent_id=town)
    boss = app.grant_role(admin, grantee_id="boss", role=Role.COMMITTEE_MEMBER, unit_id=county)
    return Deployment(app, admin, boss, county, town, village, group, other)

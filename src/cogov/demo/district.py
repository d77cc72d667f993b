"""The demo district: the seeds' places as governance units, and the people who act in them.

Five top units (县/区) hold the stories of DOMAIN.md; each has two townships (乡镇/街道) of
three villages or communities (村/社区) with their groups or estates (组/小区). Every
village has a two-committee cadre (两委, who chairs its meetings), a grid worker (网格员)
and a roster of representatives; departments (部门) sit at the county.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from cogov.application import CoGov
from cogov.domain.values import Actor, Assignee, AssigneeKind, Role, UnitLevel

__all__ = ["DEPARTMENTS", "District", "Village", "build_district"]

#: department code → (Chinese name, English name)
DEPARTMENTS: dict[str, tuple[str, str]] = {
    "住建局": ("住房和城乡建设局", "housing"),
    "民政局": ("民政局", "civil affairs"),
    "公安局": ("公安局", "public security"),
    "政法委": ("政法委员会", "political & legal affairs"),
    "城管局": ("城市管理局", "city management"),
    "水务局": ("水务局", "water"),
}

# county → township → village → (households, groups)
_TREE: dict[str, dict[str, dict[str, tuple[int, list[str]]]]] = {
    "黄梅县": {
        "小池镇": {
            "渡河村": (240, ["渡河村1组", "渡河村2组", "渡河村3组"]),
            "白羊社区": (610, ["白羊1组", "白羊2组"]),
            "江心村": (320, ["江心1组", "江心2组"]),
        },
        "孔垄镇": {
            "新开村": (280, ["新开1组", "新开2组"]),
            "大塘村": (350, ["大塘1组", "大塘2组", "大塘3组"]),
            "孔垄社区": (900, ["孔垄东区", "孔垄西区"]),
        },
    },
    "枝江市": {
        "马家店街道": {
            "迎宾社区": (1200, ["国税小区", "迎宾花园", "团结里"]),
            "丹阳社区": (980, ["丹阳一区", "丹阳二区"]),
            "胜利社区": (760, ["胜利小区", "粮食局小区"]),
        },
        "仙女镇": {
            "青山村": (300, ["青山1组", "青山2组"]),
            "水陆村": (260, ["水陆1组", "水陆2组"]),
            "仙女社区": (840, ["仙女东区", "仙女西区"]),
        },
    },
    "武昌区": {
        "积玉桥街道": {
            "昙华林社区": (1500, ["昙华林街区", "戈甲营", "三义村小区"]),
            "和平社区": (1100, ["和平小区", "滨江苑"]),
            "得胜桥社区": (900, ["得胜桥小区", "崇福山"]),
        },
        "粮道街道": {
            "粮道街社区": (1300, ["粮道街小区", "候补街"]),
            "中华路社区": (1000, ["中华路小区", "司门口"]),
            "胭脂路社区": (800, ["胭脂路小区", "花园山"]),
        },
    },
    "建安区": {
        "灵井镇": {
            "枪杆刘社区": (420, ["枪杆刘东片", "枪杆刘西片"]),
            "段墓社区": (380, ["段墓1组", "段墓2组"]),
            "师庄村": (310, ["师庄1组", "师庄2组"]),
        },
        "五女店镇": {
            "五女店社区": (700, ["五女店东区", "五女店西区"]),
            "杜寨村": (290, ["杜寨1组", "杜寨2组"]),
            "榆林村": (270, ["榆林1组", "榆林2组"]),
        },
    },
    "济源示范区": {
        "沁园街道": {
            "沁园社区": (1800, ["沁园小区", "商城小区", "老干楼"]),
            "宣化社区": (1400, ["宣化小区", "荆梁小区"]),
            "文昌社区": (1100, ["文昌小区", "建业小区"]),
        },
        "玉泉街道": {
            "玉泉社区": (1000, ["玉泉小区", "纸坊小区"]),
            "西石露头村": (330, ["西石1组", "西石2组"]),
            "亚桥村": (360, ["亚桥1组", "亚桥2组"]),
        },
    },
}


@dataclass(frozen=True)
class Village:
    """A village or community with the people who act in it."""

    id: UUID
    name: str
    county: str
    township: str
    households: int
    groups: dict[str, UUID]
    cadre: Actor  # 两委成员 (包干): chairs the meetings, triages, dispatches
    grid_worker: Actor  # 网格员: collects concerns door to door
    representatives: int  # roster of the 党员群众代表会议
    committee_size: int  # roster of the 两委会议


@dataclass
class District:
    """The units by name, the people, and the departments of the demo."""

    admin: Actor
    counties: dict[str, UUID] = field(default_factory=dict)
    townships: dict[str, UUID] = field(default_factory=dict)
    villages: dict[str, Village] = field(default_factory=dict)
    township_of: dict[UUID, str] = field(default_factory=dict)
    county_of_township: dict[str, str] = field(default_factory=dict)
    residents: dict[UUID, list[UUID]] = field(default_factory=dict)  # group → registered

    def village(self, name: str) -> Village:
        return self.villages[name]

    def group(self, village: str, group: str) -> UUID:
        return self.villages[village].groups[group]

    def department_staff(self, code: str, county: str) -> Actor:
        """A department's case officer, acting for the department across the county."""
        return Actor(
            id=f"{county}-{code}-办件员",
            role=Role.DEPARTMENT_STAFF,
            unit_id=self.counties[county],
            organisation=code,
        )

    @staticmethod
    def department(code: str) -> Assignee:
        return Assignee(kind=AssigneeKind.DEPARTMENT, id=code, name=DEPARTMENTS[code][0])

    def resident_id(self, group_id: UUID, n: int) -> UUID:
        """The ``n``-th registered resident of a group (wrapping round its register)."""
        register = self.residents[group_id]
        return register[n % len(register)]

    def resident(self, group_id: UUID, n: int) -> Actor:
        """The ``n``-th registered resident of a group, acting as a resident."""
        return Actor(id=str(self.resident_id(group_id, n)), role=Role.RESIDENT, unit_id=group_id)

    def grant(
        self,
        app: CoGov,
        actor_id: str,
        role: Role,
        unit_id: UUID,
        *,
        organisation: str | None = None,
    ) -> Actor:
        """The administrator grants a role (recorded; every command checks it)."""
        return app.grant_role(
            self.admin,
            grantee_id=actor_id,
            role=role,
            unit_id=unit_id,
            organisation=organisation,
            reason="共同缔造示范：按职责授权",
        )


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
_GIVEN = "建国秀英桂兰志强春梅海燕国华丽华文明玉兰德胜红霞永刚淑珍家明雪梅"


def _person(seed: int) -> str:
    start = (seed * 2) % len(_GIVEN)
    return _SURNAMES[seed % len(_SURNAMES)] + (_GIVEN[start : start + 2] or "平安")


def build_district(app: CoGov, *, residents_per_group: int = 6) -> District:
    """Establish every unit of the demo district on an empty store, grant the cadres, grid
    workers and departments their roles, register a few residents in every group, and
    return the district with its people."""
    admin = app.bootstrap_administrator("管理员")
    district = District(admin=admin)
    for county, townships in _TREE.items():
        county_id = app.establish_unit(admin, name=county, level=UnitLevel.COUNTY)
        district.counties[county] = county_id
        for code in DEPARTMENTS:
            staff = district.department_staff(code, county)
            district.grant(app, staff.id, Role.DEPARTMENT_STAFF, county_id, organisation=code)
        for township, villages in townships.items():
            township_id = app.establish_unit(
                admin, name=township, level=UnitLevel.TOWNSHIP, parent_id=county_id
            )
            district.townships[township] = township_id
            district.county_of_township[township] = county
            for village, (households, groups) in villages.items():
                village_id = app.establish_unit(
                    admin,
                    name=village,
                    level=UnitLevel.VILLAGE,
                    parent_id=township_id,
                    households=households,
                )
                share = households // len(groups)
                group_ids = {
                    g: app.establish_unit(
                        admin,
                        name=g,
                        level=UnitLevel.GROUP,
                        parent_id=village_id,
                        households=share,
                    )
                    for g in groups
                }
                for gid in (village_id, *group_ids.values()):
                    district.township_of[gid] = township
                cadre = district.grant(app, f"{village}-两委", Role.COMMITTEE_MEMBER, village_id)
                grid = district.grant(app, f"{village}-网格员", Role.GRID_WORKER, village_id)
                for gname, gid in group_ids.items():
                    district.residents[gid] = [
                        app.register_resident(
                            grid,
                            unit_id=gid,
                            name=_person(len(district.residents) * 7 + n),
                            phone=f"138{len(district.residents):04d}{n:04d}",
                            address=f"{gname}{n + 1}号",
                            household=f"{gname}-{n + 1}户",
                        )
                        for n in range(residents_per_group)
                    ]
                district.villages[village] = Village(
                    id=village_id,
                    name=village,
                    county=county,
                    township=township,
                    households=households,
                    groups=group_ids,
                    cadre=cadre,
                    grid_worker=grid,
                    representatives=30 if households > 500 else 21,
                    committee_size=7,
                )
    return district

"""济源 党群连心: what a community cannot solve is dispatched (派单) to departments.

Unmanaged residential buildings go to housing (住建) — after civil affairs (民政) returns
the wrongly dispatched order (退单) with a reason; fraud prevention goes to public security
(公安); the title-registration backlog runs past its deadline and is chased (催办) the next
day; a hardship case goes to civil affairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from cogov.app.meetings import AgendaTopic
from cogov.application import CoGov
from cogov.demo.district import District
from cogov.demo.loop import Vote, clock_of, hold_meeting, rate_result
from cogov.domain.values import Channel, MeetingKind, Scale

__all__ = ["JiyuanFacts", "play"]

COUNTY = "济源示范区"
VILLAGE = "沁园社区"
UNMANAGED_BUILDINGS = 278
REGISTERED_FLATS = 21_000


@dataclass(frozen=True)
class JiyuanFacts:
    buildings_issue: UUID  # 278 unmanaged buildings: 民政 returned it, 住建 solved it
    fraud_issue: UUID  # fraud prevention: 公安
    titles_issue: UUID  # 21,000 flats' title registration: overdue, chased, then solved
    hardship_issue: UUID  # a hardship case: 民政
    returned_by: str  # the department that returned the order (退单)
    return_reason: str
    departments: tuple[str, ...]  # every department an order went to, in order


def play(app: CoGov, district: District) -> JiyuanFacts:
    clock = clock_of(app)
    village = district.village(VILLAGE)
    cadre, grid = village.cadre, village.grid_worker
    estate = district.group(VILLAGE, "老干楼")
    block = district.group(VILLAGE, "沁园小区")

    def collect(unit: UUID, title: str, description: str, key: int) -> UUID:
        return app.collect_issue(
            grid,
            unit_id=unit,
            channel=Channel.PARTY_HOUSEHOLD,
            raised_by=district.resident_id(unit, key),
            title=title,
            description=description,
        )

    buildings = collect(
        estate,
        f"{UNMANAGED_BUILDINGS}栋老旧楼院无人管理",
        "无物业、无主管单位的楼院，环境脏乱、设施失修（党员中心户结对走访收集）",
        1,
    )
    fraud = collect(block, "电信诈骗防范", "多位老人接到诈骗电话，希望加强反诈宣传", 2)
    titles = collect(
        block,
        "房产证办理历史遗留问题",
        f"{REGISTERED_FLATS:,}套房屋因开发企业手续不全，多年办不了不动产证",
        3,
    )
    hardship = collect(estate, "独居困难老人生活无着", "独居老人无收入来源，需要救助", 4)
    app.triage_issue(cadre, buildings, scale=Scale.MAJOR, category="老旧楼院")
    app.triage_issue(cadre, titles, scale=Scale.MAJOR, category="不动产登记")
    app.triage_issue(cadre, fraud, scale=Scale.MINOR, category="治安")
    app.triage_issue(cadre, hardship, scale=Scale.MINOR, category="社会救助")

    clock.advance(hours=1)
    hold_meeting(
        app,
        village,
        kind=MeetingKind.TWO_COMMITTEES,
        title="两委例会：反诈与救助",
        topics=[
            AgendaTopic(topic="请公安开展反诈宣传", issue_id=fraud),
            AgendaTopic(topic="困难老人申请救助", issue_id=hardship),
        ],
        present=7,
    )
    hold_meeting(
        app,
        village,
        kind=MeetingKind.REPRESENTATIVES,
        title="党员群众代表会议：楼院与办证",
        topics=[
            AgendaTopic(topic="老旧楼院交部门托管", issue_id=buildings),
            AgendaTopic(topic="历史遗留办证问题上报", issue_id=titles),
        ],
        present=26,
        votes=[Vote(25, 1), Vote(24, 0, 2)],
    )

    civil = District.department("民政局")
    housing = District.department("住建局")
    police = District.department("公安局")
    app.dispatch_issue(cadre, fraud, assignee=police)
    app.dispatch_issue(cadre, hardship, assignee=civil)
    app.dispatch_issue(cadre, buildings, assignee=civil)
    titles_deadline = app.dispatch_issue(cadre, titles, assignee=housing)

    # 民政 returns the wrongly dispatched buildings order the next day, with a reason.
    clock.advance(days=1)
    reason = "无主楼院的物业托管属住建部门职责，非民政业务，请改派住建局"
    app.return_issue(district.department_staff("民政局", COUNTY), buildings, reason=reason)
    app.dispatch_issue(cadre, buildings, assignee=housing)

    clock.advance(days=2)
    app.resolve_issue(
        district.department_staff("公安局", COUNTY), fraud, summary="民警进社区开展反诈宣讲6场"
    )
    app.resolve_issue(
        district.department_staff("民政局", COUNTY), hardship, summary="纳入低保，落实助餐服务"
    )
    clock.advance(days=8)
    app.resolve_issue(
        district.department_staff("住建局", COUNTY),
        buildings,
        summary=f"{UNMANAGED_BUILDINGS}栋楼院纳入物业托管与社区兜底管理",
    )
    for issue, households, text in (
        (fraud, 0, "反诈宣传覆盖全社区"),
        (hardship, 1, "困难老人已获救助"),
        (buildings, 3_300, f"{UNMANAGED_BUILDINGS}栋楼院有人管了"),
    ):
        app.publish_result(cadre, issue, summary=text, households_benefiting=households)
    rate_result(app, district, fraud, block, [5, 4, 5])
    rate_result(app, district, hardship, estate, [5, 5, 4])
    rate_result(app, district, buildings, estate, [4, 5, 5, 4])

    # The registration backlog runs past its deadline: chased (催办) the next day.
    clock.set(titles_deadline + timedelta(hours=9, minutes=30, seconds=1))
    app.chase_issue(cadre, titles)
    clock.advance(days=5)
    app.resolve_issue(
        district.department_staff("住建局", COUNTY),
        titles,
        summary=f"容缺办理，{REGISTERED_FLATS:,}套房屋办证问题化解",
    )
    app.publish_result(
        cadre, titles, summary="历史遗留办证问题解决", households_benefiting=REGISTERED_FLATS
    )
    rate_result(app, district, titles, block, [5, 5, 5])
    return JiyuanFacts(
        buildings_issue=buildings,
        fraud_issue=fraud,
        titles_issue=titles,
        hardship_issue=hardship,
        returned_by="民政局",
        return_reason=reason,
        departments=("公安局", "民政局", "民政局", "住建局", "住建局"),
    )

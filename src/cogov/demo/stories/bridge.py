"""黄梅县渡河村1组: a dangerous bridge under 2 m wide did not qualify for state bridge funds.

Residents elect a bridge-repair council (修桥理事会); the representatives' meeting decides
the bridge; the township gets the neighbouring 白羊社区 to share the cost; "those with money
gave money, those with strength gave labour" (有钱出钱、有力出力); the county rewards what
residents and partners gave (以奖代补: 50 % of the valued contributions, capped). The council
accepts the works, keeps them up, and the result reaches 236 households.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from cogov.app.meetings import AgendaTopic
from cogov.application import CoGov
from cogov.demo.district import District
from cogov.demo.loop import Vote, clock_of, contribute, hold_meeting, rate_result
from cogov.demo.steps import decide_project, raise_issue, report_month
from cogov.domain.values import (
    BodyKind,
    Channel,
    ContributionKind,
    Contributor,
    ContributorKind,
    MeetingKind,
    Role,
    Scale,
)

__all__ = ["BridgeFacts", "play"]

VILLAGE = "渡河村"
GROUP = "渡河村1组"
HOUSEHOLDS = 236

_RESIDENTS = Contributor(kind=ContributorKind.RESIDENT, id="渡河村1组-村民", name="渡河村1组村民")
_BAIYANG = Contributor(kind=ContributorKind.COMMUNITY, id="白羊社区", name="白羊社区")
_FIRM = Contributor(kind=ContributorKind.FIRM, id="黄梅建材", name="黄梅县某建材厂")
_TOWNSHIP = Contributor(kind=ContributorKind.GOVERNMENT, id="小池镇政府", name="小池镇人民政府")

MONEY_FROM_RESIDENTS = Decimal(38_000)
LABOUR_DAYS = Decimal(120)
MONEY_FROM_BAIYANG = Decimal(30_000)
MATERIALS_FROM_FIRM = Decimal(12_000)
MONEY_FROM_TOWNSHIP = Decimal(20_000)


@dataclass(frozen=True)
class BridgeFacts:
    issue_id: UUID
    council_id: UUID
    council_members: tuple[str, ...]
    meeting_id: UUID
    project_id: UUID
    reward: Decimal  # 以奖代补
    reward_base: Decimal
    shared_by_baiyang: Decimal
    labour_days: Decimal
    households_benefiting: int


def play(app: CoGov, district: District) -> BridgeFacts:
    clock = clock_of(app)
    village = district.village(VILLAGE)
    cadre = village.cadre
    group = district.group(VILLAGE, GROUP)
    issue = raise_issue(
        app,
        district,
        village,
        group,
        channel=Channel.EVENING_TALK,
        title="渡河危桥急需重建",
        description="桥宽不足2米、栏杆缺失，够不上国家桥梁项目资金，学生和老人过河危险",
        scale=Scale.MAJOR,
        category="道路交通",
    )

    # Residents elect a bridge-repair council of five.
    clock.advance(days=1)
    council = app.form_body(
        cadre,
        unit_id=village.id,
        kind=BodyKind.COUNCIL,
        name="渡河村修桥理事会",
        purpose="牵头筹资、组织投工投劳、监督施工、建后管护",
    )
    candidates = ["老党员陈", "退休教师王", "村民组长李", "在外能人张", "村医刘", "村民赵"]
    for n, name in enumerate(candidates):
        app.nominate_candidate(
            district.resident(group, n),
            council,
            candidate_id=f"dh-{n}",
            name=name,
        )
    clock.advance(days=3)
    votes = {"dh-0": 61, "dh-1": 55, "dh-2": 52, "dh-3": 47, "dh-4": 40, "dh-5": 18}
    elected = app.tally_election(cadre, council, ballots=68, votes=votes)
    app.choose_officers(cadre, council, chair_id="dh-0", vice_chair_id="dh-1")
    app.post_election_result(cadre, council, notice="修桥理事会选举结果公示：陈、王、李、张、刘")
    clock.advance(days=5)
    app.take_office(cadre, council)
    member = district.grant(app, "dh-0", Role.COUNCIL_MEMBER, village.id, organisation=str(council))

    meeting = hold_meeting(
        app,
        village,
        kind=MeetingKind.REPRESENTATIVES,
        title="党员群众代表会议：重建渡河桥",
        topics=[
            AgendaTopic(topic="重建渡河桥：理事会牵头，白羊社区分担，以奖代补", issue_id=issue)
        ],
        present=19,
        votes=[Vote(18, 0, 1)],
    )
    project = decide_project(
        app,
        cadre,
        unit_id=village.id,
        issue_id=issue,
        meeting_id=meeting,
        title="渡河便民桥重建",
        budget=150_000,
        description="宽3.5米钢筋混凝土桥，两岸引道",
    )
    app.dispatch_issue(cadre, issue, assignee=app.body(council).as_assignee())

    # 有钱出钱、有力出力; the township brings 白羊社区 in to share the cost.
    clock.advance(days=2)
    contribute(app, cadre, project, _RESIDENTS, ContributionKind.MONEY, MONEY_FROM_RESIDENTS)
    contribute(app, cadre, project, _BAIYANG, ContributionKind.MONEY, MONEY_FROM_BAIYANG)
    contribute(app, cadre, project, _TOWNSHIP, ContributionKind.MONEY, MONEY_FROM_TOWNSHIP)
    contribute(app, cadre, project, _FIRM, ContributionKind.MATERIALS, MATERIALS_FROM_FIRM)
    contribute(app, cadre, project, _RESIDENTS, ContributionKind.LABOUR, LABOUR_DAYS)
    report_month(
        app,
        member,
        project,
        funds_used=41_000,
        percent_done=40,
        note="桥墩浇筑完成，资金使用明细已公示",
    )
    clock.advance(days=30)
    report_month(
        app,
        member,
        project,
        funds_used=86_500,
        percent_done=100,
        note="桥面、栏杆完工，结余资金留作管护",
    )
    app.complete_project(member, project)
    app.accept_project(member, project, summary="理事会组织村民代表验收合格", body_id=council)
    county_housing = district.department_staff("住建局", village.county)
    reward = app.grant_reward(county_housing, project)
    app.assign_maintainer(
        cadre,
        project,
        maintainer=app.body(council).as_assignee(),
        duties="每月巡查桥面与栏杆，汛期加密巡查",
    )
    app.record_inspection(member, project, finding="汛前巡查：桥墩无冲刷，栏杆牢固", ok=True)
    app.share_benefits(
        cadre,
        project,
        households_benefiting=HOUSEHOLDS,
        description="两岸渡河村、白羊社区群众出行不再绕行",
    )
    app.resolve_issue(member, issue, summary="新桥建成通行", project_id=project)
    app.publish_result(
        cadre, issue, summary="渡河新桥通行，资金收支公开", households_benefiting=HOUSEHOLDS
    )
    rate_result(app, district, issue, group, [5, 5, 4])
    for n, score in enumerate((5, 5, 4)):
        app.evaluate_project(district.resident(group, n), project, score=score)
    record = app.project(project)
    return BridgeFacts(
        issue_id=issue,
        council_id=council,
        council_members=tuple(elected),
        meeting_id=meeting,
        project_id=project,
        reward=reward,
        reward_base=record.reward_base if record.reward_base is not None else Decimal(0),
        shared_by_baiyang=MONEY_FROM_BAIYANG,
        labour_days=LABOUR_DAYS,
        households_benefiting=HOUSEHOLDS,
    )

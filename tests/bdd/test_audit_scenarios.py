"""Steps of ``features/审计``: the auditor's point of view — trails, replay to a past moment,
verification of the hash chain and the signed checkpoints, on a SQLite file an outsider could
tamper with."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pytest_bdd import given, parsers, scenarios, then, when

from cogov import (
    BreachKind,
    Channel,
    CoGov,
    ManualClock,
    Role,
    StoreState,
    TrailEntry,
    VerificationReport,
)
from cogov.audit.checkpoints import sign_checkpoint, store_checkpoint
from cogov.audit.replay import Replayer
from cogov.calendar import BEIJING
from tests.audit.support import History, open_history, run_matter

scenarios("审计/回放与核验.feature")

ROLE_ZH = {
    "网格员": Role.GRID_WORKER,
    "两委成员": Role.COMMITTEE_MEMBER,
    "理事会成员": Role.COUNCIL_MEMBER,
}
EVENT_ZH = {
    "收集": "Issue.Collected",
    "分级": "Issue.Triaged",
    "列入议程": "Issue.PutOnAgenda",
    "合议决定": "Issue.Deliberated",
    "派单": "Issue.Dispatched",
    "办结": "Issue.Resolved",
}
STATUS_ZH = {"已列入议程": "on_agenda", "已合议决定": "deliberated", "已派单": "dispatched"}


@dataclass
class AuditWorld:
    h: History
    key: Ed25519PrivateKey  # the unit's signing key
    db: Path
    trail: list[TrailEntry] = field(default_factory=list)
    replayer: Replayer | None = None
    past: StoreState | None = None
    report: VerificationReport | None = None

    @property
    def app(self) -> CoGov:
        return self.h.app

    @property
    def issue(self) -> Any:
        return self.h.issues[0]

    def tamper(self, sql: str, *params: object) -> None:
        """What someone with write access to the database file does, behind cogov's back."""
        conn = sqlite3.connect(self.db)
        with conn:
            conn.execute(sql, params)
        conn.close()

    def position_of(self, version: int) -> int:
        stored = self.app.store.recorder.select_notifications(1, 100_000)
        return next(
            n.id
            for n in stored
            if n.originator_id == self.issue and n.originator_version == version
        )


@pytest.fixture
def audit_world_holder() -> Iterator[list[AuditWorld]]:
    holder: list[AuditWorld] = []
    yield holder
    for world in holder:
        world.app.close()


@given(
    "渡河村的记录保存在数据库文件中，审计人员持有单位签名密钥对应的公钥",
    target_fixture="audit",
)
def a_store_on_file(tmp_path: Path, audit_world_holder: list[AuditWorld]) -> AuditWorld:
    db = tmp_path / "渡河村.db"
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING))
    world = AuditWorld(
        h=open_history(CoGov(f"sqlite:///{db}", clock=clock), clock),
        key=Ed25519PrivateKey.generate(),
        db=db,
    )
    audit_world_holder.append(world)
    return world


@given("渡河村1组的危桥问题经三月代表会议表决后派给修桥理事会办结")
def the_bridge_matter(audit: AuditWorld) -> None:
    run_matter(audit.h, title="渡河村1组危桥改造")
    assert audit.app.issue(audit.issue).status.value == "resolved"


@given("单位已用签名密钥签署了检查点")
@when("单位再次签署检查点")
def sign(audit: AuditWorld) -> None:
    checkpoint = audit.app.sign_checkpoint(audit.h.admin, audit.key)
    assert checkpoint.position == audit.app.max_position()


# -- trails -----------------------------------------------------------------------------------
@when("审计人员查看这件问题的审计轨迹")
def read_the_trail(audit: AuditWorld) -> None:
    audit.trail = list(audit.app.audit_trail(audit.h.auditor, aggregate_id=audit.issue))


@then("轨迹按发生顺序列出：")
def the_trail_lists(audit: AuditWorld, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    assert header == ["时间（北京）", "操作人", "角色", "做了什么", "依据的决定", "规则版本"]
    assert [e.position for e in audit.trail] == sorted(e.position for e in audit.trail)
    got = []
    for e in audit.trail:
        decision = ""
        if e.decision is not None:
            assert e.decision.meeting_id == audit.h.meetings[0]
            title = audit.app.meeting(e.decision.meeting_id).title
            decision = f"{title}第{e.decision.item_no}项"
        got.append(
            [
                e.timestamp.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"),
                e.actor_id,
                next(zh for zh, role in ROLE_ZH.items() if role is e.actor_role),
                next(zh for zh, name in EVENT_ZH.items() if name == e.event_type),
                decision,
                str(e.policy_version),
            ]
        )
    assert got == [[cell.strip() for cell in row] for row in rows]


@then(parsers.parse("合议决定一步写明：分级为大事，所依据的决定于{decided}表决通过"))
def the_deliberation_cites(audit: AuditWorld, decided: str) -> None:
    deliberated = next(e for e in audit.trail if e.event_type == "Issue.Deliberated")
    assert deliberated.decision is not None
    assert deliberated.decision.decided_at == datetime.fromisoformat(decided).replace(
        tzinfo=BEIJING
    )
    triaged = next(e for e in audit.trail if e.event_type == "Issue.Triaged")
    assert triaged.changes["scale"] == "major"


# -- replay -----------------------------------------------------------------------------------
@when(parsers.parse("审计人员回放到{moment}时的全部记录"))
def replay_to(audit: AuditWorld, moment: str) -> None:
    at = datetime.fromisoformat(moment).replace(tzinfo=BEIJING)
    audit.replayer = audit.app.replayer(audit.h.auditor)
    audit.replayer.advance(until=at)
    audit.past = audit.replayer.state()
    assert audit.past == audit.app.store_as_of(audit.h.auditor, at=at)


@then(parsers.parse('这件问题当时的状态是"{status}"，版本为{version:d}'))
def the_issue_then(audit: AuditWorld, status: str, version: int) -> None:
    assert audit.past is not None
    then_ = audit.past.aggregates[audit.issue]
    assert (then_.state["status"], then_.version) == (STATUS_ZH[status], version)


@then("那时三月代表会议尚未召开")
def the_meeting_then(audit: AuditWorld) -> None:
    assert audit.past is not None
    meeting = audit.past.aggregates[audit.h.meetings[0]]
    assert meeting.state["status"] == "agenda_published"
    assert meeting.state["present"] is None


@when("审计人员从那一刻继续回放到今天")
def replay_on(audit: AuditWorld) -> None:
    assert audit.replayer is not None
    audit.replayer.advance()


@then("回放所得的每一条记录都与今天的记录完全一致")
def equals_today(audit: AuditWorld) -> None:
    assert audit.replayer is not None
    replayed = audit.replayer.state().aggregates
    ids = {n.originator_id for n in audit.app.store.recorder.select_notifications(1, 100_000)}
    assert set(replayed) == ids
    for aggregate_id in ids:
        assert replayed[aggregate_id] == audit.app.aggregate_as_of(audit.h.auditor, aggregate_id)


# -- verification ------------------------------------------------------------------------------
@when("审计人员用自己持有的公钥核验历史")
def verify(audit: AuditWorld) -> None:
    audit.report = audit.app.verify_history(audit.h.auditor, trusted_key=audit.key.public_key())


@then("核验通过，全部事件都已入链，没有尚未入链的事件")
def verified_and_covered(audit: AuditWorld) -> None:
    report = audit.report
    assert report is not None
    assert report.intact, report.breach
    assert report.events == report.covered_through == audit.app.max_position()
    assert report.uncovered == 0


@then(parsers.parse("{count:d}个检查点的签名和链头都核对无误"))
def checkpoints_verified(audit: AuditWorld, count: int) -> None:
    assert audit.report is not None
    assert audit.report.checkpoints_verified == count
    assert audit.report.refused_checkpoints == []


@when(parsers.parse("有人改动了这件问题第{version:d}个事件（{label}）所存内容中的一个字节"))
def change_one_byte(audit: AuditWorld, version: int, label: str) -> None:
    position = audit.position_of(version)
    stored = audit.app.store.recorder.select_notifications(position, 1)[0]
    assert stored.topic == f"cogov:{EVENT_ZH[label]}"
    changed = bytearray(stored.state)
    changed[len(changed) // 2] ^= 0x20
    audit.tamper("UPDATE stored_events SET state = ? WHERE rowid = ?", bytes(changed), position)


@when(parsers.parse("有人删除了这件问题的第{version:d}个事件（{label}）"))
def delete_one(audit: AuditWorld, version: int, label: str) -> None:
    position = audit.position_of(version)
    assert audit.app.store.recorder.select_notifications(position, 1)[0].topic == (
        f"cogov:{EVENT_ZH[label]}"
    )
    audit.tamper("DELETE FROM stored_events WHERE rowid = ?", position)


@when("有人改写了记录和哈希链，并用另一把密钥重新签署了检查点")
def rewrite_and_resign(audit: AuditWorld) -> None:
    position = audit.position_of(6)  # the resolution: "新桥建成" becomes something else
    stored = audit.app.store.recorder.select_notifications(position, 1)[0]
    audit.tamper(
        "UPDATE stored_events SET state = ? WHERE rowid = ?",
        stored.state.replace("新桥建成".encode(), "旧桥加固".encode()),
        position,
    )
    audit.tamper("DELETE FROM audit_chain WHERE position >= ?", position)
    audit.app.audit_chain.catch_up()  # the forger re-chains from the change on
    head = audit.app.audit_chain.head()
    assert head is not None
    forger = Ed25519PrivateKey.generate()
    store_checkpoint(
        audit.app.audit_chain.engine,
        sign_checkpoint(forger, head.position, head.hash, audit.h.clock.now()),
    )


@when("又有一件问题被收集，但提交后还没来得及入链")
def committed_not_chained(audit: AuditWorld) -> None:
    app = audit.app
    app._after_save.remove(app.audit_chain.after_save)  # the process stops right after commit
    app.collect_issue(
        audit.h.grid,
        unit_id=audit.h.group,
        channel=Channel.GRID_WORKER,
        raised_by=audit.h.admin.unit_id,
        title="村口路灯不亮",
        description="居民反映村口路灯不亮",
    )
    app._after_save.append(app.audit_chain.after_save)


@then("核验不通过")
def not_intact(audit: AuditWorld) -> None:
    assert audit.report is not None
    assert not audit.report.intact


@then(parsers.parse("核验指出第一条被改动的事件是这件问题的第{version:d}个事件"))
def first_changed(audit: AuditWorld, version: int) -> None:
    breach = audit.report.breach if audit.report else None
    assert breach is not None
    assert (breach.kind, breach.position, breach.originator_id, breach.originator_version) == (
        BreachKind.ALTERED,
        audit.position_of(version),
        audit.issue,
        version,
    )


@then(parsers.parse("核验指出这件问题的第{version:d}个事件已从记录中消失"))
def first_missing(audit: AuditWorld, version: int) -> None:
    breach = audit.report.breach if audit.report else None
    assert breach is not None
    assert (breach.kind, breach.originator_id, breach.originator_version) == (
        BreachKind.MISSING,
        audit.issue,
        version,
    )
    assert breach.found_originator_id is None


@then("用另一把密钥签署的检查点被拒绝")
def refused_checkpoint(audit: AuditWorld) -> None:
    assert audit.report is not None
    assert [b.kind for b in audit.report.refused_checkpoints] == [BreachKind.UNTRUSTED_CHECKPOINT]


@then("核验指出记录在原检查点处与签名不符")
def rewritten(audit: AuditWorld) -> None:
    assert audit.report is not None
    genuine = audit.app.audit_checkpoints(audit.h.auditor)[0]
    breach = audit.report.breach
    assert breach is not None
    assert (breach.kind, breach.position) == (BreachKind.CHAIN_REWRITTEN, genuine.position)


@then(parsers.parse("核验通过，但报告末尾有{count:d}条事件尚未入链"))
def intact_with_tail(audit: AuditWorld, count: int) -> None:
    report = audit.report
    assert report is not None
    assert report.intact
    assert report.uncovered == count
    assert report.first_uncovered == audit.app.max_position() - count + 1
    assert report.covered_through == audit.app.max_position() - count

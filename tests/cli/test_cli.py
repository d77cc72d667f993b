"""Every ``cogov`` command, its output and its errors (exit codes as documented in
docs/cli.md). One demo store is built per module; the month's size comes from
``COGOV_DEMO_ISSUES`` (small by default)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cogov import CoGov, UnitLevel
from cogov.cli import app as cli
from tests.cli.conftest import ISSUES, as_json, run

runner = CliRunner()


@pytest.fixture
def empty_db(tmp_path: Path) -> str:
    """A store that exists but holds no history."""
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    CoGov(db).close()
    return db


# -- demo -----------------------------------------------------------------------------------
def test_demo_plays_the_stories_and_writes_a_verified_report(demo: dict[str, Any]) -> None:
    summary = demo["summary"]
    assert summary["gas_households"] == 96
    assert summary["self_management_members"] == 5
    assert summary["residents_meetings"] == 6
    assert summary["bridge_reward"] == "49000.00"
    assert summary["patrols"] == 14
    assert summary["jiyuan_returned_by"] == "民政局"
    assert summary["datang_donated"] == "52800"
    assert summary["duanmu_monthly_reports"] == 3
    assert summary["month"]["collected"] == int(ISSUES)
    assert summary["verified"] == f"intact ({summary['events']:,} events hashed)"
    html = demo["report"].read_text(encoding="utf-8")
    assert html.count('class="chart"') == 6
    assert "<script" not in html


def test_demo_prints_the_views_as_tables(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'small.db'}"
    result = runner.invoke(
        cli, ["demo", "--db", db, "--issues", "10", "--no-report"], terminal_width=160
    )
    assert result.exit_code == 0, result.output
    for heading in ("五共 status", "三率 three rates", "问题清单", "任务清单", "责任清单"):
        assert heading in result.stdout
    assert "history intact" in result.stdout
    assert "· report" not in result.stdout  # --no-report


def test_demo_refuses_a_store_that_already_has_a_history(demo: dict[str, Any]) -> None:
    result = run("demo", "--db", demo["db"], "--json")
    assert result.exit_code == 2
    assert as_json(result)["rule"] == "demo.empty_store"


def test_demo_refuses_a_bad_url() -> None:
    result = run("demo", "--db", "mysql://somewhere/db", "--no-report")
    assert result.exit_code == 3
    assert "unsupported database URL" in result.stderr


def test_demo_refuses_an_in_memory_store() -> None:
    result = run("demo", "--db", "memory://", "--json")
    assert result.exit_code == 2
    assert as_json(result)["rule"] == "store.url"


# -- units and status -------------------------------------------------------------------------
def test_units_lists_the_tree(demo: dict[str, Any]) -> None:
    result = run("units", "--db", demo["db"], "--json")
    assert result.exit_code == 0
    paths = {u["path"] for u in as_json(result)}
    assert "黄梅县/小池镇/渡河村/渡河村1组" in paths
    assert len(paths) == 110
    tree = run("units", "--db", demo["db"])
    assert "渡河村1组" in tree.stdout


def test_status_shows_every_top_unit(demo: dict[str, Any]) -> None:
    result = run("status", "--db", demo["db"])
    assert result.exit_code == 0
    for county in ("黄梅县", "枝江市", "武昌区", "建安区", "济源示范区"):
        assert county in result.stdout


def test_status_of_a_unit_rolls_up_its_children(demo: dict[str, Any]) -> None:
    result = run("status", "黄梅县", "--db", demo["db"], "--json")
    assert result.exit_code == 0
    rows = as_json(result)
    assert [r["unit"] for r in rows] == ["黄梅县", "小池镇", "孔垄镇"]
    county, *towns = rows
    assert county["co_planning"]["collected"] == sum(t["co_planning"]["collected"] for t in towns)
    # 以奖代补 in 黄梅县: the bridge ¥49,000 + 大塘村 square ½ × ¥52,800 = ¥26,400
    assert county["co_building"]["rewards"] == "75400.00"


def test_status_of_an_unknown_unit_exits_4(demo: dict[str, Any]) -> None:
    result = run("status", "不存在村", "--db", demo["db"], "--json")
    assert result.exit_code == 4
    assert as_json(result)["rule"] == "unit.exists"


def test_status_of_a_unit_by_its_path(demo: dict[str, Any]) -> None:
    result = run("status", "黄梅县/小池镇/渡河村", "--db", demo["db"], "--json")
    assert result.exit_code == 0
    assert [r["unit"] for r in as_json(result)] == ["渡河村", "渡河村1组", "渡河村2组", "渡河村3组"]


def test_a_name_two_units_share_is_refused_with_their_paths(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'twins.db'}"
    app = CoGov(db)
    admin = app.bootstrap_administrator("admin")
    county = app.establish_unit(admin, name="某县", level=UnitLevel.COUNTY)
    town = app.establish_unit(admin, name="某镇", level=UnitLevel.TOWNSHIP, parent_id=county)
    for village in ("东村", "西村"):
        vid = app.establish_unit(admin, name=village, level=UnitLevel.VILLAGE, parent_id=town)
        app.establish_unit(admin, name="1组", level=UnitLevel.GROUP, parent_id=vid)
    app.close()
    result = run("status", "1组", "--db", db, "--json")
    assert result.exit_code == 4
    error = as_json(result)
    assert error["rule"] == "unit.ambiguous"
    assert "某县/某镇/东村/1组" in error["error"]
    assert "某县/某镇/西村/1组" in error["error"]
    assert run("status", "某县/某镇/西村/1组", "--db", db).exit_code == 0


def test_status_of_an_empty_store_exits_4(empty_db: str) -> None:
    result = run("status", "--db", empty_db, "--json")
    assert result.exit_code == 4
    assert as_json(result)["rule"] == "store.empty"


def test_status_of_a_missing_sqlite_file_exits_3_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = run("status", "--db", f"sqlite:///{missing}")
    assert result.exit_code == 3
    assert not missing.exists()


def test_status_with_a_bad_url_exits_3() -> None:
    result = run("status", "--db", "oracle://x/y", "--json")
    assert result.exit_code == 3
    assert as_json(result)["rule"] == "store.url"


def test_status_with_an_unreachable_postgres_exits_3() -> None:
    result = run("status", "--db", "postgresql://nobody@127.0.0.1:1/none", "--json")
    assert result.exit_code == 3
    assert as_json(result)["rule"] == "store.open"


# -- lists ------------------------------------------------------------------------------------
def test_lists_shows_the_three_lists(demo: dict[str, Any]) -> None:
    result = run("lists", "--db", demo["db"], "--json", "--limit", "500")
    assert result.exit_code == 0
    lists = as_json(result)
    assert set(lists) == {"problems", "tasks", "responsibilities"}
    assert all(p["status"] not in ("closed", "withdrawn", "merged") for p in lists["problems"])
    assert any(r["assignee_kind"] == "department" for r in lists["responsibilities"])
    table = run("lists", "渡河村", "--db", demo["db"])
    assert "问题清单" in table.stdout
    assert "责任清单" in table.stdout


def test_lists_of_overdue_tasks_holds_only_overdue_tasks(demo: dict[str, Any]) -> None:
    result = run(
        "lists",
        "--db",
        demo["db"],
        "--kind",
        "task",
        "--overdue",
        "--as-of",
        "2027-01-01T09:00+08:00",
        "--json",
    )
    assert result.exit_code == 0
    tasks = as_json(result)["tasks"]
    assert tasks
    assert all(t["overdue"] for t in tasks)
    assert set(as_json(result)) == {"tasks"}


def test_lists_of_an_unknown_unit_exits_4(demo: dict[str, Any]) -> None:
    assert run("lists", "火星村", "--db", demo["db"]).exit_code == 4


def test_lists_with_an_unknown_kind_is_a_usage_error(demo: dict[str, Any]) -> None:
    assert run("lists", "--db", demo["db"], "--kind", "wishes").exit_code == 2


# -- rates ------------------------------------------------------------------------------------
def test_rates_carry_numerators_and_denominators(demo: dict[str, Any]) -> None:
    result = run("rates", "黄梅县", "--db", demo["db"], "--json")
    assert result.exit_code == 0
    county, *towns = as_json(result)
    assert county["name"] == "黄梅县"
    assert [t["name"] for t in towns] == ["小池镇", "孔垄镇"]
    for rate in ("response", "resolution", "satisfaction"):
        assert county[rate]["denominator"] == sum(t[rate]["denominator"] for t in towns)
        assert county[rate]["numerator"] <= county[rate]["denominator"]


def test_rates_by_assignee_name_the_departments(demo: dict[str, Any]) -> None:
    result = run("rates", "济源示范区", "--by", "assignee", "--db", demo["db"], "--json")
    assert result.exit_code == 0
    names = {r["name"] for r in as_json(result)}
    assert {"住房和城乡建设局", "民政局", "公安局"} <= names


def test_rates_with_a_malformed_month_exits_2(demo: dict[str, Any]) -> None:
    result = run("rates", "--db", demo["db"], "--month", "2026-13", "--json")
    assert result.exit_code == 2
    assert as_json(result)["rule"].startswith("input.")


def test_rates_of_an_empty_store_exits_4(empty_db: str) -> None:
    assert run("rates", "--db", empty_db).exit_code == 4


# -- report -----------------------------------------------------------------------------------
def test_report_writes_one_self_contained_file(demo: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "deep" / "r.html"
    result = run("report", "--db", demo["db"], "--out", str(out), "--json")
    assert result.exit_code == 0
    info = as_json(result)
    assert info["charts"] == [
        "funnel",
        "rates-township",
        "rates-department",
        "overdue",
        "contributions",
        "monthly",
    ]
    html = out.read_text(encoding="utf-8")
    for chart in info["charts"]:
        assert f'data-chart="{chart}"' in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html


def _copy_store(db: str, to: Path) -> str:
    source = sqlite3.connect(db.removeprefix("sqlite:///"))
    target = sqlite3.connect(to)
    source.backup(target)
    source.close()
    target.close()
    return f"sqlite:///{to}"


def test_report_verify_says_the_history_is_intact(demo: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = run("report", "--db", demo["db"], "--out", str(out), "--verify", "--json")
    assert result.exit_code == 0, result.output
    verified = as_json(result)["verified"]
    assert verified.startswith("intact (")
    assert f"历史校验 history check: {verified}" in out.read_text(encoding="utf-8")


def test_report_verify_refuses_a_tampered_history(demo: dict[str, Any], tmp_path: Path) -> None:
    db = _copy_store(demo["db"], tmp_path / "tampered.db")
    with sqlite3.connect(tmp_path / "tampered.db") as conn:  # someone edits an old event
        conn.execute(
            "UPDATE stored_events SET state = state || x'20' WHERE rowid = "
            "(SELECT rowid FROM stored_events WHERE topic = 'cogov:Issue.Evaluated' LIMIT 1)"
        )
    out = tmp_path / "r.html"
    result = run("report", "--db", db, "--out", str(out), "--verify", "--json")
    assert result.exit_code == 1
    assert as_json(result)["rule"] == "audit.integrity"
    assert not out.exists()


def test_report_of_an_empty_store_exits_4(empty_db: str, tmp_path: Path) -> None:
    result = run("report", "--db", empty_db, "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 4
    assert not (tmp_path / "r.html").exists()


def test_report_with_a_bad_url_exits_3(tmp_path: Path) -> None:
    assert run("report", "--db", "sqlite://", "--out", str(tmp_path / "r.html")).exit_code == 3


# -- export and import ------------------------------------------------------------------------
def test_events_writes_every_event_as_a_json_line(demo: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "history.jsonl"
    result = run("events", "--db", demo["db"], "--out", str(out))
    assert result.exit_code == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == demo["summary"]["events"]
    assert [line["position"] for line in lines] == list(range(1, len(lines) + 1))
    assert lines[0]["topic"] == "cogov:PolicyBook.Adopted"
    gas = [
        line
        for line in lines
        if line["topic"] == "cogov:Issue.ResultPublished"
        and line["event"]["summary"] == "96户通气点火"
    ]
    assert [line["event"]["households_benefiting"] for line in gas] == [96]


def test_events_since_a_position_to_stdout(demo: dict[str, Any]) -> None:
    total = demo["summary"]["events"]
    result = run("events", "--db", demo["db"], "--since", str(total - 3))
    assert result.exit_code == 0
    assert [json.loads(line)["position"] for line in result.stdout.splitlines()] == [
        total - 2,
        total - 1,
        total,
    ]


def test_events_of_an_empty_store_writes_nothing(empty_db: str) -> None:
    result = run("events", "--db", empty_db)
    assert result.exit_code == 0
    assert result.stdout == ""


def test_events_with_a_bad_url_exits_3() -> None:
    assert run("events", "--db", "ftp://x").exit_code == 3


HOTLINE = [
    {
        "id": "A-1",
        "unit": "渡河村2组",
        "title": "路灯不亮",
        "category": "道路交通",
        "collected_at": "2026-10-12T08:30:00+08:00",
    },
    {
        "id": "A-2",
        "unit": "黄梅县/小池镇/白羊社区/白羊1组",
        "title": "垃圾清运不及时",
        "description": "三天未清运",
        "channel": "online_group",
    },
    {"id": "A-3", "unit": "沁园小区", "title": "电动车充电难"},
]


def test_import_collects_another_hotlines_records_once(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "hotline.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in HOTLINE) + "\n")
    before = run("status", "--db", demo["db"], "--json")
    result = run("import", str(source), "--db", demo["db"], "--json")
    assert result.exit_code == 0, result.output
    assert as_json(result) == {
        "file": str(source),
        "records": 3,
        "imported": 3,
        "already_present": 0,
    }
    again = run("import", str(source), "--db", demo["db"], "--json")
    assert as_json(again)["imported"] == 0
    assert as_json(again)["already_present"] == 3
    after = run("status", "--db", demo["db"], "--json")
    collected = [
        sum(row["co_planning"]["collected"] for row in as_json(r)) for r in (before, after)
    ]
    assert collected[1] == collected[0] + 3
    problems = as_json(
        run(
            "lists",
            "渡河村2组",
            "--db",
            demo["db"],
            "--kind",
            "problem",
            "--json",
            "--limit",
            "500",
        )
    )["problems"]
    assert "路灯不亮" in {p["title"] for p in problems}


def test_import_reads_csv(demo: dict[str, Any], tmp_path: Path) -> None:
    source = tmp_path / "hotline.csv"
    source.write_text(
        "id,unit,title,category\nC-1,江心1组,河塘水面漂浮物,环境卫生\n", encoding="utf-8"
    )
    result = run("import", str(source), "--db", demo["db"], "--source", "csvline", "--json")
    assert result.exit_code == 0, result.output
    assert as_json(result)["imported"] == 1


def _positions(db: str) -> int:
    app = CoGov(db)
    try:
        return app.max_position()
    finally:
        app.close()


def test_import_with_a_bad_line_imports_nothing(demo: dict[str, Any], tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text(
        json.dumps({"id": "B-1", "unit": "渡河村2组", "title": "ok"})
        + "\n"
        + json.dumps({"id": "B-2", "unit": "渡河村2组", "title": ""})
        + "\n",
        encoding="utf-8",
    )
    before = _positions(demo["db"])
    result = run("import", str(source), "--db", demo["db"], "--json")
    assert result.exit_code == 2
    assert as_json(result)["error"].endswith(
        "line 2: title: String should have at least 1 character"
    )
    assert _positions(demo["db"]) == before


def test_import_naming_an_unknown_unit_imports_nothing(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "unknown.jsonl"
    source.write_text(
        json.dumps({"id": "U-1", "unit": "渡河村2组", "title": "ok"})
        + "\n"
        + json.dumps({"id": "U-2", "unit": "月球村", "title": "路灯"})
        + "\n",
        encoding="utf-8",
    )
    before = _positions(demo["db"])
    result = run("import", str(source), "--db", demo["db"])
    assert result.exit_code == 4
    assert _positions(demo["db"]) == before


def test_import_by_someone_who_is_no_administrator_exits_5(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps({"id": "P-1", "unit": "渡河村2组", "title": "x"}) + "\n")
    before = _positions(demo["db"])
    result = run(
        "import",
        str(source),
        "--db",
        demo["db"],
        "--source",
        "other",
        "--admin",
        "nobody",
        "--json",
    )
    assert result.exit_code == 5
    assert as_json(result)["rule"] == "permission.grant"
    assert _positions(demo["db"]) == before


def test_import_of_a_missing_file_exits_2(demo: dict[str, Any], tmp_path: Path) -> None:
    assert run("import", str(tmp_path / "none.jsonl"), "--db", demo["db"]).exit_code == 2


def test_import_into_an_empty_store_exits_4(empty_db: str, tmp_path: Path) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps({"id": "E-1", "unit": "渡河村", "title": "x"}) + "\n")
    assert run("import", str(source), "--db", empty_db).exit_code == 4


# -- the auditor's commands, mounted --------------------------------------------------------
def test_audit_verify_is_mounted_and_finds_the_demo_intact(demo: dict[str, Any]) -> None:
    result = run("audit", "verify", "--db", demo["db"], "--json")
    assert result.exit_code == 0, result.output
    assert as_json(result)["intact"] is True


def test_export_for_verifiers_is_mounted_at_the_top(demo: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "verifiable.jsonl"
    result = run("export", "--db", demo["db"], "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert as_json(result)["events"] >= demo["summary"]["events"]
    assert out.stat().st_size > 0


def test_replay_is_mounted_at_the_top(demo: dict[str, Any]) -> None:
    result = run(
        "replay", "--db", demo["db"], "--position", str(demo["summary"]["events"]), "--json"
    )
    assert result.exit_code == 0, result.output
    assert as_json(result)["position"] == demo["summary"]["events"]


def test_mounted_commands_refuse_a_bad_url() -> None:
    assert run("audit", "verify", "--db", "nosuch://x").exit_code == 3


# -- help -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("command", "example"),
    [
        ("demo", "cogov demo --db sqlite:///cogov-demo.db --fresh"),
        ("status", "cogov status 黄梅县"),
        ("lists", "cogov lists 济源示范区 --kind task --overdue"),
        ("rates", "cogov rates 济源示范区 --by assignee --json"),
        ("report", "cogov report --db sqlite:///cogov-demo.db"),
        ("events", "cogov events --db sqlite:///cogov-demo.db -o history.jsonl"),
        ("import", "cogov import hotline.jsonl --db sqlite:///cogov-demo.db"),
        ("units", "cogov units --db sqlite:///cogov-demo.db"),
    ],
)
def test_every_command_teaches_with_an_example(command: str, example: str) -> None:
    result = runner.invoke(cli, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert example in " ".join(result.stdout.split())


def test_no_arguments_shows_the_help() -> None:
    result = runner.invoke(cli, [])
    assert "cogov demo --db sqlite:///cogov-demo.db --fresh" in " ".join(result.stdout.split())


@pytest.mark.postgres
def test_status_of_an_empty_postgres_store_exits_4(postgres_url: str) -> None:
    CoGov(postgres_url).close()
    result = run("status", "--db", postgres_url, "--json")
    assert result.exit_code == 4
    assert as_json(result)["rule"] == "store.empty"


READING_COMMANDS = [["units"], ["status"], ["lists"], ["rates"], ["report", "-o", "/dev/null"]]


@pytest.mark.parametrize("command", READING_COMMANDS, ids=lambda c: c[0])
def test_every_reading_command_refuses_a_bad_url_with_exit_3(command: list[str]) -> None:
    result = run(*command, "--db", "mongodb://x/y", "--json")
    assert result.exit_code == 3
    assert as_json(result)["rule"] == "store.url"


@pytest.mark.parametrize("command", READING_COMMANDS, ids=lambda c: c[0])
def test_every_reading_command_reports_an_empty_store_with_exit_4(
    command: list[str], empty_db: str
) -> None:
    result = run(*command, "--db", empty_db, "--json")
    assert result.exit_code == 4
    assert as_json(result)["rule"] == "store.empty"


def test_import_refuses_a_bad_url(tmp_path: Path) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps({"id": "X-1", "unit": "渡河村", "title": "x"}) + "\n")
    assert run("import", str(source), "--db", "sqlite://").exit_code == 3

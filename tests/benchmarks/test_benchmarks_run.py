"""The benchmark keeps working: the ``ci`` size runs every section on SQLite and writes a JSON
report whose figures are present, positive and consistent with each other. No timing
thresholds — CI machines vary; docs/benchmarks.md carries the measured figures."""

from __future__ import annotations

import math
import os
from typing import Any

import orjson
import pytest
from benchmarks.__main__ import main
from benchmarks.suite import SECTIONS
from benchmarks.workload import SIZES, plan_hierarchy

SIZE = SIZES["ci"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench")
    json_path = out / "ci.json"
    saved = os.environ.pop("COGOV_BENCH_SIZE", None)  # this test runs the ci size, always
    try:
        code = main(
            ["--size", "ci", "--backend", "sqlite", "--json", str(json_path), "--workdir", str(out)]
        )
    finally:
        if saved is not None:
            os.environ["COGOV_BENCH_SIZE"] = saved
    assert code == 0
    result: dict[str, Any] = orjson.loads(json_path.read_bytes())
    return result


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and value > 0 and math.isfinite(value)


def test_the_report_has_every_section_for_sqlite(report: dict[str, Any]) -> None:
    assert report["size"] == "ci"
    sqlite = report["backends"]["sqlite"]
    assert set(SECTIONS) <= set(sqlite)
    for name in SECTIONS:
        if name == "command_path":
            assert all(mode["available"] for mode in sqlite[name].values())
        else:
            assert sqlite[name]["available"] is True, f"{name}: {sqlite[name]}"
    assert len(sqlite["load_average_at_start"]) == 3


def test_the_bulk_import_writes_the_planned_history(report: dict[str, Any]) -> None:
    bulk = report["backends"]["sqlite"]["bulk_import"]
    h = plan_hierarchy(SIZE, report["seed"])
    assert bulk["issues"] == SIZE.issues  # 20 waves × 6 issues
    assert bulk["units"] == h.unit_count == 1 + 2 + 4 + 8
    assert sum(bulk["scale_mix"].values()) == SIZE.issues
    assert bulk["events"] == bulk["max_position"]
    assert bulk["events"] > SIZE.issues * 10  # the loop runs: ≥ 10 events per issue
    assert _positive(bulk["events_per_second"])


def test_every_command_path_mode_ran_commands_and_wrote_events(report: dict[str, Any]) -> None:
    paths = report["backends"]["sqlite"]["command_path"]
    assert set(paths) == {"full", "normal", "full_views_off"}
    for mode in paths.values():
        assert mode["commands"] > 100
        assert mode["events"] >= mode["commands"]  # every command records at least one event
        assert _positive(mode["commands_per_second"])
        assert 0 < mode["p50_ms"] <= mode["p99_ms"] <= mode["max_ms"]
    assert paths["full"]["views_current"] is True
    assert paths["full_views_off"]["views_current"] is False


def test_the_baselines_are_measured_in_the_same_run(report: dict[str, Any]) -> None:
    sqlite = report["backends"]["sqlite"]
    phys = sqlite["physical"]
    assert phys["insert_row_per_tx_full"]["rows"] == SIZE.raw_single_rows
    assert phys["insert_row_per_tx_normal"]["rows"] == SIZE.raw_single_rows
    assert phys["insert_one_tx_full"]["rows"] == SIZE.raw_batch_rows
    for key in (
        "insert_row_per_tx_full",
        "insert_row_per_tx_normal",
        "insert_one_tx_full",
        "read_decode",
    ):
        assert _positive(phys[key]["per_second"]), key
    plain = sqlite["plain_eventsourcing"]
    assert plain["bulk_import"]["issues"] == SIZE.issues
    assert plain["command_path"]["commands"] > 100
    assert plain["projection"]["events"] == SIZE.plain_projection_events
    assert _positive(plain["projection"]["events_per_second"])
    assert "synchronous=FULL" in sqlite["durability"]["plain eventsourcing"]


def test_rebuild_queries_and_audit_cover_the_whole_history(report: dict[str, Any]) -> None:
    sqlite = report["backends"]["sqlite"]
    imported = sqlite["bulk_import"]["events"]
    rebuild = sqlite["rebuild"]
    assert rebuild["events"] == imported
    assert _positive(rebuild["events_per_second"])
    assert _positive(rebuild["peak_rss_mib"])
    audit = sqlite["audit"]
    assert audit["intact"] is True
    assert audit["chained_events"] == audit["events"] == imported
    assert _positive(audit["events_per_second"])
    queries = sqlite["queries"]
    assert len(queries["queries"]) == 13
    for name, q in queries["queries"].items():
        assert 0 < q["p50_ms"] <= q["p99_ms"], name
        assert set(q["max_ms_by_level"]) == {"county", "township", "village", "group"}


def test_point_in_time_loads_an_aggregate_of_two_thousand_events(report: dict[str, Any]) -> None:
    pit = report["backends"]["sqlite"]["point_in_time"]
    assert pit["events"] >= 2_000
    for key in (
        "load_ms_no_snapshot",
        "load_ms_with_snapshot",
        "as_of_half_way_ms",
        "version_half_way_ms",
        "audit_aggregate_as_of_version_half_way_ms",
    ):
        assert _positive(pit[key]), key


def test_every_target_is_reported_with_a_ratio(report: dict[str, Any]) -> None:
    rows = [r for r in report["targets"] if r["backend"] == "sqlite"]
    assert [r["target"] for r in rows] == [
        "command path (FULL) ≥ 0.5 × raw row-per-tx",
        "command path (NORMAL) ≥ 0.5 × raw row-per-tx",
        "bulk import ≥ 0.5 × raw batched inserts",
        "rebuild ≥ 100,000 events/s",
        "rebuild ≥ 40 × plain per-event projection",
        "view query p99 ≤ 10 ms",
        "verification ≥ 300,000 events/s",
        "point-in-time load ≤ 2 ms with snapshot",
    ]
    for r in rows:
        assert r["available"] is True, r
        assert _positive(r["ratio"])
        assert r["met"] == (r["ratio"] >= 1.0)


def test_the_size_comes_from_the_environment_first(monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.workload import resolve_size

    monkeypatch.setenv("COGOV_BENCH_SIZE", "ci")
    assert resolve_size("1m") is SIZE
    monkeypatch.delenv("COGOV_BENCH_SIZE")
    assert resolve_size("1m").issues == SIZES["1m"].issues
    assert resolve_size(None).name == "small"


def test_an_unknown_size_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.workload import resolve_size

    monkeypatch.delenv("COGOV_BENCH_SIZE", raising=False)
    with pytest.raises(SystemExit, match="unknown size '2m'"):
        resolve_size("2m")


def test_the_machine_is_recorded_with_the_results(report: dict[str, Any]) -> None:
    assert report["machine"]["nproc"] >= 1
    assert report["machine"]["eventsourcing"] == "9.5.6"
    assert report["machine"]["sqlite"].count(".") == 2


def test_the_docs_tables_render_from_the_report(report: dict[str, Any]) -> None:
    from benchmarks.render import render

    text = render(report)
    assert text.startswith("Size **ci**, seed 20260302")
    assert "| bulk import | events/s, " in text
    assert "| command path (FULL, views off) |" in text
    assert "| sqlite | point-in-time load ≤ 2 ms with snapshot |" in text
    assert text.count("| query |") == 1  # one per-query table for the one backend

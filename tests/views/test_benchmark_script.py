"""The rebuild benchmark (benchmarks/views_rebuild.py) builds the history it claims and
replays all of it (a small size here; the script's own default is 10,000 issues)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from cogov import ViewRunner

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "views_rebuild.py"


def test_the_rebuild_benchmark_replays_every_event_it_wrote(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("views_rebuild", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    url = f"sqlite:///{tmp_path / 'bench.db'}?synchronous=NORMAL"

    events = module.build(url, 30)

    assert events == 1 + 1 + 1 + 10 + 50 + 30 * 10  # policy, county, town, villages, groups
    runner = ViewRunner(url)
    assert runner.rebuild() == events
    assert runner.positions() == dict.fromkeys(runner.positions(), events)
    runner.close()

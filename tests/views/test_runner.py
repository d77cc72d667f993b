"""The runner's exactly-once guarantee: a batch commits with its tracking position or not at
all; an interrupted run (an exception in a projection, a process killed with SIGKILL) resumes
from the tracked position with no event counted twice and none missed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import Connection, update

from cogov import StoreError, ViewRunner
from cogov.views import tables as t
from cogov.views.events import ViewEvent
from cogov.views.projections import IssuesProjection, Projection, default_projections
from tests.views.support import MINZHENG, ZHUJIAN, District, dump, tracked

ROOT = Path(__file__).resolve().parents[2]


def build_history(url: str | None, issues: int) -> District:
    """A district whose views are left to an external runner, with ``issues`` urgent
    matters at various stages."""
    d = District.build(url, views="off")
    for n in range(issues):
        assignee = MINZHENG if n % 3 else ZHUJIAN
        issue = d.urgent(d.group_a if n % 2 else d.group_b, assignee)
        if n % 3 == 0:
            d.resolve(issue, assignee)
    return d


class Exploding(Exception):
    pass


class FailingIssues(IssuesProjection):
    """The issues projection, failing in its ``fail_on``-th batch after writing rows."""

    def __init__(self, fail_on: int) -> None:
        super().__init__()
        self.calls = 0
        self.fail_on = fail_on

    def apply(self, conn: Connection, events: Sequence[ViewEvent]) -> None:
        self.calls += 1
        super().apply(conn, events)  # rows written in the open transaction …
        if self.calls == self.fail_on:
            raise Exploding("projection failed mid-batch")  # … and rolled back


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_projection_failing_mid_batch_resumes_without_double_counting(
    backend: str, sqlite_url: str
) -> None:
    d = build_history(None if backend == "memory" else sqlite_url, issues=12)
    last = d.app.max_position()
    projections: list[Projection] = [
        p if not isinstance(p, IssuesProjection) else FailingIssues(fail_on=3)
        for p in default_projections()
    ]
    runner = ViewRunner(
        d.app.config, recorder=d.app.store.recorder, projections=projections, batch_size=10
    )

    with pytest.raises(Exploding):
        runner.catch_up()

    assert tracked(runner) == dict.fromkeys(tracked(runner), 20)  # two batches committed
    assert runner.catch_up() == last - 20  # resumes at 21; the failure happens only once
    assert tracked(runner) == dict.fromkeys(tracked(runner), last)
    resumed = dump(runner)
    runner.rebuild()
    assert dump(runner) == resumed
    runner.close()
    d.close()


def test_the_tracking_position_never_moves_backwards(sqlite_url: str) -> None:
    d = build_history(sqlite_url, issues=2)
    runner = ViewRunner(sqlite_url)
    runner.catch_up()
    last = d.app.max_position()
    with runner.engine.connect() as conn, conn.begin():
        with pytest.raises(StoreError) as backwards:
            runner._advance(conn, "issues", last, last - 1)
        assert backwards.value.rule == "views.tracking.forward"
        with pytest.raises(StoreError) as raced:
            runner._advance(conn, "issues", last - 3, last + 1)  # another runner moved it
        assert raced.value.rule == "views.tracking.forward"
    assert tracked(runner)["issues"] == last
    runner.close()
    d.close()


def test_a_runner_ahead_of_its_rows_is_not_replayed_twice(sqlite_url: str) -> None:
    d = build_history(sqlite_url, issues=3)
    runner = ViewRunner(sqlite_url)
    runner.catch_up()
    before = dump(runner)
    with runner.engine.begin() as conn:  # pretend the positions were already applied again
        conn.execute(update(t.tracking).values(position=d.app.max_position() - 2))
    d.urgent(d.group_a)  # new events after the position: applied once; the old ones not again
    runner.catch_up()
    after = dump(runner)
    assert len(after["view_issues"]) == len(before["view_issues"]) + 1
    runner.close()
    d.close()


CHILD = """
import sys, time
from cogov import ViewRunner
from cogov.views.projections import IssuesProjection

apply = IssuesProjection.apply
def slow_apply(self, conn, events):
    apply(self, conn, events)
    time.sleep(0.1)  # a slow projection, so the kill lands mid-run
IssuesProjection.apply = slow_apply
runner = ViewRunner(sys.argv[1], batch_size=5)
print("ready", flush=True)
runner.catch_up()
print("finished", flush=True)
"""


def test_a_runner_killed_mid_run_resumes_with_nothing_twice_and_nothing_missed(
    sqlite_url: str,
) -> None:
    d = build_history(sqlite_url, issues=20)
    last = d.app.max_position()
    probe = ViewRunner(sqlite_url, batch_size=5)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, sqlite_url], stdout=subprocess.PIPE, env=env, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    deadline = time.monotonic() + 30
    while tracked(probe).get("issues", 0) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    killed_at = tracked(probe)["issues"]
    assert 20 <= killed_at < last  # part of the log applied, part not

    probe.catch_up()
    assert tracked(probe) == dict.fromkeys(tracked(probe), last)
    resumed = dump(probe)
    probe.rebuild()
    assert dump(probe) == resumed
    probe.close()
    d.close()


def test_a_store_in_memory_needs_its_application_recorder() -> None:
    with pytest.raises(StoreError) as refused:
        ViewRunner(None)
    assert refused.value.rule == "views.recorder"


def test_a_command_succeeds_when_its_views_cannot_be_updated_and_they_heal_later(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    d = District.build(sqlite_url)
    catch_up = d.app.views.catch_up

    def unavailable() -> int:
        raise StoreError("database is locked", rule="views.store")

    monkeypatch.setattr(d.app.views, "catch_up", unavailable)
    issue = d.urgent(d.group_a)  # saved; the views stay behind
    assert "views not updated" in caplog.text
    assert d.app.issue(issue).assignee == ZHUJIAN
    assert d.app.task_list(d.county).total == 0
    monkeypatch.setattr(d.app.views, "catch_up", catch_up)
    d.collect(d.group_b)  # the next save brings the views up to date
    assert d.app.task_list(d.county).total == 1
    assert tracked(d.app.views)["issues"] == d.app.max_position()
    d.close()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_two_runners_racing_on_one_store_count_every_event_once(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = str(request.getfixturevalue(f"{backend}_url"))
    d = build_history(url, issues=15)
    runners = [ViewRunner(url, batch_size=7) for _ in range(2)]
    errors: list[BaseException] = []

    def run(runner: ViewRunner) -> None:
        try:
            runner.catch_up()
        except BaseException as e:  # noqa: BLE001 - handed to the test thread below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert tracked(runners[0]) == dict.fromkeys(tracked(runners[0]), d.app.max_position())
    raced = dump(runners[0])
    runners[1].rebuild()
    assert dump(runners[0]) == raced
    for runner in runners:
        runner.close()
    d.close()

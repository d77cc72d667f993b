"""Projection workers as processes of their own: SIGKILLed at random points while writers
keep writing, they resume from their tracked position and end with views equal to a fresh
rebuild; on PostgreSQL a NOTIFY wakes them long before their poll; a change in the view
definitions triggers one rebuild. Size: COGOV_WORKER_KILLS (default 5)."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from typing import Any
from uuid import uuid4

from sqlalchemy import Engine, select, update

from cogov import Actor, Channel, Role, Scale
from cogov.views import tables as t
from cogov.views.runner import ViewRunner, create_view_engine
from cogov.workers import migrate_views
from tests.postgres.workload import World, build_world, env_int, open_app


def _worker(url: str, *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "cogov.workers", "--db", url, "--log-level", "WARNING"]
    return subprocess.Popen([*command, *extra])


def _keep_writing(url: str, world: World, stop: threading.Event, written: list[int]) -> None:
    app = open_app(url)
    grid = Actor(id="gw-1", role=Role.GRID_WORKER, unit_id=world.village)
    try:
        while not stop.is_set():
            issue_id = app.collect_issue(
                grid,
                unit_id=world.village,
                channel=Channel.HOTLINE,
                raised_by=uuid4(),
                title="井盖缺失",
                description="村口",
            )
            app.triage_issue(world.cadre(), issue_id, scale=Scale.MINOR, category="市政")
            written.append(1)
    finally:
        app.close()


def _views(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every view table (not the tracking), in a stable order."""
    dump = {}
    with engine.connect() as conn:
        for table in t.METADATA.sorted_tables:
            if table is t.tracking:
                continue
            rows = conn.execute(select(table)).all()
            dump[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return dump


def _wait(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_worker_killed_at_random_points_resumes_to_views_equal_to_a_rebuild(
    shared_store_url: str,
) -> None:
    url = shared_store_url
    kills = env_int("COGOV_WORKER_KILLS", 5)
    rng = random.Random(20260302)
    world = build_world(url, issues=3)
    observer = ViewRunner(url)  # reads positions only (and, at the end, rebuilds)
    app = open_app(url)
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_keep_writing, args=(url, world, stop, written))
    writer.start()
    behind_at_kill = 0
    try:
        for _ in range(kills):
            before = min(observer.positions().values())
            worker = _worker(url, "--batch", "7", "--poll", "0.1")
            try:
                moved = _wait(lambda b=before: min(observer.positions().values()) > b, 60)
                assert moved, "the worker never applied a batch"
                time.sleep(rng.uniform(0.0, 0.25))
            finally:
                worker.kill()  # SIGKILL: no clean-up, an open transaction just dies
                worker.wait()
            behind_at_kill += min(observer.positions().values()) < app.max_position()
    finally:
        stop.set()
        writer.join()
    finisher = _worker(url, "--once")
    assert finisher.wait(timeout=120) == 0
    end = app.max_position()
    positions = observer.positions()
    engine = create_view_engine(observer.config)
    resumed = _views(engine)
    observer.rebuild()
    rebuilt = _views(engine)
    engine.dispose()
    observer.close()
    app.close()
    issues = 3 + len(written)
    print(
        f"\n[{url.split(':', 1)[0]}] worker SIGKILLed {kills} times ({behind_at_kill} while "
        f"behind the log), {end} events; resumed views == rebuild: {resumed == rebuilt}; "
        f"{len(resumed['view_issues'])} issue rows"
    )
    assert set(positions.values()) == {end}
    assert len(resumed["view_issues"]) == issues
    assert resumed == rebuilt
    assert behind_at_kill >= 1


def test_a_notification_wakes_a_postgres_worker_long_before_its_poll(postgres_url: str) -> None:
    world = build_world(postgres_url, issues=1)
    observer = ViewRunner(postgres_url)
    app = open_app(postgres_url)
    worker = _worker(postgres_url, "--poll", "60")
    try:
        caught_up = _wait(lambda: set(observer.positions().values()) == {app.max_position()}, 60)
        assert caught_up
        time.sleep(0.5)  # the worker now sleeps in its 60 s wait
        started = time.monotonic()
        app.triage_issue(world.cadre(), world.issues[0], scale=Scale.MAJOR, category="路灯")
        target = app.max_position()
        woke = _wait(lambda: set(observer.positions().values()) == {target}, 20)
        elapsed = time.monotonic() - started
    finally:
        worker.terminate()  # SIGTERM: stops after the batch in hand
        code = worker.wait(timeout=30)
    observer.close()
    app.close()
    print(f"\n[postgresql] views current {elapsed:.2f}s after the command began (poll: 60 s)")
    assert woke
    assert elapsed < 10
    assert code == 0


def test_changed_view_definitions_are_rebuilt_once(shared_store_url: str) -> None:
    world = build_world(shared_store_url, issues=2)
    runner = ViewRunner(shared_store_url)
    assert migrate_views(runner) is False  # views never built: the fingerprint is recorded
    runner.catch_up()
    assert migrate_views(runner) is False  # unchanged: nothing to do
    engine = create_view_engine(runner.config)
    with engine.begin() as conn:  # views built by older code: another fingerprint, a bad row
        conn.execute(update(t.issues).values(title="stale"))
        conn.exec_driver_sql("UPDATE view_schema_version SET fingerprint = 'old'")
    assert migrate_views(runner) is True
    titles = sorted(r.title for r in _rows(engine, t.issues))
    assert titles == ["事项0", "事项1"]
    assert migrate_views(runner) is False
    assert set(runner.positions().values()) == {max(runner.positions().values())}
    engine.dispose()
    runner.close()
    assert len(world.issues) == 2


def _rows(engine: Engine, table: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(table)).all())

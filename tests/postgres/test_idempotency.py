"""Idempotency keys: a client retrying with the same key never records the same fact twice,
even when the first attempt committed but its answer was lost, when connections are dropped
between attempts, or when two processes send the same request at once.
Size: COGOV_IDEMPOTENT_COMMANDS (default 10 commands tried 3 times, 20 sent by 2 processes)."""

from __future__ import annotations

import multiprocessing
import uuid
from collections import Counter
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import OperationalError

from cogov import (
    Actor,
    Channel,
    CoGov,
    InvalidInputError,
    NotFoundError,
    Role,
    Scale,
    StoreError,
    UnitLevel,
)
from cogov.domain.issue import Issue
from cogov.persistence.idempotency import IdempotencyKey, IdempotencyKeyReusedError, key_id
from tests.conftest import POSTGRES_URL
from tests.postgres.workload import ADMIN, build_world, env_int, open_app, run_keyed_writer


def _grid(village: UUID) -> Actor:
    return Actor(id="gw-1", role=Role.GRID_WORKER, unit_id=village)


def _collect(app: CoGov, village: UUID, raised_by: UUID, key: str | None) -> UUID:
    return app.collect_issue(
        _grid(village),
        unit_id=village,
        channel=Channel.HOTLINE,
        raised_by=raised_by,
        title="路灯不亮",
        description="三组路口",
        idempotency_key=key,  # type: ignore[call-arg]
    )


def _collected(app: CoGov) -> list[Any]:
    notes = app.store.recorder.select_notifications(start=1, limit=1_000_000)
    return [n for n in notes if n.topic == Issue.Collected.TOPIC]


def test_a_command_retried_with_its_key_returns_the_first_result_and_records_once(
    store_url: str | None,
) -> None:
    if store_url is None:  # one application holds the memory store
        app = open_app(None)
        world_village = app.establish_unit(ADMIN, name="黄梅县", level=UnitLevel.COUNTY)
    else:
        world_village = build_world(store_url, issues=0).village
        app = open_app(store_url)
    raised_by = uuid4()
    first = _collect(app, world_village, raised_by, "req-1")
    position = app.max_position()
    again = _collect(app, world_village, raised_by, "req-1")
    assert again == first
    assert app.max_position() == position
    assert [type(e).__name__ for e in app.history(first)] == ["Collected"]
    record = app._get(IdempotencyKey, key_id("req-1"))
    assert (record.key, record.command) == ("req-1", "collect_issue")
    assert record.result_json == f'"{first}"'
    # without a key, the same call is a new request
    assert _collect(app, world_village, raised_by, None) != first
    app.close()


def test_a_key_reused_for_other_arguments_or_another_command_is_refused(
    shared_store_url: str,
) -> None:
    world = build_world(shared_store_url, issues=1)
    app = open_app(shared_store_url)
    app.triage_issue(
        world.cadre(),
        world.issues[0],
        scale=Scale.MINOR,
        category="路灯",
        idempotency_key="req-7",  # type: ignore[call-arg]
    )
    position = app.max_position()
    with pytest.raises(IdempotencyKeyReusedError) as other_args:
        app.triage_issue(
            world.cadre(),
            world.issues[0],
            scale=Scale.MAJOR,
            category="路灯",
            idempotency_key="req-7",  # type: ignore[call-arg]
        )
    assert other_args.value.rule == "idempotency.key.reused"
    with pytest.raises(IdempotencyKeyReusedError) as other_command:
        app.chase_issue(world.cadre(), world.issues[0], idempotency_key="req-7")  # type: ignore[call-arg]
    assert other_command.value.rule == "idempotency.key.reused"
    with pytest.raises(InvalidInputError) as blank:
        app.chase_issue(world.cadre(), world.issues[0], idempotency_key="  ")  # type: ignore[call-arg]
    assert blank.value.rule == "input.idempotency_key"
    assert app.max_position() == position
    app.close()


def test_a_refused_command_records_neither_events_nor_its_key(shared_store_url: str) -> None:
    world = build_world(shared_store_url, issues=1)
    app = open_app(shared_store_url)
    position = app.max_position()
    missing = uuid4()
    with pytest.raises(NotFoundError) as refused:
        app.triage_issue(
            world.cadre(),
            missing,
            scale=Scale.MINOR,
            category="路灯",
            idempotency_key="req-9",  # type: ignore[call-arg]
        )
    assert refused.value.rule == "issue.exists"
    assert app.max_position() == position
    assert app._idempotency_record("req-9") is None
    app.close()


class _LoseTheFirstAnswer:
    """The store commits, then the connection fails before the answer reaches the client."""

    def __init__(self, app: CoGov) -> None:
        self.real = app.store.recorder.insert_events
        self.armed = False
        app.store.recorder.insert_events = self  # type: ignore[method-assign]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = self.real(*args, **kwargs)
        if self.armed:
            self.armed = False
            raise OperationalError("server closed the connection unexpectedly")
        return result


def _terminate(appname: str) -> int:
    with psycopg.connect(POSTGRES_URL, autocommit=True, application_name="cogov-killer") as c:
        rows = c.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (appname,),
        ).fetchall()
    return len(rows)


def test_retries_after_a_lost_answer_and_dropped_connections_record_each_fact_once(
    shared_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = env_int("COGOV_IDEMPOTENT_COMMANDS", 10)
    on_postgres = shared_store_url.startswith("postgresql")
    appname = f"cogov-app-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PGAPPNAME", appname)  # every libpq connection of the app carries it
    url = shared_store_url + ("&pool_size=1" if on_postgres else "")  # one connection to drop
    world = build_world(url, issues=0)
    app = open_app(url)
    lose = _LoseTheFirstAnswer(app)
    answers: dict[str, list[UUID | None]] = {}
    terminated = 0
    for n in range(commands):
        key, raised_by = f"collect-{n}", uuid4()
        answers[key] = []
        for attempt in range(3):
            if on_postgres and attempt > 0:
                terminated += _terminate(appname)
            lose.armed = attempt == 0
            if attempt == 0:
                with pytest.raises(StoreError) as lost:
                    _collect(app, world.village, raised_by, key)
                assert lost.value.rule == "store.write"
                answers[key].append(None)
            else:
                answers[key].append(_collect(app, world.village, raised_by, key))
    collected = _collected(app)
    per_raiser = Counter(app._get(Issue, UUID(str(n.originator_id))).raised_by for n in collected)
    duplicates = sum(c - 1 for c in per_raiser.values())
    print(
        f"\n[{shared_store_url.split(':', 1)[0]}] {commands} commands x 3 attempts with one key "
        f"each: first answer lost every time, {terminated} connections terminated; "
        f"{len(collected)} issues recorded, duplicates={duplicates}"
    )
    assert len(collected) == commands
    assert duplicates == 0
    for key, got in answers.items():
        assert got[0] is None  # the client never heard the first answer …
        assert got[1] == got[2] is not None  # … and both retries return the stored one
        assert app._get(IdempotencyKey, key_id(key)).result_json == f'"{got[1]}"'
    if on_postgres:
        assert terminated >= commands  # the pool's connections really were dropped
    app.close()


def test_two_processes_sending_the_same_keyed_requests_record_each_once(
    shared_store_url: str,
) -> None:
    commands = env_int("COGOV_IDEMPOTENT_COMMANDS", 20)
    world = build_world(shared_store_url, issues=3)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        done = pool.starmap(
            run_keyed_writer, [(shared_store_url, world, w, commands) for w in (0, 1)]
        )
    assert done[0] == done[1] == [f"k-{n}" for n in range(commands)]
    app = open_app(shared_store_url)
    categories = Counter(
        e.category
        for issue_id in world.issues
        for e in app.history(issue_id)
        if type(e) is Issue.Triaged
    )
    app.close()
    assert categories == Counter({f"k-{n}": 1 for n in range(commands)})

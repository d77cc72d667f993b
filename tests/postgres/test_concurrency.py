"""Optimistic concurrency: a command that loses a race re-loads and re-decides; N writer
processes on K hot aggregates lose no update, duplicate nothing, and leave every aggregate's
versions contiguous. Sizes: COGOV_WRITERS, COGOV_COMMANDS_PER_WRITER, COGOV_HOT_AGGREGATES."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from typing import Any
from uuid import UUID

import pytest

from cogov import CoGov, ConcurrencyError, Scale
from cogov.domain.issue import Issue
from cogov.domain.policy import Policy
from tests.postgres.workload import ADMIN, build_world, env_int, open_app, open_store, run_writer


def test_a_command_that_loses_a_race_reloads_and_decides_again(shared_store_url: str) -> None:
    world = build_world(shared_store_url, issues=1)
    issue_id = world.issues[0]
    mine, theirs = open_app(shared_store_url), open_app(shared_store_url)
    real_save = mine.store.save
    attempts: list[int] = []

    def save_after_a_rival(*aggregates: Any, **kwargs: Any) -> Any:
        issue = next(a for a in aggregates if isinstance(a, Issue))
        attempts.append(issue.version)
        if len(attempts) == 1:  # between our load and our save, another process triages
            theirs.triage_issue(world.cadre(), issue_id, scale=Scale.MAJOR, category="rival")
        return real_save(*aggregates, **kwargs)

    mine.store.save = save_after_a_rival  # type: ignore[method-assign]
    mine.triage_issue(world.cadre(), issue_id, scale=Scale.URGENT, category="mine")

    # first attempt decided on v1 (its event would be v2), the retry on the rival's v2
    assert attempts == [2, 3]
    history = mine.history(issue_id)
    assert [e.originator_version for e in history] == [1, 2, 3]
    assert [getattr(e, "category", None) for e in history] == [None, "rival", "mine"]
    assert mine.issue(issue_id).scale is Scale.URGENT
    mine.close()
    theirs.close()


def test_a_command_that_always_loses_gives_up_with_a_concurrency_error(
    shared_store_url: str,
) -> None:
    world = build_world(shared_store_url, issues=1)
    issue_id = world.issues[0]
    mine, theirs = open_app(shared_store_url), open_app(shared_store_url)
    real_save = mine.store.save
    rivals = 0

    def always_beaten(*aggregates: Any, **kwargs: Any) -> Any:
        nonlocal rivals
        rivals += 1
        theirs.triage_issue(world.cadre(), issue_id, scale=Scale.MAJOR, category=f"r{rivals}")
        return real_save(*aggregates, **kwargs)

    mine.store.save = always_beaten  # type: ignore[method-assign]
    with pytest.raises(ConcurrencyError) as lost:
        mine.triage_issue(world.cadre(), issue_id, scale=Scale.URGENT, category="mine")
    assert lost.value.rule == "concurrency.retries"
    assert rivals == mine.max_attempts == 5
    categories = [getattr(e, "category", None) for e in mine.history(issue_id)]
    assert categories == [None, "r1", "r2", "r3", "r4", "r5"]
    mine.close()
    theirs.close()


def test_a_policy_adopted_by_another_process_governs_the_next_command(
    shared_store_url: str,
) -> None:
    world = build_world(shared_store_url, issues=1)
    issue_id = world.issues[0]
    mine, theirs = open_app(shared_store_url), open_app(shared_store_url)
    mine.triage_issue(world.cadre(), issue_id, scale=Scale.MINOR, category="before")
    theirs.adopt_policy(ADMIN, Policy(version=2), reason="新规则")
    mine.triage_issue(world.cadre(), issue_id, scale=Scale.MINOR, category="after")
    cited = [(e.category, e.policy_version) for e in mine.history(issue_id)[1:]]
    assert cited == [("before", 1), ("after", 2)]
    assert mine.policy.version == 2
    mine.close()
    theirs.close()


def test_processes_starting_together_create_the_store_once(shared_store_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        positions = pool.map(open_store, [shared_store_url] * 4)
    assert positions == [0, 0, 0, 0]
    app = open_app(shared_store_url)
    assert app.max_position() == 0
    app.close()


def test_writers_racing_on_hot_aggregates_lose_and_duplicate_nothing(
    shared_store_url: str,
) -> None:
    writers = env_int("COGOV_WRITERS", 4)
    commands = env_int("COGOV_COMMANDS_PER_WRITER", 100)
    hot = env_int("COGOV_HOT_AGGREGATES", 10)
    if shared_store_url.startswith("postgresql"):  # one pooled connection per writer process
        shared_store_url += "&pool_size=1"
    world = build_world(shared_store_url, issues=hot)
    ctx = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    with ctx.Pool(writers) as pool:
        reports = pool.starmap(
            run_writer,
            [(shared_store_url, world, w, commands, 1000 + w) for w in range(writers)],
        )
    elapsed = time.perf_counter() - started

    app = open_app(shared_store_url)
    stored: list[tuple[str, str]] = []
    gaps = 0
    for issue_id in world.issues:
        history = app.history(issue_id)
        versions = [e.originator_version for e in history]
        gaps += versions != list(range(1, len(versions) + 1))
        stored += [(str(issue_id), e.category) for e in history if type(e) is Issue.Triaged]
    app.close()
    acknowledged = [r for report in reports for r in report.recorded]
    gave_up = sum(r.gave_up for r in reports)
    races = sum(r.races_lost for r in reports)
    busy = max(r.seconds for r in reports)
    counts = Counter(stored)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    lost = len(set(acknowledged) - set(stored))
    phantom = len(set(stored) - set(acknowledged))
    backend = shared_store_url.split(":", 1)[0]
    print(
        f"\n[{backend}] {writers} writers x {commands} commands on {hot} hot issues: "
        f"{len(acknowledged)} acknowledged, {len(stored)} stored, {races} races lost and "
        f"retried, {gave_up} gave up after {CoGov.max_attempts}; lost={lost} "
        f"duplicates={duplicates} phantom={phantom} non-contiguous={gaps}; writers busy "
        f"{busy:.1f}s ({len(acknowledged) / busy:.0f} commands/s), {elapsed:.1f}s with start-up"
    )
    assert (lost, duplicates, phantom, gaps) == (0, 0, 0, 0)
    assert len(stored) == len(acknowledged) == writers * commands - gave_up
    assert sorted(stored) == sorted(acknowledged)
    assert all(isinstance(UUID(i), UUID) for i, _ in stored)

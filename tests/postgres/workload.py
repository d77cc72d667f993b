"""Work done by the processes the concurrency tests start (importable under ``spawn``).

A small world: a county with one village; ``K`` issues collected there; writers re-triage
them (``triage_issue`` applies from TRIAGED too), each command with a category naming the
writer and the command (``w3-41``) so every recorded fact is traceable to exactly one call.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError

from cogov import Actor, Channel, CoGov, ConcurrencyError, Role, Scale, UnitLevel
from cogov.domain.policybook import WHOLE_DEPLOYMENT
from cogov.views.runner import ViewMode

ADMIN = Actor(id="admin", role=Role.ADMINISTRATOR, unit_id=WHOLE_DEPLOYMENT)


def open_app(url: str | None, *, views: ViewMode = "off") -> CoGov:
    """The application as a production writer runs it: views left to projection workers,
    and (these tests being about the store, not grants) in trusted-caller mode."""
    return CoGov(url, enforce_grants=False, views=views)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class World:
    village: UUID
    issues: list[UUID]

    def cadre(self) -> Actor:
        return Actor(id="sec-1", role=Role.COMMITTEE_MEMBER, unit_id=self.village)


def build_world(url: str, issues: int) -> World:
    app = open_app(url)
    try:
        county = app.establish_unit(ADMIN, name="黄梅县", level=UnitLevel.COUNTY)
        town = app.establish_unit(ADMIN, name="某镇", level=UnitLevel.TOWNSHIP, parent_id=county)
        village = app.establish_unit(ADMIN, name="渡河村", level=UnitLevel.VILLAGE, parent_id=town)
        grid = Actor(id="gw-1", role=Role.GRID_WORKER, unit_id=village)
        ids = [
            app.collect_issue(
                grid,
                unit_id=village,
                channel=Channel.GRID_WORKER,
                raised_by=uuid4(),
                title=f"事项{n}",
                description="路灯不亮",
            )
            for n in range(issues)
        ]
        return World(village=village, issues=ids)
    finally:
        app.close()


@dataclass
class WriterReport:
    writer: int
    recorded: list[tuple[str, str]] = field(default_factory=list)  # (issue id, category)
    gave_up: int = 0
    races_lost: int = 0  # saves refused because another writer got there first
    seconds: float = 0.0


def run_writer(url: str, world: World, writer: int, commands: int, seed: int) -> WriterReport:
    """One writer process: ``commands`` re-triages on random hot issues."""
    rng = random.Random(seed)
    report = WriterReport(writer=writer)
    app = open_app(url)
    real_save = app.store.save

    def counting_save(*aggregates: Any, **kwargs: Any) -> Any:
        try:
            return real_save(*aggregates, **kwargs)
        except IntegrityError:
            report.races_lost += 1
            raise

    app.store.save = counting_save  # type: ignore[method-assign]
    cadre = world.cadre()
    started = time.perf_counter()
    try:
        for n in range(commands):
            issue_id = rng.choice(world.issues)
            category = f"w{writer}-{n}"
            try:
                app.triage_issue(cadre, issue_id, scale=Scale.MINOR, category=category)
            except ConcurrencyError:
                report.gave_up += 1
                continue
            report.recorded.append((str(issue_id), category))
    finally:
        report.seconds = time.perf_counter() - started
        app.close()
    return report


def run_keyed_writer(url: str, world: World, writer: int, commands: int) -> list[str]:
    """Every command sent twice with the same key, racing another process sending the same."""
    app = open_app(url)
    cadre = world.cadre()
    results = []
    try:
        for n in range(commands):
            issue_id = world.issues[n % len(world.issues)]
            for _ in range(2):
                app.triage_issue(
                    cadre,
                    issue_id,
                    scale=Scale.MINOR,
                    category=f"k-{n}",
                    idempotency_key=f"request-{n}",  # type: ignore[call-arg]
                )
            results.append(f"k-{n}")
    finally:
        app.close()
    return results


def open_store(url: str) -> int:
    """Start-up only: open the store (creating schema and tables) and report the position."""
    app = open_app(url)
    try:
        return app.max_position()
    finally:
        app.close()

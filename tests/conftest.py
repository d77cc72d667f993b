"""Shared fixtures: a clock, a district to work in, and stores on every backend.

PostgreSQL tests need a server: set ``COGOV_TEST_POSTGRES_URL`` (CI sets it to
``postgresql://postgres@127.0.0.1:5432/test``). Each test gets its own schema, dropped after.
Without the variable the PostgreSQL cases skip — unless ``COGOV_REQUIRE_POSTGRES=1`` (CI),
which turns a missing server into a failure, and fails the run if no PostgreSQL test passed
(or one was skipped or deselected away). With ``COGOV_POSTGRES_REPORT=path`` the session
writes how many PostgreSQL tests passed, failed and skipped there, for ``.ci/run`` to check.

Every test using ``postgres_url`` (directly or through ``store_url``/``shared_store_url``)
carries the ``postgres`` marker.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cogov import ManualClock

POSTGRES_URL = os.environ.get("COGOV_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("COGOV_REQUIRE_POSTGRES") == "1"
SKIP_REASON = (
    "PostgreSQL tests skipped: set COGOV_TEST_POSTGRES_URL=postgresql://user@host:5432/db "
    "to run them against a server"
)

BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_available() -> bool:
    if not POSTGRES_URL:
        return False
    import psycopg

    try:
        with psycopg.connect(
            POSTGRES_URL.replace("postgresql+psycopg", "postgresql"), connect_timeout=3
        ):
            return True
    except psycopg.OperationalError:
        return False


_PG_OK: bool | None = None


def require_postgres() -> str:
    global _PG_OK
    if _PG_OK is None:
        _PG_OK = postgres_available()
    if not _PG_OK:
        if REQUIRE_POSTGRES:
            pytest.fail(f"COGOV_REQUIRE_POSTGRES=1 but no server at {POSTGRES_URL!r}")
        pytest.skip(SKIP_REASON)
    return POSTGRES_URL


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL with a fresh schema of its own, dropped after the test."""
    base = require_postgres()
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield f"{base}?schema={schema}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store several processes can share: a SQLite file, PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cogov.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cogov.db'}"


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """The same test on every backend: in memory, a SQLite file, PostgreSQL."""
    if request.param == "memory":
        return None
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cogov.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def clock() -> ManualClock:
    # Monday 2 March 2026, 09:00 Beijing time
    return ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))


# -- proof that the PostgreSQL tests ran ----------------------------------------------------
_PG_OUTCOMES: dict[str, int] = {"passed": 0, "failed": 0, "skipped": 0}
_PG_TESTS: set[str] = set()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "postgres_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
        if item.get_closest_marker("postgres") is not None:
            _PG_TESTS.add(item.nodeid)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.nodeid not in _PG_TESTS:
        return
    if report.when == "call" or report.outcome != "passed":
        if report.when == "teardown" and report.outcome == "skipped":
            return
        _PG_OUTCOMES[report.outcome] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = os.environ.get("COGOV_POSTGRES_REPORT")
    if path:
        Path(path).write_text(json.dumps(_PG_OUTCOMES), encoding="utf-8")
    if REQUIRE_POSTGRES and (_PG_OUTCOMES["passed"] == 0 or _PG_OUTCOMES["skipped"]):
        print(f"\nCOGOV_REQUIRE_POSTGRES=1 but PostgreSQL tests: {_PG_OUTCOMES}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

"""One demo store for the command-line tests (built once per session through ``cogov demo``).

The generated month's size comes from ``COGOV_DEMO_ISSUES`` (small by default)."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from typer.testing import CliRunner

from cogov.cli import app as cli

ISSUES = os.environ.get("COGOV_DEMO_ISSUES", "60")


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def as_json(result: Any) -> Any:
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("cli")
    db = f"sqlite:///{root / 'demo.db'}"
    report = root / "report.html"
    result = run(
        "demo",
        "--db",
        db,
        "--fresh",
        "--issues",
        ISSUES,
        "--seed",
        "3",
        "--report",
        str(report),
        "--json",
    )
    assert result.exit_code == 0, result.output
    return {"db": db, "root": root, "report": report, "summary": as_json(result)}

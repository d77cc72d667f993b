"""The report renders in a real browser: headless Chromium loads the file offline and every
chart's SVG is in the DOM with shapes in it.

Chromium comes from ``scripts/ensure-chromium`` (``make test`` runs it). Without a chromium
binary the test skips with a clear message — except in CI (``CI=true``), where it fails."""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from cogov.report.html import CHARTS

BROWSERS = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHAPES = {"rect", "circle", "polyline", "line", "text"}


def chromium() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but no chromium on PATH: run scripts/ensure-chromium first")
    pytest.skip(
        "no chromium on PATH: the report's browser test is skipped (run scripts/ensure-chromium "
        "to install it; in CI it is required)"
    )


@pytest.fixture(scope="session")
def browser() -> str:
    """Checked before the demo store is built, so a skip costs nothing."""
    return chromium()


class ChartCounter(HTMLParser):
    """Counts the shapes inside each <svg data-chart=…> of a DOM dump."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: dict[str, int] = {}
        self.current: str | None = None
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "svg" and attributes.get("data-chart"):
            self.current = attributes["data-chart"]
            self.charts[self.current or ""] = 0
        elif self.current is not None and tag in SHAPES:
            self.charts[self.current] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.current = None


def browse(browser: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    return subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_chart_renders_in_headless_chromium(
    browser: str, demo: dict[str, Any], tmp_path: Path
) -> None:
    report: Path = demo["report"]
    dom = browse(browser, tmp_path, "--dump-dom", report.resolve().as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    counter = ChartCounter()
    counter.feed(dom.stdout)
    assert set(counter.charts) == set(CHARTS)
    empty = [name for name, shapes in counter.charts.items() if shapes < 5]
    assert empty == []
    assert counter.scripts == 0
    assert "五共" in dom.stdout


def test_the_report_screenshot_is_drawn(browser: str, demo: dict[str, Any], tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    result = browse(
        browser,
        tmp_path,
        "--window-size=1280,2000",
        f"--screenshot={shot}",
        demo["report"].resolve().as_uri(),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # a page of charts, not a blank one

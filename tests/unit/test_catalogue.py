"""docs/events.md is the generated event catalogue, kept in step with the code."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_event_catalogue_in_the_docs_matches_the_code() -> None:
    generated = subprocess.run(
        [sys.executable, "-m", "cogov.catalogue"], capture_output=True, text=True, check=True
    ).stdout
    assert "### `cogov:Issue.Collected` (v1)" in generated
    committed = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    assert committed == generated, "regenerate: python -m cogov.catalogue > docs/events.md"

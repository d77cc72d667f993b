"""docs/views.md's Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "views.md"


def test_the_python_examples_in_the_views_doc_run(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 2
    namespace: dict[str, object] = {"__name__": "__views_doc__"}
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"docs/views.md block {number}", "exec"), namespace)
    worker = namespace["project_forever"]
    assert callable(worker)
    worker(f"sqlite:///{tmp_path / 'views.db'}")  # an empty store: nothing to apply

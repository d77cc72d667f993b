"""The README's and the tour's Python blocks run, in order, as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def python_blocks(path: Path) -> list[str]:
    return BLOCK.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("doc", ["README.md", "docs/tour.md"])
def test_the_python_examples_in_the_docs_run(doc: str, tmp_path: Path) -> None:
    path = ROOT / doc
    if not path.exists():
        pytest.fail(f"{doc} is missing")
    blocks = python_blocks(path)
    assert blocks, f"{doc} has no python examples"
    namespace: dict[str, object] = {"__name__": "__docs__"}
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        for number, block in enumerate(blocks, 1):
            code = compile(block, f"{doc} block {number}", "exec")
            exec(code, namespace)  # running our own documentation
    finally:
        os.chdir(cwd)

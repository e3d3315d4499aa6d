"""The sources and the store import nothing above them: they fetch and keep batches, and never select."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DIGEST = Path(__file__).parent.parent.parent / "digest"
ABOVE = {
    "store": ("digest.sources", "digest.selection", "digest.ops", "digest.outputs", "digest.recipe", "digest.cli"),
    "sources": ("digest.selection", "digest.ops", "digest.outputs", "digest.recipe", "digest.cli"),
}


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return names | {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}


@pytest.mark.parametrize("package", sorted(ABOVE))
def test_a_package_imports_nothing_above_it(package: str) -> None:
    upward = {
        f"{path.name} imports {name}"
        for path in sorted((DIGEST / package).glob("*.py"))
        for name in imported(path)
        if name.startswith(ABOVE[package])
    }
    assert upward == set()

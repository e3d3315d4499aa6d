"""The package's shape, as the design promises it: each intent travels in one value, so no function of
`digest` takes more than six parameters."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "digest"
MOST_PARAMETERS = 6


def parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """The named parameters a caller fills (not `self` or `cls`, not *args or **kwargs)."""
    arguments = function.args
    named = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    return [argument.arg for argument in named if argument.arg not in ("self", "cls")]


def test_no_function_takes_more_than_six_parameters() -> None:
    crowded = [
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name} ({len(parameters(node))})"
        for path in sorted(PACKAGE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and len(parameters(node)) > MOST_PARAMETERS
    ]
    assert crowded == []

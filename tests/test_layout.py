"""The package's shape, as the design promises it: imports point one way, down the stages, the stages a date
passes through in turn are siblings that never import each other, and each intent travels in one value, so
no function of `digest` takes more than six parameters."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "digest"
MOST_PARAMETERS = 6
LAYERS = (("core",), ("store",), ("sources", "selection", "llm", "outputs"), ("ops", "edges"), ("recipe",), ("cli",))
"""docs/design.md, "Stages": a stage may import itself and the layers before its own, never a sibling."""
STAGES = tuple(stage for layer in LAYERS for stage in layer)
LAYER_OF = {stage: number for number, layer in enumerate(LAYERS) for stage in layer}


def stage_of(path: Path) -> str:
    """`digest/store/papers.py` is in `store`, `digest/recipe.py` is `recipe`."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


def imported_stages(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name.split(".")[1] for name in names if name.startswith("digest.")}


def test_every_module_belongs_to_a_stage() -> None:
    strays = {stage_of(path) for path in PACKAGE.rglob("*.py")} - {*STAGES, "__init__", "__main__"}
    assert strays == set()


def imports_between(layers_apart: Callable[[int, int], bool]) -> list[str]:
    """Each import of another stage whose layer and the importer's (in that order) are so placed."""
    return [
        f"{path.relative_to(PACKAGE.parent)} imports digest.{stage}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if stage_of(path) in STAGES
        for stage in imported_stages(path)
        if stage in STAGES and stage != stage_of(path) and layers_apart(LAYER_OF[stage], LAYER_OF[stage_of(path)])
    ]


def test_no_import_points_back_up_the_stages() -> None:
    assert imports_between(lambda imported, importer: imported > importer) == []


def test_no_stage_imports_a_sibling() -> None:
    assert imports_between(lambda imported, importer: imported == importer) == []


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

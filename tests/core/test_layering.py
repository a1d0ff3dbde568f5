"""The design's one-way arrows: the core and storage never import platform code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "bot": ("slack_sdk", "slack_bolt", "handlers", "microsoft_agents"),
    "storage": ("slack_sdk", "slack_bolt", "handlers", "bot", "microsoft_agents"),
}
# The CLI is the composition root: it may start a platform, lazily, inside a command.
COMPOSITION_ROOT = {ROOT / "bot" / "cli.py"}


def _top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:  # top level only: lazy imports inside functions are allowed
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _all_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_core_never_imports_platform_code(package: str) -> None:
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts and package == "storage":
            continue
        imports = _top_level_imports(path) if path in COMPOSITION_ROOT else _all_imports(path)
        if path in COMPOSITION_ROOT:
            imports = {name for name in imports if not name.startswith("handlers")}
        for name in imports:
            if name.split(".")[0] in FORBIDDEN[package]:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []

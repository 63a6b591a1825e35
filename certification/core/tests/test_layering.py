"""The apps are layered: each imports only the apps listed above it in README.md's layout.

An import the other way round is how a codebase grows circles that nobody can take apart; this
test reads every module of the apps (tests and migrations aside) and names each such import.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
# Lowest first: an app may import the apps before it, never those after it.
LAYERS = [
    "core",
    "accounts",
    "organisations",
    "training",
    "applications",
    "billing",
    "certificates",
    "directory",
    "demo",
    "bench",
]


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {
        name.split(".")[1]
        for name in names
        if name.startswith("certification.") and name.split(".")[1] in LAYERS
    }


def _modules(app: str) -> list[Path]:
    return [
        path
        for path in (PACKAGE / app).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_the_apps_below_it(app: str) -> None:
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    upward = {
        f"{path.relative_to(PACKAGE)} imports {', '.join(sorted(imported - allowed))}"
        for path in _modules(app)
        if (imported := _imported_apps(path)) - allowed
    }
    assert not upward, sorted(upward)


def test_every_app_has_its_place_in_the_layers() -> None:
    apps = {
        path.name
        for path in PACKAGE.iterdir()
        if (path / "apps.py").exists() or path.name == "bench"
    }
    assert apps == set(LAYERS)

"""Every third-party package that src/ imports is declared in pyproject.toml (issue #19: `pip install .`
alone must work), and every module of kechuang imports."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import pkgutil
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "kechuang"
# Imported only inside `try: … except ImportError`, for an optional feature that works without them.
OPTIONAL = {
    "pgserver": "backup finds the pg_dump bundled with the test server when PATH has none",
    "sentence_transformers": "the optional `st` embedding backend a bureau may install for a larger model",
}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_normal(re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}


def _imported_top_levels() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top != "kechuang" and top not in sys.stdlib_module_names and top != "__future__":
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_declared() -> None:
    distributions = importlib.metadata.packages_distributions()
    declared = _declared()
    missing = {}
    for top, files in _imported_top_levels().items():
        if top in OPTIONAL:
            continue
        dists = {_normal(d) for d in distributions.get(top, [])}
        if not dists & declared:
            missing[top] = (sorted(dists) or ["(not installed)"], sorted(files)[:3])
    assert not missing, f"imported by src/ but not declared in pyproject.toml: {missing}"


def test_every_module_of_kechuang_imports() -> None:
    import django

    django.setup()
    failures = {}
    for module in pkgutil.walk_packages([str(SRC)], prefix="kechuang."):
        if ".migrations." in module.name:
            continue
        try:
            importlib.import_module(module.name)
        except Exception as exc:  # report every module that fails, not the first
            failures[module.name] = repr(exc)
    assert not failures, failures

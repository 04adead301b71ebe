"""The apps form layers (docs/architecture.md): an app imports only apps below it, so no
two apps import each other, directly or round a circle, and homestart, the foundation,
imports no other app.

Read from the source with ``ast`` (nothing is imported): every ``import`` between apps is
checked where it stands.
- At module level (and in class bodies), and in ``AppConfig.ready`` (which runs once every
  app's models are loaded, and registers an app with the ones below it): only downwards.
- Inside any other function: downwards is pointless (it avoids no circle). Upwards only
  where a real circle remains — the app imported imports this one at module level,
  directly or through others — with a comment beside it naming the circle.
- Under ``if TYPE_CHECKING:``: for annotations only, never run, so any direction.
Migrations are history, not code that runs in a request, and are not checked.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]

# Bottom to top. Apps on one level are independent: neither imports the other.
LAYERS: list[tuple[str, ...]] = [
    ("homestart",),
    ("access_log",),
    ("families",),
    ("consent",),
    ("safeguarding",),
    ("outcomes",),
    ("records", "reporting"),
    ("portability", "reminders", "home"),
    ("demo",),
]
LEVEL = {app: level for level, apps_ in enumerate(LAYERS) for app in apps_}


@dataclass(frozen=True)
class Import:
    path: str
    line: int
    app: str  # the app importing
    target: str  # the app imported
    where: str  # "module", "function", "ready" or "typing"
    comment: str  # the comments on the import's lines and just above it

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.app} imports {self.target} ({self.where})"


def _target(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return [node.module.split(".")[0]] if node.level == 0 and node.module else []
    return [alias.name.split(".")[0] for alias in node.names]


def _comment(lines: list[str], node: ast.stmt) -> str:
    """The comments on the import's own lines and in the block of comment lines just above it."""
    parts = [line for line in lines[node.lineno - 1 : node.end_lineno] if "#" in line]
    n = node.lineno - 2
    while n >= 0 and lines[n].strip().startswith("#"):
        parts.append(lines[n])
        n -= 1
    return " ".join(part.split("#", 1)[1].strip() for part in parts)


def _is_type_checking(test: ast.expr) -> bool:
    return "TYPE_CHECKING" in ast.unparse(test)


def imports_between_apps(root: Path, apps_: list[str]) -> list[Import]:
    """Every import from one app of ``apps_`` into another, with where it stands."""
    found: list[Import] = []
    for app in apps_:
        for path in sorted((root / app).rglob("*.py")):
            rel = path.relative_to(root)
            if "migrations" in rel.parts:
                continue
            source = path.read_text()
            lines = source.splitlines()

            def visit(node: ast.AST, where: str, *, app: str = app, rel: Path = rel, lines: list[str] = lines) -> None:
                if isinstance(node, ast.Import | ast.ImportFrom):
                    for target in _target(node):
                        if target in apps_ and target != app:
                            found.append(Import(str(rel), node.lineno, app, target, where, _comment(lines, node)))
                    return
                if isinstance(node, ast.If) and _is_type_checking(node.test):
                    for child in node.body:
                        visit(child, "typing")
                    for child in node.orelse:
                        visit(child, where)
                    return
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    inner = "ready" if rel.name == "apps.py" and node.name == "ready" else "function"
                    for child in ast.iter_child_nodes(node):
                        visit(child, inner if where == "module" else where)
                    return
                for child in ast.iter_child_nodes(node):
                    visit(child, where)

            visit(ast.parse(source, filename=str(rel)), "module")
    return found


def _reaches(edges: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        app = todo.pop()
        if app == goal:
            return True
        if app not in seen:
            seen.add(app)
            todo.extend(edges.get(app, ()))
    return False


def layering_violations(root: Path, layers: list[tuple[str, ...]]) -> list[str]:
    level = {app: n for n, apps_ in enumerate(layers) for app in apps_}
    found = imports_between_apps(root, list(level))
    # Which app imports which at module level (run on import): the circles a local import may avoid.
    edges: dict[str, set[str]] = {}
    for imp in found:
        if imp.where == "module":
            edges.setdefault(imp.app, set()).add(imp.target)
    problems = []
    for imp in found:
        downwards = level[imp.target] < level[imp.app]
        if imp.where in ("module", "ready") and not downwards:
            problems.append(f"{imp}: an app imports only apps below it")
        elif imp.where == "function" and downwards:
            problems.append(f"{imp}: {imp.target} is below {imp.app}; import it at the top of the module")
        elif imp.where == "function" and not _reaches(edges, imp.target, imp.app):
            problems.append(f"{imp}: avoids no circle ({imp.target} does not import {imp.app}); rethink the layers")
        elif imp.where == "function" and not re.search(r"\bcircle\b", imp.comment):
            problems.append(f"{imp}: an import inside a function needs a comment naming the circle it avoids")
    return problems


def project_apps() -> list[str]:
    """The project's own apps in INSTALLED_APPS (those with a folder in this repository)."""
    return [app for app in settings.INSTALLED_APPS if "." not in app and (REPO / app / "apps.py").exists()]


def test_every_app_of_the_project_has_a_layer():
    assert sorted(project_apps()) == sorted(LEVEL)


def test_apps_import_only_the_layers_below_them():
    assert layering_violations(REPO, LAYERS) == []


def test_homestart_imports_no_other_app():
    """The foundation: settings, people, keys and the request id, imported by every app."""
    assert [str(i) for i in imports_between_apps(REPO, list(LEVEL)) if i.app == "homestart"] == []


def test_every_app_is_in_the_architecture_page():
    page = (REPO / "docs" / "architecture.md").read_text()
    missing = [app for app in project_apps() if f"`{app}/`" not in page]
    assert missing == [], f"docs/architecture.md does not describe {missing}"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


SMALL = [("base",), ("middle",), ("top",)]


@pytest.mark.parametrize(
    "source",
    [
        "from top.models import Thing\n",
        "import top.services\n",
        "class A:\n    from top import services\n",
        "try:\n    from top import services\nexcept ImportError:\n    pass\n",
    ],
)
def test_a_new_upward_import_fails(tmp_path, source):
    root = _tree(tmp_path, {"base/__init__.py": "", "middle/views.py": source, "top/services.py": ""})
    (problem,) = layering_violations(root, SMALL)
    assert problem.startswith("middle/views.py:")
    assert problem.endswith("middle imports top (module): an app imports only apps below it")


def test_siblings_may_not_import_each_other(tmp_path):
    layers = [("base",), ("left", "right")]
    root = _tree(tmp_path, {"left/a.py": "from right import b\n", "right/b.py": "from base import c\n"})
    assert layering_violations(root, layers) == [
        "left/a.py:1: left imports right (module): an app imports only apps below it"
    ]


def test_an_import_inside_a_function_needs_a_circle_to_avoid(tmp_path):
    root = _tree(
        tmp_path,
        {
            "middle/a.py": (
                "def pointless():\n"
                "    from base import x\n"
                "\n"
                "def silent():\n"
                "    from top import y\n"
                "\n"
                "def named():\n"
                "    # circle: top imports middle at module level, and this function\n"
                "    # needs top's answer\n"
                "    from top import z\n"
            ),
            "top/views.py": "from middle import a\n",
            "middle/apps.py": (
                "class C:\n    def ready(self):\n        from base import signals\n        from top import handlers\n"
            ),
            "middle/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from top.models import Thing\n",
        },
    )
    assert layering_violations(root, SMALL) == [
        "middle/a.py:2: middle imports base (function): base is below middle; import it at the top of the module",
        "middle/a.py:5: middle imports top (function): an import inside a function needs a comment naming "
        "the circle it avoids",
        "middle/apps.py:4: middle imports top (ready): an app imports only apps below it",
    ]


def test_an_import_inside_a_function_that_avoids_no_circle_fails(tmp_path):
    """``top`` does not import ``middle``: the local import only hides an upward dependency."""
    root = _tree(tmp_path, {"middle/a.py": "def f():\n    # circle: none really\n    from top import z\n"})
    assert layering_violations(root, SMALL) == [
        "middle/a.py:3: middle imports top (function): avoids no circle (top does not import middle); "
        "rethink the layers"
    ]


def test_the_checker_sees_the_real_imports():
    """It finds the imports that are there (a checker that finds nothing proves nothing)."""
    found = imports_between_apps(REPO, list(LEVEL))
    assert any(i.app == "families" and i.target == "access_log" and i.where == "module" for i in found)
    assert any(i.app == "demo" and i.target == "records" for i in found)

"""How the product keeps the Confidentiality Policy: one table, read by docs/policy-map.md and by the
"How this system keeps the policy" page.

* The clauses and their words are read from the policy the product ships
  (``homestart/policy/confidentiality-policy.txt``, July 2016), never retyped.
* ``ENFORCEMENT`` (homestart/policy_table.py) says, for every clause, in plain words how the product
  enforces it and which functions, classes and views do (dotted paths: homestart is the bottom layer
  and imports no app above it, so the paths are strings; tests/homestart/test_policy_map.py imports
  every one).
* The tests that prove a clause are found from their ``@pytest.mark.policy("x.y")`` markers, by
  reading the test files (``ast``), so no test has to run.

``manage.py policy_map --write`` writes docs/policy-map.md (``make policy-map``); ``--check`` fails
when it is stale.
"""

from __future__ import annotations

import ast
import functools
import importlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .policy_table import ENFORCEMENT, Enforcement

POLICY_FILE = Path(__file__).resolve().parent / "policy" / "confidentiality-policy.txt"
BASE_DIR = Path(__file__).resolve().parent.parent
MAP_FILE = BASE_DIR / "docs" / "policy-map.md"
TESTS_DIR = BASE_DIR / "tests"

# The policy text was taken from a PDF: page furniture (the footer, the footnote and its marker,
# the bullets' own lines) is not part of any clause.
_CLAUSE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.?\s+(.*)$")
_SECTION = re.compile(r"^\s*(\d{1,2})\s*$")
_FURNITURE = re.compile(r"^\s*(Confidentiality policy & procedures|July 2016|Disclosable offence:.*)\s*$")
_BULLET = "•"


@dataclass(frozen=True)
class Clause:
    number: str  # "8.3"
    section: int
    section_title: str
    words: str

    @property
    def key(self) -> tuple[int, int]:
        major, minor = self.number.split(".")
        return int(major), int(minor)

    @property
    def slug(self) -> str:
        """For ids and anchors: "8-3"."""
        return self.number.replace(".", "-")

    @property
    def short(self) -> str:
        """The words, cut at a word near 90 characters."""
        return shorten(self.words, 90)


@dataclass(frozen=True)
class TestRef:
    path: str  # tests/records/test_pages.py
    name: str  # test_…, or Class::test_…
    whole_module: bool = False  # marked by the module's ``pytestmark``

    @property
    def words(self) -> str:
        """The test's name as a sentence: test_a_volunteer_sees_x -> "a volunteer sees x"."""
        name = self.name.rsplit("::", 1)[-1]
        return name.removeprefix("test_").replace("_", " ")


@dataclass
class Row:
    clause: Clause
    enforcement: Enforcement | None
    tests: list[TestRef] = field(default_factory=list)

    @property
    def tests_by_file(self) -> dict[str, list[TestRef]]:
        grouped: dict[str, list[TestRef]] = defaultdict(list)
        for test in self.tests:
            grouped[test.path].append(test)
        return dict(grouped)


def shorten(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    cut = text[:width].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def parse_policy(text: str) -> list[Clause]:
    """The numbered clauses of the policy text, in order, with their section titles."""
    clauses: list[Clause] = []
    section, title, expect_title = 0, "", False
    number: str | None = None
    words: list[str] = []

    def finish() -> None:
        if number is not None:
            joined = " ".join(words)
            joined = re.sub(r"\s+", " ", joined).strip()
            clauses.append(Clause(number=number, section=section, section_title=title, words=joined))

    for raw in text.splitlines():
        line = raw.strip()
        if not line or _FURNITURE.match(line):
            continue
        if expect_title:
            title, expect_title = line, False
            continue
        if match := _SECTION.match(line):
            if int(match[1]) == section + 1:  # the next section's number (a footnote marker is not)
                finish()
                number, words = None, []
                section, expect_title = int(match[1]), True
            continue
        if section and (match := _CLAUSE.match(line)) and int(match[1]) == section:
            finish()
            number, words = f"{match[1]}.{match[2]}", [match[3]]
            continue
        if number is None:
            continue  # the policy statement, before the numbered procedures
        if line == _BULLET:
            words.append(_BULLET)
        else:
            words.append(line)
    finish()
    return clauses


@functools.cache
def clauses() -> list[Clause]:
    return parse_policy(POLICY_FILE.read_text(encoding="utf-8"))


def clause_numbers() -> set[str]:
    return {clause.number for clause in clauses()}


def _policy_mark(node: ast.expr) -> list[str] | None:
    """The clauses of ``pytest.mark.policy("x.y", …)``, or None for any other expression."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "policy"
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "mark"
    ):
        return [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    return None


def _marks(nodes: list[ast.expr]) -> list[str]:
    found: list[str] = []
    for node in nodes:
        items = node.elts if isinstance(node, ast.List | ast.Tuple) else [node]
        for item in items:
            found += _policy_mark(item) or []
    return found


def _tests_in(tree: ast.Module) -> list[tuple[str, list[str], list[str]]]:
    """(test name, clauses, the module's clauses) for every test function and method of a module,
    with the module's ``pytestmark`` and its class's markers added."""
    module_marks: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytestmark" for target in node.targets
        ):
            module_marks += _marks([node.value])
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            found.append((node.name, module_marks + _marks(node.decorator_list), module_marks))
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            class_marks = module_marks + _marks(node.decorator_list)
            for item in node.body:
                if isinstance(item, ast.Assign) and any(
                    isinstance(target, ast.Name) and target.id == "pytestmark" for target in item.targets
                ):
                    class_marks += _marks([item.value])
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name.startswith("test"):
                    found.append((f"{node.name}::{item.name}", class_marks + _marks(item.decorator_list), module_marks))
    return found


def collect_tests(root: Path = TESTS_DIR) -> dict[str, list[TestRef]]:
    """clause -> the tests marked with it, in file and line order."""
    by_clause: dict[str, list[TestRef]] = defaultdict(list)
    base = root.parent
    for path in sorted(root.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, marks, module_marks in _tests_in(tree):
            for clause in dict.fromkeys(marks):
                by_clause[clause].append(
                    TestRef(path=path.relative_to(base).as_posix(), name=name, whole_module=clause in module_marks)
                )
    return dict(by_clause)


def rows(tests: dict[str, list[TestRef]] | None = None) -> list[Row]:
    """Every clause of the policy, with its enforcement (None if the table has none) and its tests."""
    tests = collect_tests() if tests is None else tests
    return [Row(clause, ENFORCEMENT.get(clause.number), tests.get(clause.number, [])) for clause in clauses()]


@functools.cache
def rows_for_page() -> list[Row]:
    """The rows, read once per process (the page shows what was deployed)."""
    return rows()


# --- docs/policy-map.md ----------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def anchor(clause: Clause) -> str:
    return f"tests-{clause.slug}"


def render_markdown(table: list[Row]) -> str:
    lines = [
        "# Policy map: clause → how it is enforced → tests",
        "",
        "<!-- Generated by `make policy-map` (manage.py policy_map --write) from homestart/policy_table.py,",
        "     the policy text in homestart/policy/ and the tests' @pytest.mark.policy markers. Do not edit. -->",
        "",
        "The Confidentiality Policy (July 2016) is the specification. For every clause: its words",
        "(shortened), how the product enforces it, the code that does (dotted paths, each imported by",
        "tests/homestart/test_policy_map.py), and the tests marked with it. The same table is shown in the",
        'product, on "How this system keeps the policy", to scheme managers, trustees, HSUK reviewers and',
        "administrators. Browser tests (tests/e2e) run in their own pytest process (`make e2e`).",
        "",
        "| clause | the policy says | how | enforced by | proved by |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in table:
        how = row.enforcement.how if row.enforcement else "**not enforced**"
        by = ", ".join(f"`{path}`" for path in row.enforcement.by) if row.enforcement else ""
        count = len(row.tests)
        proved = f"[{count} test{'s' if count != 1 else ''}](#{anchor(row.clause)})" if count else "**no test**"
        lines.append(f"| §{row.clause.number} | {_cell(row.clause.short)} | {_cell(how)} | {by} | {proved} |")
    lines += ["", "## Tests, clause by clause", ""]
    for row in table:
        if not row.tests:
            continue
        lines += [f'<a id="{anchor(row.clause)}"></a>', f"### §{row.clause.number}", ""]
        for path, tests in row.tests_by_file.items():
            if all(test.whole_module for test in tests):
                lines.append(f"- `{path}`: every test ({len(tests)})")
            else:
                lines.append(f"- `{path}`: " + ", ".join(f"`{test.name}`" for test in tests))
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def resolve(path: str) -> object:
    """The object a dotted path names: the longest importable module, then attributes
    (``access_log.kinds.FamilyFiles.minimal_view``). Raises ImportError or AttributeError."""
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = ".".join(parts[:cut])
        try:
            obj = importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name and (module == error.name or module.startswith(error.name + ".")):
                continue  # no such module: try a shorter one
            raise  # the module exists but one of its own imports fails
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(f"no module in {path}")

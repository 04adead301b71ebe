"""Access rules are named once, in ``homestart/rules.py`` (STYLE.md, "Rules are named once").

A section, refusal reason, role, purpose, file kind, action or outcome typed as a string at
the call site is a rule written twice: a typo in it is a silent 404, or an access event
recorded under a name nobody searches for (§9.1, §10.1: the access log must say truthfully
who opened what, why). So a string literal equal to one of those members fails here when it
stands where the rule is used:

- a keyword argument or lookup named for the rule: ``section="consent"``, ``role__in=[...]``;
- a parameter default or an assignment to a name for it: ``section: str = "file"``,
  ``SECTION = "safeguarding"``, ``LINE_MANAGER = "line_manager"``;
- a comparison with something named for it: ``event.reason == "..."``, ``role in ("...",)``;
- a dict entry keyed by the rule's name, or a table named for it: ``{"role": "..."}``,
  ``ROLE_WORDS = {"coordinator": ...}``;
- a positional argument of a function defined in this project, in the position of a
  parameter named for the rule: ``Pending("record_of_access_unsigned", ...)``;
- and anywhere at all, a refusal reason: those strings mean nothing else.

Ordinary words are left alone: ``"consent"`` as a form field, ``"line_manager"`` as a
model field name in ``update_fields``, ``reason="moved_away"`` (a closing reason, not a
refusal) are not rule positions, or not members of the rule named there.
Templates are read too, for ``{% if access.role == "..." %}``-style comparisons.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from homestart import rules

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "node_modules", "frontend", "migrations", "static", ".git"}
RULES_MODULE = ROOT / "homestart" / "rules.py"
ENUMS = ("Role", "ActingRole", "FileKind", "Section", "Purpose", "Action", "Outcome", "Refusal")

# The rule each name stands for: the name of a keyword, parameter, variable or attribute,
# read by its last word ("requested_role" is a role, "CASE_STUDY_SECTION" a section).
RULE_VALUES: dict[str, frozenset[str]] = {
    "section": frozenset(rules.Section.values),
    "purpose": frozenset(rules.Purpose.values),
    "role": frozenset(rules.Role.values) | frozenset(rules.ActingRole.values),
    "reason": frozenset(rules.Refusal.values),
    "kind": frozenset(rules.FileKind.values),
    "action": frozenset(rules.Action.values),
    "outcome": frozenset(rules.Outcome.values),
}
PLURALS = {"sections": "section", "purposes": "purpose", "roles": "role", "reasons": "reason", "kinds": "kind"}
ALL_VALUES = frozenset().union(*RULE_VALUES.values())
REFUSALS = RULE_VALUES["reason"]


def rule_of(name: str | None) -> str | None:
    """The rule a name stands for, by its last word: ``file_kind`` → kind, ``role__in`` → role."""
    if not name:
        return None
    words = [w for w in name.split("__")[0].lower().split("_") if w]
    if not words:
        return None
    last = PLURALS.get(words[-1], words[-1])
    return last if last in RULE_VALUES else None


def rule_named_in(name: str | None) -> str | None:
    """The rule a table is named for, by any word: ``ROLE_WORDS`` → role."""
    words = (name or "").lower().split("_")
    return next((rule_of(w) for w in reversed(words) if rule_of(w)), None)


def name_of(node: ast.AST) -> str | None:
    """What an expression is named: ``event.role`` → role, ``row["role"]`` → role,
    ``data.get("role")`` → role."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return node.slice.value if isinstance(node.slice.value, str) else None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def strings_in(node: ast.AST | None) -> Iterator[ast.Constant]:
    """The string literals a value is made of: ``"a"``, ``("a", "b")``, ``frozenset({"a"})``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, ast.Tuple | ast.List | ast.Set):
        for element in node.elts:
            yield from strings_in(element)
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"frozenset", "set", "tuple", "list"}
        and len(node.args) == 1
    ):
        yield from strings_in(node.args[0])


def is_table_of(rule: str | None, node: ast.AST | None) -> bool:
    """A value is a rule's value, or a table of them: a list of people's names for the test
    matrix (``ROLES = ["coordinator", "spotcheck", *NOBODY]``) is not a table of roles."""
    if rule is None or node is None:
        return False
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value in RULE_VALUES[rule] for e in node.elts
        )
    return True


def parameters(trees: list[ast.Module]) -> dict[str, list[str | None]]:
    """Positional parameter names of every function and dataclass-like class defined in the
    project, by name; a position where two definitions disagree is None."""
    found: dict[str, list[list[str]]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [a.arg for a in [*node.args.posonlyargs, *node.args.args] if a.arg not in {"self", "cls"}]
            elif isinstance(node, ast.ClassDef):
                names = [
                    s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                ]
            else:
                continue
            found.setdefault(node.name, []).append(names)
    merged: dict[str, list[str | None]] = {}
    for name, lists in found.items():
        merged[name] = []
        for position in range(max(len(names) for names in lists)):
            at = {names[position] if position < len(names) else None for names in lists}
            merged[name].append(at.pop() if len(at) == 1 else None)
    return merged


def misuses(source: str, params: dict[str, list[str | None]] | None = None) -> list[tuple[int, str]]:
    """(line, what) for each string literal standing for a rule member in this Python source."""
    tree = ast.parse(source)
    params = params if params is not None else parameters([tree])
    found: set[tuple[int, str]] = set()

    def check(rule: str | None, node: ast.AST | None, where: str) -> None:
        if rule is None:
            return
        for const in strings_in(node):
            if const.value in RULE_VALUES[rule]:
                found.add((const.lineno, f'{where}: "{const.value}" is a {rule}; use its member in homestart.rules'))

    docstrings = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in REFUSALS and id(node) not in docstrings:
            found.add((node.lineno, f'"{node.value}" is a refusal reason; use rules.Refusal'))
        elif isinstance(node, ast.keyword):
            check(rule_of(node.arg), node.value, f"{node.arg}=")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            for arg, default in zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True):
                check(rule_of(arg.arg), default, f"default of {arg.arg}")
            for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
                check(rule_of(arg.arg), default, f"default of {arg.arg}")
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                name = name_of(target)
                if is_table_of(rule_of(name), node.value):
                    check(rule_of(name), node.value, f"{name} =")
                if isinstance(node.value, ast.Dict):
                    # A table keyed by the rule, or giving it for each key: not a table of pages
                    # that merely has one key spelled like a member.
                    rule = rule_named_in(name)
                    keys, values = ast.Tuple(elts=node.value.keys), ast.Tuple(elts=node.value.values)
                    if is_table_of(rule, keys):
                        check(rule, keys, f"key of {name}")
                    if is_table_of(rule, values):
                        check(rule, values, f"value in {name}")
                if (
                    name
                    and isinstance(node.value, ast.Constant)
                    and node.value.value in ALL_VALUES
                    and name.lower() == node.value.value
                ):
                    found.add((node.lineno, f'{name} = "{node.value.value}" names a rule member; import it instead'))
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            for left, right in zip(sides, sides[1:], strict=False):
                pairs = [(left, right)]
                if isinstance(left, ast.Tuple) and isinstance(right, ast.Tuple) and len(left.elts) == len(right.elts):
                    pairs += zip(left.elts, right.elts, strict=True)  # (event.role, event.reason) == (…, …)
                for one, other in pairs:
                    check(rule_of(name_of(one)), other, f"comparison with {name_of(one)}")
                    check(rule_of(name_of(other)), one, f"comparison with {name_of(other)}")
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    check(rule_of(key.value), value, f'"{key.value}":')
        if isinstance(node, ast.Call):
            callee = name_of(node.func) if not isinstance(node.func, ast.Subscript) else None
            for position, arg in enumerate(node.args):
                names = params.get(callee or "", [])
                if position < len(names):
                    check(rule_of(names[position]), arg, f"{callee}(…{names[position]}…)")
    return sorted(found)


TEMPLATE_COMPARISON = re.compile(r"""([\w.]+)\s*(?:==|!=)\s*["']([\w]+)["']|["']([\w]+)["']\s*(?:==|!=)\s*([\w.]+)""")


def template_misuses(text: str) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in TEMPLATE_COMPARISON.finditer(line):
            name, value = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
            rule = rule_of(name.rsplit(".", 1)[-1])
            if rule in {"section", "purpose", "role", "reason", "kind"} and value in RULE_VALUES[rule]:
                found.append((number, f'{name} == "{value}": pass the page a flag or the member instead'))
    return found


def project_files(suffix: str) -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob(f"*{suffix}")
        if not SKIP_DIRS & set(path.relative_to(ROOT).parts) and path != RULES_MODULE
    )


def test_no_rule_is_written_as_a_string() -> None:
    files = project_files(".py")
    trees = {path: ast.parse(path.read_text(), str(path)) for path in files}
    params = parameters(list(trees.values()))
    problems = [
        f"{path.relative_to(ROOT)}:{line}: {what}" for path in files for line, what in misuses(path.read_text(), params)
    ]
    problems += [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in project_files(".html")
        for line, what in template_misuses(path.read_text())
    ]
    assert not problems, "\n".join(problems)


def test_the_rule_names_are_imported_from_their_module_only() -> None:
    """No old home keeps them importable for someone to reach for: one place, one name."""
    wrong = []
    for path in project_files(".py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and any(a.name in ENUMS for a in node.names):
                module = "." * node.level + (node.module or "")
                home = "homestart.rules" if not node.level else (f"{path.parent.name}.{node.module}")
                if home != "homestart.rules":
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: from {module} import …")
    assert not wrong, "\n".join(wrong)


def test_homestart_rules_imports_no_app() -> None:
    """The bottom layer: every app may use the rules, and they use nothing of the project."""
    tree = ast.parse(RULES_MODULE.read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    assert all(m == "__future__" or m.split(".")[0] == "django" for m in imported), imported


# The checker itself: each rule position is caught, and ordinary words are not.
CAUGHT = {
    "keyword": 'gate.open_family(user=u, reference=r, section="consent")',
    "lookup": 'AccessEvent.objects.filter(role__in=["coordinator", "manager"])',
    "file kind keyword": 'RecordOfAccess.objects.filter(file_kind="family")',
    "purpose": 'record(purpose="supervision")',
    "role not in Role": 'record(role="line_manager")',
    "default": 'def open_file(*, section: str = "file"): ...',
    "constant": 'SECTION = "safeguarding"',
    "table of roles": 'STAFF_ROLES = ("coordinator", "manager")',
    "constant named for the value": 'LINE_MANAGER = "line_manager"',
    "comparison": 'if outcome.reason == "undertaking_unsigned": pass',
    "membership test": 'if access.role in ("coordinator", "manager"): pass',
    "reversed comparison": 'if "coordinator" == row["role"]: pass',
    "subscript comparison": 'ok = data.get("section") == "visits"',
    "tuple comparison": 'assert (event.role, event.purpose) == (Role.ADMIN, "administration")',
    "context dict": 'context = {"role": "trustee"}',
    "table named for the rule": 'ROLE_WORDS = {"coordinator": "Coordinator", "manager": "Scheme manager"}',
    "table giving the rule": 'SECTIONS = {"detail": "file", "history": "history"}',
    "section set in a grant": 'Grant(role, view, True, purpose, frozenset({"visits"}))\n'
    "class Grant:\n    role: str\n    view: str\n    may_change: bool\n    purpose: str\n    writable_sections: set",
    "positional reason": 'Pending("record_of_access_unsigned", role)',
    "refusal anywhere": 'reasons = ["file_destroyed"]',
}
PASSED = {
    "field names": 'membership.save(update_fields=["line_manager"])',
    "validation error key": 'raise ValidationError({"line_manager": "Nobody is their own line manager."})',
    "another enum's value": 'closure(reason="moved_away", kind="adult")',
    "a form field": 'if data.get("destination") == "same": pass',
    "a word in prose": 'message = "Open the consent section of the file"',
    "the member itself": "gate.open_family(user=u, reference=r, section=Section.CONSENT)",
    "a docstring naming a reason": 'def f():\n    """Refused with "no_such_file"."""',
    "an html attribute": 'Element("svg", role="img")',
    "people named for their roles": 'ROLES = ["coordinator", "spotcheck", *NOBODY]',
    "people's roles": 'RECORDED_ROLE = {"coordinator": Role.COORDINATOR, "spotcheck": Role.SPOT_CHECK_TRUSTEE}',
}


@pytest.mark.parametrize("source", CAUGHT.values(), ids=CAUGHT.keys())
def test_the_checker_catches_a_rule_written_as_a_string(source: str) -> None:
    assert misuses(textwrap.dedent(source)), source


@pytest.mark.parametrize("source", PASSED.values(), ids=PASSED.keys())
def test_the_checker_leaves_ordinary_words_alone(source: str) -> None:
    assert misuses(textwrap.dedent(source)) == [], source


def test_the_checker_reads_template_comparisons() -> None:
    assert template_misuses('{% if kind == "volunteer" %}Volunteer file{% endif %}')
    assert template_misuses('{% if access.role == "coordinator" %}x{% endif %}')
    assert not template_misuses('{% if concern.status == "open" %}x{% endif %}')
    assert not template_misuses('{% if event.kind == "reopened" %}x{% endif %}')

"""The policy map (docs/policy-map.md and the "How this system keeps the policy" page) is generated
from one table (homestart/policy_table.py), the policy text the product ships and the tests' policy
markers. It must be current, every path in it must name real code, and every clause must have both
enforcement and a test (§3.8: the trustees can see that the policy is kept)."""

from __future__ import annotations

import ast
import textwrap

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape

from homestart import policy_map
from homestart.policy_table import ENFORCEMENT

ALL_PATHS = sorted({path for enforcement in ENFORCEMENT.values() for path in enforcement.by})


def test_the_policy_map_file_is_current():
    expected = policy_map.render_markdown(policy_map.rows())
    assert policy_map.MAP_FILE.read_text(encoding="utf-8") == expected, (
        "docs/policy-map.md is stale: run 'make policy-map' and commit it"
    )


def test_the_check_command_fails_on_a_stale_file(tmp_path, monkeypatch):
    stale = tmp_path / "policy-map.md"
    stale.write_text("# an old map\n", encoding="utf-8")
    monkeypatch.setattr(policy_map, "MAP_FILE", stale)
    with pytest.raises(CommandError, match="not current"):
        call_command("policy_map", "--check")
    call_command("policy_map", "--write")
    call_command("policy_map", "--check")


@pytest.mark.parametrize("path", ALL_PATHS)
def test_every_dotted_path_in_the_table_names_real_code(path):
    assert callable(policy_map.resolve(path)), f"{path} resolves to something that is not code"


def test_a_path_that_moved_does_not_resolve():
    with pytest.raises((ImportError, AttributeError)):
        policy_map.resolve("homestart.views.no_such_view")
    with pytest.raises((ImportError, AttributeError)):
        policy_map.resolve("homestart.no_such_module.thing")


def test_every_clause_has_enforcement_and_the_table_names_no_other_clause():
    numbers = [clause.number for clause in policy_map.clauses()]
    assert [n for n in numbers if n not in ENFORCEMENT] == []
    assert sorted(set(ENFORCEMENT) - set(numbers)) == []
    for number, enforcement in ENFORCEMENT.items():
        assert enforcement.how.strip() and enforcement.by, f"§{number} says nothing of how it is enforced"


def test_every_clause_has_a_test():
    untested = [row.clause.number for row in policy_map.rows() if not row.tests]
    assert untested == [], f"clauses no test is marked with: {untested}"


def test_the_clauses_are_read_from_the_policy_text_without_page_furniture():
    clauses = {clause.number: clause for clause in policy_map.clauses()}
    assert len(clauses) == 49
    assert list(clauses)[:2] == ["1.1", "1.2"] and list(clauses)[-1] == "10.3"
    assert clauses["1.2"].words.endswith("• With the referrer • With other agencies currently involved with the family")
    assert clauses["3.8"].words.startswith("Trustees ensure that the confidentiality of families")
    assert clauses["5.3"].section_title == "Volunteers"
    for clause in clauses.values():
        for furniture in ("July 2016", "Confidentiality policy & procedures", "Disclosable offence", "PROCEDURES"):
            assert furniture not in clause.words, clause.number


def test_markers_are_collected_from_functions_classes_and_modules(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_sample.py").write_text(
        textwrap.dedent(
            """
            import pytest
            pytestmark = [pytest.mark.django_db, pytest.mark.policy("8.2")]

            @pytest.mark.policy("5.3", "5.4")
            def test_one():
                pass

            def test_two():
                pass

            @pytest.mark.policy("4.3")
            class TestThree:
                @pytest.mark.policy("3.8")
                def test_four(self):
                    pass

            def helper():
                pass
            """
        )
    )
    found = policy_map.collect_tests(tests)
    names = {clause: [t.name for t in refs] for clause, refs in found.items()}
    assert names == {
        "8.2": ["test_one", "test_two", "TestThree::test_four"],
        "5.3": ["test_one"],
        "5.4": ["test_one"],
        "4.3": ["TestThree::test_four"],
        "3.8": ["TestThree::test_four"],
    }
    assert all(ref.whole_module for ref in found["8.2"]) and not found["5.3"][0].whole_module
    assert found["5.3"][0].path == "tests/test_sample.py"
    assert found["5.3"][0].words == "one"


def test_the_table_rows_stay_short():
    text = policy_map.render_markdown(policy_map.rows())
    rows = [line for line in text.splitlines() if line.startswith("| §")]
    assert len(rows) == 49
    assert max(len(row) for row in rows) < 700


def test_the_table_module_imports_no_app_above_homestart():
    tree = ast.parse(policy_map.Path(policy_map.__file__).with_name("policy_table.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert imported <= {"__future__", "dataclasses"}


def _file_rows() -> list[tuple[str, str, str]]:
    """(clause, how, proved by) of each row of docs/policy-map.md, as written in the file."""
    found = []
    for line in policy_map.MAP_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("| §"):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            found.append((cells[0].removeprefix("§"), cells[2].replace("\\|", "|"), cells[4]))
    return found


@pytest.mark.policy("3.8")
@pytest.mark.parametrize("who", ["trustee", "manager", "reviewer", "admin_user"])
def test_the_policy_page_shows_what_the_policy_map_file_says(request, client_for, who):
    page = client_for(request.getfixturevalue(who)).get(reverse("policy_map")).content.decode()
    assert "How this system keeps the policy" in page
    clauses = {clause.number: clause for clause in policy_map.clauses()}
    file_rows = _file_rows()
    assert [number for number, _how, _proved in file_rows] == list(clauses)
    for number, how, proved in file_rows:
        assert f"Clause {number}</h3>" in page
        assert escape(clauses[number].words) in page  # the clause in full, from the policy text
        assert escape(how) in page
        count = proved.split("]", 1)[0].removeprefix("[")  # "12 tests"
        assert f"{count}</span>" in page, f"§{number}: the file says {count}"
    assert "Not enforced" not in page and "No test" not in page


@pytest.mark.policy("3.8")
@pytest.mark.parametrize("who", ["coordinator", "volunteer", "safeguarding_lead", "auditor", "outsider"])
def test_others_do_not_see_the_policy_page(request, client_for, who):
    assert client_for(request.getfixturevalue(who)).get(reverse("policy_map")).status_code == 404

"""Small-number suppression on crafted tables (§3.2, §8.9)."""

from __future__ import annotations

import itertools
import random

import pytest

from reporting.suppression import HIDDEN_LABEL, is_safe, suppress

pytestmark = pytest.mark.policy("3.2")


def hidden(result) -> set[tuple[int, int]]:
    return {(r, c) for r, row in enumerate(result.rows) for c, cell in enumerate(row) if cell.hidden}


def test_counts_of_one_to_four_are_shown_as_fewer_than_five():
    result = suppress([[1], [4], [5], [0]], row_totals=False, col_totals=False)
    assert [str(row[0]) for row in result.rows] == [HIDDEN_LABEL, HIDDEN_LABEL, "5", "0"]


def test_without_totals_nothing_else_is_hidden():
    result = suppress([[3, 10], [10, 10]], row_totals=False, col_totals=False)
    assert hidden(result) == {(0, 0)}


def test_a_single_hidden_cell_forces_a_second_in_its_row_and_its_column():
    table = [
        [3, 10, 20],
        [12, 11, 30],
        [15, 40, 50],
    ]
    result = suppress(table)
    cells = hidden(result)
    assert (0, 0) in cells
    # The row and column of the small cell each hide another entry.
    assert len([c for r, c in cells if r == 0]) >= 2
    assert len([r for r, c in cells if c == 0]) >= 2
    # The smallest cells are chosen: 10 in the row, 12 in the column, and 11 closes the rectangle.
    assert {(0, 1), (1, 0), (1, 1)} <= cells
    assert is_safe(result)
    # Totals are all shown: the pattern hides four cells in a rectangle.
    assert not any(result.rows[r][c].hidden for r, c in itertools.product(range(4), range(4)) if r == 3 or c == 3)


def test_a_total_reveals_nothing_when_it_is_the_only_other_entry():
    # One column: the total minus the shown cell would give the hidden one.
    result = suppress([[2], [9]], row_totals=False, col_totals=True)
    assert hidden(result) == {(0, 0), (1, 0)}
    assert is_safe(result)


def test_a_small_total_is_itself_hidden():
    result = suppress([[1, 0, 2]], row_totals=True, col_totals=False)
    assert result.rows[0][3].hidden and result.rows[0][3].primary
    assert is_safe(result)


def test_zero_is_shown_and_not_chosen_while_a_non_zero_cell_can_be():
    result = suppress([[2, 0, 8]], row_totals=True, col_totals=False)
    assert hidden(result) == {(0, 0), (0, 2)}


def test_two_small_cells_in_a_row_protect_each_other_unless_a_column_exposes_them():
    result = suppress([[2, 3, 20], [10, 10, 10]], row_totals=True, col_totals=False)
    assert hidden(result) == {(0, 0), (0, 1)}


def test_no_shown_count_is_small_and_no_line_hides_exactly_one_on_random_tables():
    rng = random.Random(6)
    for _ in range(300):
        rows, cols = rng.randint(1, 5), rng.randint(1, 5)
        table = [[rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15, 30]) for _ in range(cols)] for _ in range(rows)]
        for row_totals, col_totals in itertools.product([True, False], repeat=2):
            result = suppress(table, row_totals=row_totals, col_totals=col_totals)
            assert is_safe(result), (table, row_totals, col_totals)


def test_body_leaves_out_the_totals():
    result = suppress([[10, 20], [30, 40]])
    assert [[c.value for c in row] for row in result.body()] == [[10, 20], [30, 40]]
    assert result.rows[2][2].value == 100


def test_months_and_quarters_are_suppressed_together():
    from reporting.suppression import suppress_by_period

    # Quarter 1 = months 0-2, quarter 2 = months 3-5; month 4 is small.
    months = [[10], [12], [9], [20], [3], [15]]
    month_cells, quarter_cells, total = suppress_by_period(months, [[0, 1, 2], [3, 4, 5]])
    assert str(month_cells[4][0]) == "fewer than 5"
    hidden_in_q2 = [i for i in (3, 4, 5) if month_cells[i][0].hidden] + (["q"] if quarter_cells[1][0].hidden else [])
    assert len(hidden_in_q2) >= 2  # quarter 2 minus its shown months does not give month 4
    # Nor does the total minus the shown quarters give a hidden quarter.
    hidden_quarters = [q for q in quarter_cells if q[0].hidden] + ([total] if total[0].hidden else [])
    assert len(hidden_quarters) != 1
    assert total[0].value == 69


def test_period_suppression_is_safe_on_random_data():
    from reporting.suppression import suppress_by_period

    rng = random.Random(7)
    groups = [[0, 1, 2], [3, 4, 5], [6, 7]]
    for _ in range(300):
        months = [[rng.choice([0, 1, 3, 5, 8, 20]), rng.choice([0, 2, 6, 9])] for _ in range(8)]
        month_cells, quarter_cells, total = suppress_by_period(months, groups)
        for c in range(2):
            for g, group in enumerate(groups):
                line = [month_cells[i][c] for i in group] + [quarter_cells[g][c]]
                assert sum(cell.hidden for cell in line) != 1
            assert sum(cell.hidden for cell in [q[c] for q in quarter_cells] + [total[c]]) != 1
            assert sum(cell.hidden for cell in [m[c] for m in month_cells] + [total[c]]) != 1
            shown = [m[c] for m in month_cells] + [q[c] for q in quarter_cells] + [total[c]]
            assert not any(not cell.hidden and 0 < cell.value < 5 for cell in shown)

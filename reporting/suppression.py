"""Small-number suppression for tables shown to trustees and funders (§3.2, §8.9).

A count from 1 to 4 could point to a family, so it is shown as "fewer than 5"
(primary suppression). A published total would then give a hidden count away
when it is the only hidden entry of its row or column (total minus the others),
so a second entry of that line is hidden too (secondary suppression), repeated
until every row and column (totals included) hides none or at least two entries.

Zero is shown: it names nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

THRESHOLD = 5
HIDDEN_LABEL = gettext_lazy("fewer than 5")
SECONDARY_LABEL = gettext_lazy("hidden")


@dataclass(frozen=True)
class Cell:
    value: int
    hidden: bool = False
    primary: bool = False

    def __str__(self) -> str:
        if not self.hidden:
            return str(self.value)
        return str(HIDDEN_LABEL if self.primary else SECONDARY_LABEL)


@dataclass
class SuppressedTable:
    """Cells with their row totals (last column) and column totals (last row) when asked for."""

    rows: list[list[Cell]]
    row_totals: bool
    col_totals: bool

    def body(self) -> list[list[Cell]]:
        rows = self.rows[:-1] if self.col_totals else self.rows
        return [r[:-1] if self.row_totals else r for r in rows]


def _is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


Position = tuple[int, int]


def _suppress_grid(
    grid: list[list[int]], lines: list[list[Position]], totals: set[Position], threshold: int
) -> tuple[list[list[bool]], list[list[bool]]]:
    """Primary suppression of small counts, then secondary suppression until no additive
    line (its parts and its total) hides exactly one entry. Returns (hidden, primary)."""
    hidden = [[_is_small(v, threshold) for v in row] for row in grid]
    primary = [list(row) for row in hidden]

    def pick(line: list[Position]) -> Position:
        """The entry to hide as well: prefer a part that also sits in another line with a
        single hidden entry, then the smallest non-zero part, then zeros, then a total."""
        candidates = [(r, c) for r, c in line if not hidden[r][c]]

        def exposed_elsewhere(pos: Position) -> bool:
            return any(sum(hidden[r][c] for r, c in ln) == 1 for ln in lines if pos in ln and ln is not line)

        def rank(pos: Position) -> tuple:
            value = grid[pos[0]][pos[1]]
            return (pos in totals, not exposed_elsewhere(pos), value == 0, value, pos)

        return min(candidates, key=rank)

    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(hidden[r][c] for r, c in line) == 1:
                r, c = pick(line)
                hidden[r][c] = True
                changed = True
    return hidden, primary


def suppress_by_period(
    months: list[list[int]], groups: list[list[int]], *, threshold: int = THRESHOLD
) -> tuple[list[list[Cell]], list[list[Cell]], list[Cell]]:
    """Suppress monthly counts, their quarterly subtotals and the total together, so that
    neither view (by month or by quarter) nor their difference reveals a hidden count.

    ``groups``: the month indexes making up each quarter. Returns the month rows, the
    quarter rows and the total row.
    """
    width = len(months[0]) if months else 0
    quarter_rows = [[sum(months[i][c] for i in group) for c in range(width)] for group in groups]
    total_row = [sum(row[c] for row in months) for c in range(width)]
    grid = [*map(list, months), *quarter_rows, total_row]
    q0, t = len(months), len(months) + len(groups)
    lines: list[list[Position]] = []
    for c in range(width):
        lines += [[*((i, c) for i in group), (q0 + g, c)] for g, group in enumerate(groups)]
        lines.append([*((q0 + g, c) for g in range(len(groups))), (t, c)])
        lines.append([*((i, c) for i in range(len(months))), (t, c)])
    totals = {(r, c) for r in range(q0, t + 1) for c in range(width)}
    hidden, primary = _suppress_grid(grid, lines, totals, threshold)
    cells = [[Cell(grid[r][c], hidden[r][c], primary[r][c]) for c in range(width)] for r in range(len(grid))]
    return cells[:q0], cells[q0:t], cells[t]


def suppress(
    table: list[list[int]], *, row_totals: bool = True, col_totals: bool = True, threshold: int = THRESHOLD
) -> SuppressedTable:
    """Suppress a table of counts, adding its totals; returns every cell, totals included.

    ``row_totals``: each row gets a total (last column); ``col_totals``: each
    column gets a total (last row); with both, a grand total in the corner.
    """
    nrows = len(table)
    grid = [list(row) for row in table]
    if row_totals:
        for row in grid:
            row.append(sum(row))
    if col_totals:
        grid.append([sum(grid[r][c] for r in range(nrows)) for c in range(len(grid[0]) if grid else 0)])
    height, width = len(grid), len(grid[0]) if grid else 0
    # The additive lines: each body row with its total, each body column with its total,
    # and the totals row and column themselves (the grand total is their sum).
    lines: list[list[tuple[int, int]]] = []
    if row_totals:
        lines += [[(r, c) for c in range(width)] for r in range(height)]
    if col_totals:
        lines += [[(r, c) for r in range(height)] for c in range(width)]
    totals = {
        (r, c)
        for r in range(height)
        for c in range(width)
        if (row_totals and c == width - 1) or (col_totals and r == height - 1)
    }
    hidden, primary = _suppress_grid(grid, lines, totals, threshold)
    rows = [[Cell(grid[r][c], hidden[r][c], primary[r][c]) for c in range(width)] for r in range(height)]
    return SuppressedTable(rows=rows, row_totals=row_totals, col_totals=col_totals)


def is_safe(result: SuppressedTable, threshold: int = THRESHOLD) -> bool:
    """No shown count is small, and no line with a total hides exactly one entry."""
    rows = result.rows
    if any(not cell.hidden and _is_small(cell.value, threshold) for row in rows for cell in row):
        return False
    lines = []
    if result.row_totals:
        lines += rows
    if result.col_totals:
        lines += [list(col) for col in zip(*rows, strict=True)]
    return all(sum(cell.hidden for cell in line) != 1 for line in lines)

"""Read the action-plan grid (shared/seeds/000_…txt) from a workbook into a ``Plan``.

The grid, on one sheet or one sheet per axis::

    AXE 1 : ORGANISATION SYNDICALE                      <- axis title row
    NOS ORIENTATIONS | (merged) | NOS ACTIONS (merged)  <- upper header, skipped
    BUTS | OBJECTIFS | ACTIONS | 2018-2019 | … | REMARQUES
    1. Assurer …     | 1.1 Actualiser … | a. …; b. … | Réalisé | …
    (empty/merged)   | 1.2 Maintenir …  | <p>a. …</p><p>b. …</p> | a. Réalisé; b. En cours

* the goal is written on the first row of its group (or merged down): an empty
  goal cell continues the current goal of the axis, across pages too (the seed
  repeats AXE 1's title and header on a second page);
* several lettered actions share one cell, split on their letters ``a.``/``b)``,
  or else on ``;``, line breaks, ``<p>`` and ``<li>``; markup is removed;
* a year cell holds one status for every action of its row, or one per letter
  (``a. Réalisé; b. En cours``); an action with no entry there has no status;
* a remark cell is for the whole row, or per letter the same way.

Every item keeps its ``CellRef``. Structural problems the model cannot hold (a
status for a letter the row does not have, actions without an objective) come
back as ``plan-numerotation`` findings; the plan's checks are ``rules.plan``.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import AVERTISSEMENT, PLAN_NUMEROTATION, Finding
from ..text import clean_text, fold
from .model import Action, Axis, CellRef, Goal, Objective, Plan, YearStatus, normalise_status, parse_year


_AXIS = re.compile(r"^AXE\s*(\d+)\s*[:.\-–—]?\s*(.*)$", re.IGNORECASE)
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\s*[.)]?\s+(.*)$", re.DOTALL)
_UPPER_HEADER = {"nos orientations", "nos actions"}
_BLOCK_TAGS = re.compile(r"<\s*br\s*/?\s*>|<\s*/?\s*(?:p|li|ul|ol|div)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_MARKER = re.compile(r"(?:^|(?<=[\s;,]))([a-z])\s*[.)]\s*", re.IGNORECASE)


# ---------------------------------------------------------------- cell text

def strip_markup(value: Any) -> list[str]:
    """A cell's text as cleaned lines: HTML block tags become line breaks, other tags
    and entities are removed. Empty → []."""
    if value is None:
        return []
    s = _BLOCK_TAGS.sub("\n", str(value))
    s = html.unescape(_ANY_TAG.sub(" ", s))
    return [line for line in (clean_text(part) for part in re.split(r"[\r\n]+", s)) if line]


def _trim(text: str) -> str:
    text = text.strip().rstrip(";, ").strip()
    if text.endswith(".") and not text.endswith(("etc.", "..")):
        text = text[:-1].rstrip()
    return text


def _lettered(text: str, consecutive: bool) -> list[tuple[str, str]] | None:
    """``"a. x; b. y"`` → ``[("a", "x"), ("b", "y")]`` when the text starts with a
    letter marker; None otherwise. Later markers count only when their letter
    follows (``consecutive``: the next letter; else any later letter), so that
    ``etc.)`` or a stray ``c.`` inside a sentence does not split it."""
    markers = []
    for m in _MARKER.finditer(text):
        letter = m[1].lower()
        if not markers:
            if m.start() != 0:
                return None
            markers.append((letter, m))
            continue
        last = markers[-1][0]
        if (letter == chr(ord(last) + 1)) if consecutive else (letter > last):
            markers.append((letter, m))
    if not markers:
        return None
    out = []
    for i, (letter, m) in enumerate(markers):
        end = markers[i + 1][1].start() if i + 1 < len(markers) else len(text)
        out.append((letter, clean_text(text[m.end():end]) or ""))
    return out


def split_actions(value: Any, first_letter: str = "a") -> list[tuple[str, str]]:
    """The lettered actions of an ACTIONS cell: ``[(letter, text), …]``, markup removed.
    Without letters, each ``;``/line/``<p>``/``<li>`` part is an action, lettered
    from ``first_letter``."""
    lines = strip_markup(value)
    if not lines:
        return []
    text = "\n".join(lines)
    found = _lettered(text, consecutive=True)
    if found is None:
        parts = [p for p in re.split(r"[;\n]", text) if clean_text(p)]
        found = [(chr(ord(first_letter) + i), clean_text(p) or "") for i, p in enumerate(parts)]
    return [(letter, _trim(t)) for letter, t in found if _trim(t)]


def split_per_letter(value: Any) -> tuple[str | None, dict[str, str | None] | None]:
    """A status or remark cell: ``(text for the whole row, None)`` or, when it is
    written per letter (``a. Réalisé; b. En cours``), ``(None, {letter: text})``."""
    lines = strip_markup(value)
    if not lines:
        return None, None
    text = "\n".join(lines)
    found = _lettered(text, consecutive=False)
    if found is None:
        return clean_text(text.replace("\n", " ")), None
    return None, {letter: (t.strip().rstrip(";, ").strip() or None) for letter, t in found}


def split_number(value: Any) -> tuple[str, str]:
    """``"1.2 Maintenir …"`` → ``("1.2", "Maintenir …")``; ``"1. Assurer"`` → ``("1", "Assurer")``."""
    text = clean_text(" ".join(strip_markup(value))) or ""
    m = _NUMBERED.match(text)
    if not m:
        return "", text
    return m[1], m[2].strip()


# ---------------------------------------------------------------- the grid

@dataclass
class _Columns:
    goal: int
    objective: int
    actions: int
    years: dict[int, str]            # column -> "2018-2019"
    remarks: int | None
    headers: dict[int, str]          # column -> header as written


def _header(values: dict[int, Any]) -> _Columns | None:
    """The BUTS / OBJECTIFS / ACTIONS header row's columns, or None."""
    found: dict[str, int] = {}
    years: dict[int, str] = {}
    remarks = None
    headers: dict[int, str] = {}
    for col, v in values.items():
        text = clean_text(v)
        if not text:
            continue
        headers[col] = text
        key = fold(text)
        if key in ("buts", "but"):
            found.setdefault("goal", col)
        elif key in ("objectifs", "objectif"):
            found.setdefault("objective", col)
        elif key in ("actions", "action"):
            found.setdefault("actions", col)
        elif parse_year(text):
            years[col] = text
        elif key.startswith("remarque") and remarks is None:
            remarks = col
    if len(found) < 3:
        return None
    return _Columns(found["goal"], found["objective"], found["actions"], years, remarks, headers)


@dataclass
class _State:
    plan: Plan
    rel: str
    sheet: str = ""
    findings: list[Finding] = field(default_factory=list)
    pending_axis: tuple[str, str, CellRef] | None = None
    axis: Axis | None = None
    goal: Goal | None = None
    objective: Objective | None = None

    def cell(self, row: int, col: int, cols: _Columns) -> CellRef:
        return CellRef(self.rel, self.sheet, row, col, cols.headers.get(col))

    def warn(self, cell: CellRef, message: str) -> None:
        self.findings.append(Finding(None, PLAN_NUMEROTATION, AVERTISSEMENT, cell.file, cell.sheet,
                                     cell.row, cell.column, message, column_index=cell.column_index))

    def enter_axis(self, number: str, title: str, cell: CellRef) -> None:
        """An AXE title row: continue that axis if the plan has it (a new page), else
        remember it until its first goal (a table of contents lists every axis)."""
        existing = next((a for a in self.plan.axes if a.number == number), None)
        if existing is not None:
            self.pending_axis = None
            self.axis = existing
            self.goal = existing.goals[-1] if existing.goals else None
            self.objective = self.goal.objectives[-1] if self.goal and self.goal.objectives else None
        else:
            self.pending_axis = (number, title, cell)
            self.axis = self.goal = self.objective = None

    def current_axis(self, number_hint: str, cell: CellRef) -> Axis:
        if self.axis is None:
            number, title, axis_cell = self.pending_axis or (number_hint.split(".")[0], "", cell)
            self.axis = Axis(number, title, axis_cell)
            self.plan.axes.append(self.axis)
            self.pending_axis = None
        return self.axis


# A plan sheet as the reader gives it: its name, its non-empty cells by Excel row
# then column (1-based), and its merged ranges (min_col, min_row, max_col, max_row).
Grid = tuple[str, dict[int, dict[int, Any]], list[tuple[int, int, int, int]]]

# at most this many cells of a merged range are spread (a range over whole columns
# of a plan sheet would otherwise fill millions of cells)
_MAX_MERGED_CELLS = 200_000


def _merged_into(merges: list[tuple[int, int, int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """For every cell inside a merged range (but its first), the first cell of the range."""
    merged_into: dict[tuple[int, int], tuple[int, int]] = {}
    for min_col, min_row, max_col, max_row in merges:
        if (max_row - min_row + 1) * (max_col - min_col + 1) + len(merged_into) > _MAX_MERGED_CELLS:
            continue
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                if (r, c) != (min_row, min_col):
                    merged_into[(r, c)] = (min_row, min_col)
    return merged_into


def _read_sheet(grid: Grid, st: _State) -> None:
    st.sheet, rows, merges = grid
    merged_into = _merged_into(merges)
    cols: _Columns | None = None

    def spread(r: int, c: int) -> tuple[Any, int, int]:
        """Value of a status or remark cell; a merged range gives its first cell's."""
        if (r, c) in merged_into:
            r0, c0 = merged_into[(r, c)]
            return rows.get(r0, {}).get(c0), r0, c0
        return rows.get(r, {}).get(c), r, c

    last_row = max([*rows, *(r for r, _ in merged_into)], default=0)
    for r in range(1, last_row + 1):
        values = rows.get(r, {})
        if not values and cols is None:
            continue
        texts = [clean_text(v) for _c, v in sorted(values.items())]
        first = texts[0] if texts else None
        m = _AXIS.match(first) if first else None
        if m:
            col = min(values)
            cell = CellRef(st.rel, st.sheet, r, col, None)
            st.enter_axis(m[1], clean_text(m[2]) or "", cell)
            continue
        header = _header(values)
        if header is not None:
            cols = header
            for y in header.years.values():
                if y not in st.plan.years:
                    st.plan.years.append(y)
            continue
        if cols is None or not values:
            continue
        if {fold(t) for t in texts if t} <= _UPPER_HEADER:
            continue
        _read_row(r, values, spread, cols, st)


def _read_row(r: int, values: dict[int, Any], spread, cols: _Columns, st: _State) -> None:
    goal_value = values.get(cols.goal)
    objective_value = values.get(cols.objective)
    actions_value = values.get(cols.actions)
    if goal_value is None and objective_value is None and actions_value is None:
        return
    if goal_value is not None:
        cell = st.cell(r, cols.goal, cols)
        number, text = split_number(goal_value)
        axis = st.current_axis(number, cell)
        st.goal = Goal(number, text, cell)
        axis.goals.append(st.goal)
        st.objective = None
    if objective_value is not None:
        cell = st.cell(r, cols.objective, cols)
        number, text = split_number(objective_value)
        axis = st.current_axis(number, cell)
        if st.goal is None:  # objectives before any goal of their axis: an unnamed goal
            st.goal = Goal("", "", st.cell(r, cols.goal, cols))
            axis.goals.append(st.goal)
        st.objective = Objective(number, text, cell)
        st.goal.objectives.append(st.objective)
    if actions_value is None:
        return
    cell = st.cell(r, cols.actions, cols)
    if st.objective is None:
        st.warn(cell, "Plan d'action : ces actions ne sont rattachées à aucun objectif "
                      "(colonne OBJECTIFS vide au-dessus) ; inscrivez le numéro et le texte de l'objectif.")
        return
    existing = st.objective.actions
    next_letter = chr(ord(existing[-1].letter) + 1) if existing else "a"
    new = [Action(letter, text, cell) for letter, text in split_actions(actions_value, next_letter)]
    existing.extend(new)
    _read_statuses(r, new, spread, cols, st)
    _read_remarks(r, new, spread, cols, st)


def _read_statuses(r: int, actions: list[Action], spread, cols: _Columns, st: _State) -> None:
    letters = {a.letter for a in actions}
    for col, year in cols.years.items():
        value, r0, c0 = spread(r, col)
        cell = st.cell(r0, c0, cols)
        whole, per_letter = split_per_letter(value)
        if per_letter is not None:
            stray = sorted(set(per_letter) - letters)
            if stray:
                st.warn(cell, f"Plan d'action, {year} : un statut est inscrit pour "
                              f"{_letters_fr(stray)}, mais cette ligne n'a que les actions "
                              f"{', '.join(sorted(letters))} ; corrigez la lettre.")
        for a in actions:
            raw = per_letter.get(a.letter) if per_letter is not None else whole
            a.statuses[year] = YearStatus(year, normalise_status(raw), raw, cell)


def _read_remarks(r: int, actions: list[Action], spread, cols: _Columns, st: _State) -> None:
    if cols.remarks is None:
        return
    value, r0, c0 = spread(r, cols.remarks)
    cell = st.cell(r0, c0, cols)
    whole, per_letter = split_per_letter(value)
    for a in actions:
        a.remark = per_letter.get(a.letter) if per_letter is not None else whole
        a.remark_cell = cell


def _letters_fr(letters: list[str]) -> str:
    return ("la lettre " if len(letters) == 1 else "les lettres ") + ", ".join(letters)


def read_plan_grids(rel: str, grids: list[Grid]) -> tuple[Plan, list[Finding]]:
    """The plan of the given sheets of one workbook (in workbook order), and the
    reading findings. ``grids`` come from the workbook reader (``read.workbook``):
    values are the cached results of formulas."""
    st = _State(Plan(files=[rel]), rel)
    for grid in grids:
        _read_sheet(grid, st)
    return st.plan, st.findings


def read_plan_workbook(path: Path, rel: str, sheet_names: list[str]) -> tuple[Plan, list[Finding]]:
    """``read_plan_grids`` of the named sheets of the workbook at ``path``."""
    from ..read.workbook import plan_grids

    return read_plan_grids(rel, plan_grids(Path(path), sheet_names))

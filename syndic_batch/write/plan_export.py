"""``OUT/plan-d-action.xlsx``: the action plan, one row per action, for the council
to sort and filter (header row, auto-filter, frozen panes).

Columns: Axe, But, Objectif, Lettre, Référence (``1.2 b``, as a form writes it),
Action, one status column per plan year, Remarque, then the hours granted
(adopted rows) whose *Référence au plan d'action* names this action, and those
naming its objective (with or without a letter: the objective's total,
repeated on each of its actions; do not add up that column over actions).
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..context import Context
from ..plan.model import action_label
from ..plan.progress import COLOURS, goal_label, plan_hours
from .atomic import atomic_write

SHEET = "Plan d'action"
HOURS_FORMAT = "#,##0.00"
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")


def _fill(hex_colour: str) -> PatternFill:
    """A light tint of a status colour, so that the black text stays readable."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    light = "".join(f"{int(c + (255 - c) * 0.75):02X}" for c in (r, g, b))
    return PatternFill("solid", fgColor=light)


def plan_table(ctx: Context) -> tuple[list[str], list[list]] | None:
    """Header and rows of the export (None without a plan)."""
    plan = ctx.data.plan
    if plan is None:
        return None
    hours = plan_hours(ctx, plan)
    header = ["Axe", "But", "Objectif", "Lettre", "Référence", "Action", *plan.years, "Remarque",
              "Heures accordées à l'action", "Heures accordées à l'objectif"]
    rows = []
    for axis, goal, obj, action in plan.actions():
        statuses = []
        for year in plan.years:
            ys = action.statuses.get(year)
            statuses.append(None if ys is None or ys.raw is None else (ys.status or ys.raw))
        rows.append([
            f"{axis.number} – {axis.title}".strip(" –"),
            goal_label(goal),
            f"{obj.number} {obj.text}".strip(),
            action.letter,
            action_label(obj, action),
            action.text,
            *statuses,
            action.remark,
            hours.by_action.get(id(action), 0.0),
            hours.by_objective.get(id(obj), 0.0),
        ])
    return header, rows


def write_plan_export(ctx: Context, out_path: Path) -> Path | None:
    """Write the export; None (nothing written) when the inbox has no plan."""
    table = plan_table(ctx)
    if table is None:
        return None
    header, rows = table
    n_years = len(ctx.data.plan.years)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = _WRAP
    fills = {status: _fill(colour) for status, colour in COLOURS.items()}
    first_year_col, hours_col = 7, 7 + n_years + 1
    for values in rows:
        ws.append(values)
        r = ws.max_row
        for c in range(1, len(header) + 1):
            cell = ws.cell(r, c)
            cell.alignment = _WRAP if c in (1, 2, 3, 6, hours_col - 1) else _TOP
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text of the plan, never a formula
        for c in range(first_year_col, first_year_col + n_years):
            fill = fills.get(ws.cell(r, c).value)
            if fill is not None:
                ws.cell(r, c).fill = fill
        for c in (hours_col, hours_col + 1):
            ws.cell(r, c).number_format = HOURS_FORMAT
    last = get_column_letter(len(header))
    ws.auto_filter.ref = f"A1:{last}{max(ws.max_row, 2)}"
    ws.freeze_panes = "A2"  # the header row stays in view (the text columns are too wide to freeze)
    widths = [24, 36, 44, 7, 10, 50, *([14] * n_years), 36, 14, 14]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    out_path = Path(out_path)
    with atomic_write(out_path) as tmp:
        wb.save(tmp)
    return out_path

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

from ..context import Context
from ..plan.model import action_label
from ..plan.progress import COLOURS, goal_label, plan_hours
from . import xlsx_write
from .atomic import atomic_write
from .xlsx_print import row_height
from .xlsx_write import PageSetup, Properties, Workbook, blank, col_name, number, string

SHEET = "Plan d'action"
HOURS_FORMAT = "#,##0.00"


def _tint(hex_colour: str) -> str:
    """A light tint of a status colour, so that the black text stays readable."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{int(c + (255 - c) * 0.75):02X}" for c in (r, g, b))


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
    """Write the export; None (nothing written) when the inbox has no plan.

    SpreadsheetML written row by row (``xlsx_write``). Every row gets an explicit height
    computed from its wrapped texts (LibreOffice does not fit rows written without one,
    and the lines would overlap when printed); letter, landscape, one page wide, header
    row on every page, « Page x de y »."""
    table = plan_table(ctx)
    if table is None:
        return None
    header, rows = table
    n_years = len(ctx.data.plan.years)
    widths = [24, 36, 44, 7, 10, 50, *([14] * n_years), 36, 14, 14]
    first_year_col, remark_col = 6, 6 + n_years
    hours_cols = (remark_col + 1, remark_col + 2)
    letters = [col_name(c) for c in range(len(header))]
    out_path = Path(out_path)
    with atomic_write(out_path) as tmp:
        wb = Workbook(tmp, Properties(title="Plan d'action", author="syndic-batch"))
        add = wb.styles.add
        head = add(bold=True, text_wrap=True, valign="top", bottom=1)
        wrap = add(text_wrap=True, valign="top")
        hours = add(valign="top", num_format=HOURS_FORMAT)
        status = {s: add(text_wrap=True, valign="top", bg_color=_tint(colour)) for s, colour in COLOURS.items()}
        ws = wb.sheet(SHEET, widths, freeze_rows=1, dimension=(max(len(rows), 1) + 1, len(header) - 1))
        # the header row stays in view (the text columns are too wide to freeze)
        ws.write(xlsx_write.row(1, "".join(string(f"{letters[c]}1", head, h) for c, h in enumerate(header)),
                                row_height(zip(header, widths))))
        for r, values in enumerate(rows, start=2):
            cells = []
            for c, v in enumerate(values):
                ref = f"{letters[c]}{r}"
                if c in hours_cols:
                    cells.append(number(ref, hours, float(v or 0.0)))
                elif v is None or v == "":
                    cells.append(blank(ref, wrap))
                else:   # the plan's text, never a formula
                    style = status.get(v, wrap) if first_year_col <= c < remark_col else wrap
                    cells.append(string(ref, style, str(v)))
            ws.write(xlsx_write.row(r, "".join(cells), row_height(
                (v, widths[c]) for c, v in enumerate(values) if isinstance(v, str) and c not in hours_cols)))
        ws.close(autofilter=(0, 0, max(len(rows), 1), len(header) - 1), page=PageSetup(
            landscape=True, header="&L&\"-,Bold\"" + "Plan d'action — état des actions et heures accordées",
            footer="&CPage &P de &N", repeat_row=0))
        wb.close()
    return out_path

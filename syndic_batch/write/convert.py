"""The annotated copy of a workbook that cannot be patched: a new ``.xlsx`` of its values.

``.xls``, ``.xlsb`` and ``.ods`` workbooks (and an ``.xlsx`` whose package cannot be
patched) are read with python-calamine and written anew with XlsxWriter: every sheet's
values at their Excel row and column (calamine's range starts at the first used cell:
its ``start`` is added back), dates with a date format, text always as text (never a
formula, a number or a link), hidden sheets hidden; then the same marks, comments and
*Constats* sheet as a patched copy. Formatting, formulas and the original's own comments
are not kept: the caller adds a ``contenu-non-conserve`` finding saying so.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..model import Finding
from .constats_sheet import (HEADERS, LINK_COLUMN, WIDTHS, WRAPPED, EMPTY, constats_rows,
                             constats_sheet_name)
from .marks import AUTHOR, LOOKS, comment_size, comment_text, ranked
from .xlsx_sheet import column_letters

_FORMATS = {dt.datetime: "yyyy-mm-dd hh:mm:ss", dt.date: "yyyy-mm-dd", dt.time: "hh:mm:ss",
            dt.timedelta: "[h]:mm:ss"}
_BAD_NAME = re.compile(r"[\[\]:*?/\\]")


def _sheet_names(names: list[str]) -> dict[str, str]:
    """Each original sheet name → a name Excel accepts (≤ 31 characters, no []:*?/\\),
    unique case-insensitively."""
    out, taken = {}, set()
    for name in names:
        base = _BAD_NAME.sub("_", name).strip("'")[:31] or "Feuille"
        new, n = base, 2
        while new.casefold() in taken or new.casefold() == "history":
            suffix = f" ({n})"
            new, n = base[:31 - len(suffix)] + suffix, n + 1
        taken.add(new.casefold())
        out[name] = new
    return out


def convert(src: Path, dst: Path, findings: list[Finding], extra: list[Finding]) -> None:
    """Write the converted, annotated copy of ``src`` to ``dst``; ``extra``: findings
    the copy adds (listed in its *Constats* sheet)."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    book = CalamineWorkbook.from_path(str(src))
    try:
        sheets = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        names = _sheet_names([m.name for m in sheets])
        wb = xlsxwriter.Workbook(str(dst), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False, "nan_inf_to_errors": True})
        formats: dict[tuple, object] = {}

        def fmt(num: str | None, severity: str | None):
            key = (num, severity)
            if key not in formats:
                props = {"num_format": num} if num else {}
                if severity:
                    look = LOOKS[severity]
                    style = {"thick": 5, "mediumDashed": 8, "dotted": 4}[look.frame]
                    props.update(bg_color="#" + look.fill, pattern=1, border=style,
                                 border_color="#" + look.edge)
                formats[key] = wb.add_format(props) if props else None
            return formats[key]

        marked: dict[int, str] = {}
        hidden = set()
        first_visible = None
        for meta in sheets:
            sheet = book.get_sheet_by_name(meta.name)
            ws = wb.add_worksheet(names[meta.name])
            if meta.visible != SheetVisibleEnum.Visible:
                hidden.add(meta.name)
            elif first_visible is None:
                first_visible = ws
            r0, c0 = sheet.start or (0, 0)
            rows = sheet.to_python() if sheet.start is not None else []
            merges = [((a[0] + 1, a[1] + 1), (b[0] + 1, b[1] + 1))
                      for a, b in (sheet.merged_cell_ranges or [])]
            cells: dict[tuple[int, int], list[Finding]] = {}
            for f in findings:
                if f.sheet != meta.name or not f.row:
                    continue
                row, col = f.row, f.column_index or c0 + 1
                for (ar, ac), (br, bc) in merges:
                    if ar <= row <= br and ac <= col <= bc:
                        row, col = ar, ac
                        break
                marked[id(f)] = f"{column_letters(col)}{row}"
                cells.setdefault((row, col), []).append(f)
            severity = {cell: ranked(group)[0].severity for cell, group in cells.items()}
            for i, values in enumerate(rows):
                r = r0 + i
                for j, v in enumerate(values):
                    c = c0 + j
                    sev = severity.pop((r + 1, c + 1), None)
                    _write(ws, r, c, v, fmt, sev)
            for (r, c), sev in severity.items():  # marks on cells with no value
                ws.write_blank(r - 1, c - 1, None, fmt(None, sev))
            for (r, c), group in cells.items():
                text = comment_text(group)
                width, height = comment_size(text)
                ws.write_comment(r - 1, c - 1, text, {"author": AUTHOR, "width": width, "height": height})
        all_names = [m.name for m in sheets]
        title = constats_sheet_name(list(names.values()))
        cs = wb.add_worksheet(title)
        _constats(wb, cs, constats_rows(findings + extra, marked, all_names, hidden), names)
        for meta in sheets:
            if meta.name in hidden:
                ws = wb.get_worksheet_by_name(names[meta.name])
                (first_visible or cs).activate()
                ws.hide()
        wb.close()
    finally:
        book.close()


def _write(ws, r: int, c: int, v, fmt, sev: str | None) -> None:
    if isinstance(v, str):
        if v:
            ws.write_string(r, c, v, fmt(None, sev))
        elif sev:
            ws.write_blank(r, c, None, fmt(None, sev))
    elif isinstance(v, bool):
        ws.write_boolean(r, c, v, fmt(None, sev))
    elif isinstance(v, (int, float)):
        ws.write_number(r, c, v, fmt(None, sev))
    elif isinstance(v, dt.timedelta):
        ws.write_number(r, c, v.total_seconds() / 86400, fmt(_FORMATS[dt.timedelta], sev))
    elif isinstance(v, (dt.datetime, dt.date, dt.time)):
        ws.write_datetime(r, c, v, fmt(_FORMATS[type(v)] if type(v) in _FORMATS else None, sev))
    elif v is not None:
        ws.write_string(r, c, str(v), fmt(None, sev))
    elif sev:
        ws.write_blank(r, c, None, fmt(None, sev))


def _constats(wb, ws, rows, names: dict[str, str]) -> None:
    header = wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#44546A", "pattern": 1})
    plain = wb.add_format({"valign": "top"})
    wrap = wb.add_format({"valign": "top", "text_wrap": True})
    link = wb.add_format({"valign": "top", "font_color": "#0563C1", "underline": 1})
    severity = {k: wb.add_format({"valign": "top", "bg_color": "#" + look.fill, "pattern": 1,
                                  "border": {"thick": 5, "mediumDashed": 8, "dotted": 4}[look.frame],
                                  "border_color": "#" + look.edge}) for k, look in LOOKS.items()}
    for i, (title, width) in enumerate(zip(HEADERS, WIDTHS)):
        ws.write_string(0, i, title, header)
        ws.set_column(i, i, width)
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    if not rows:
        ws.write_string(1, 0, EMPTY, wb.add_format({"italic": True}))
    for r, row in enumerate(rows, start=1):
        for i, value in enumerate(row.values, start=1):
            style = severity[row.finding.severity] if i == 1 else wrap if i in WRAPPED else plain
            if i == LINK_COLUMN and row.link:
                sheet, _, coord = row.link.rpartition("!")
                target = "'" + names.get(row.finding.sheet, row.finding.sheet).replace("'", "''") + "'!" + coord
                ws.write_url(r, i - 1, "internal:" + target, link, value)
            elif value:
                ws.write_string(r, i - 1, value, style)
            else:
                ws.write_blank(r, i - 1, None, style)
        ws.set_row(r, 15 * row.lines + 2)
    ws.autofilter(0, 0, max(len(rows), 1), len(HEADERS) - 1)

"""``OUT/constats.xlsx``: every finding of the run in one sheet, for the treasurer.

Columns: Gravité, Article, Règle, Matricule, Nom, Fichier, Feuille, Ligne,
Colonne, Message. The header row is frozen and filtered; the severity cell is
coloured like the annotated copies; the file name links to the flagged cell of
the annotated copy (``annotes/<fichier>``, a relative link: the findings workbook
and the ``annotes`` folder travel together); the message wraps, with an explicit
row height (LibreOffice does not fit rows written by XlsxWriter). Letter paper,
landscape, one page wide, header row on every page, « Page x de y ».

Written with XlsxWriter in constant-memory mode, row after row. Every text goes
through ``write_string``: what a member typed (a name, a sheet) is never a formula.

Incremental runs (issue 8): a digest of what the sheet shows (every finding's cells
and link, the title, the code) is stored in the workbook (``xlsx_reuse``); when the
previous run's ``constats.xlsx`` carries the same digest and is intact, it is copied
instead of written.
"""
from __future__ import annotations

import sys
from pathlib import Path

from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name

from ..model import AVERTISSEMENT, ERREUR, INFO, Finding, count_by_severity
from .atomic import atomic_write
from .xlsx_print import WORKBOOK_OPTIONS, print_setup, row_height
from .xlsx_reuse import Digest, reuse_previous, stamp

SHEET = "Constats"
COLUMNS = [  # (header, width)
    ("Gravité", 14), ("Article", 8), ("Règle", 20), ("Matricule", 10), ("Nom", 18), ("Fichier", 30),
    ("Feuille", 12), ("Ligne", 7), ("Colonne", 16), ("Message", 66),
]
WRAPPED = (2, 4, 5, 6, 8, 9)   # columns whose text wraps (Règle, Nom, Fichier, Feuille, Colonne, Message)
LABELS = {ERREUR: "Erreur", AVERTISSEMENT: "Avertissement", INFO: "Info"}
# The annotated copies' colours (write/annotate.py LOOKS): fill, text.
COLOURS = {ERREUR: ("#FFC7CE", "#9C0006"), AVERTISSEMENT: ("#FFE699", "#7F6000"), INFO: ("#BDD7EE", "#1F4E78")}
MAX_LINKS = 65_000             # Excel keeps at most 65,530 links per sheet
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def annotated_name(rel: str) -> str:
    """The annotated copy of ``rel`` under ``annotes/`` (a ``.xls``/``.ods`` source
    gets an ``.xlsx`` copy: ``formulaires/mars.ods`` → ``formulaires/mars.ods.xlsx``)."""
    return rel if rel.lower().endswith(EXCEL_SUFFIXES) else rel + ".xlsx"


def _quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def cell_link(f: Finding, annotated: set[str] | None = None) -> str | None:
    """``external:annotes/<rel>#'Feuille'!B12``: the flagged cell in the annotated copy
    (the row's first column when the finding names no column; the sheet when no row);
    None when the file has no annotated copy (``annotated``: the files that have one)."""
    if not f.file or (annotated is not None and f.file not in annotated):
        return None
    target = f"external:annotes/{annotated_name(f.file)}"
    if f.sheet:
        col = xl_col_to_name((f.column_index or 1) - 1)
        target += f"#{_quote_sheet(f.sheet)}!{col}{f.row or 1}"
    return target


def _cells(f: Finding) -> list:
    """The row of ``f``: Gravité … Message (None or "" where the cell is empty)."""
    return [LABELS[f.severity], f.article or "", f.rule, f.matricule or "", f.nom or "", f.file or "",
            f.sheet or "", f.row, f.column or "", f.message]


def _digest(findings: list[Finding], annotated: set[str] | None, title: str) -> str:
    """What the workbook shows: each finding's cells, severity and link target, in order."""
    d = Digest("constats.xlsx", sys.modules[__name__], sys.modules[print_setup.__module__])
    links = 0
    rows = []
    for f in findings:
        target = cell_link(f, annotated) if links < MAX_LINKS and f.file else None
        links += target is not None
        rows.append([f.severity, target, *_cells(f)])
    d.text(title, rows)
    return d.hexdigest()


def write_constats_xlsx(findings: list[Finding], out_path: Path, annotated: set[str] | None = None,
                        title: str = "Constats de syndic-batch", previous: Path | None = None) -> Path:
    """Write the findings workbook (findings in the order given: ``sort_findings``).
    ``previous``: the previous run's workbook, copied instead when it shows exactly the same."""
    out_path = Path(out_path)
    digest = _digest(findings, annotated, title)
    if previous is not None and reuse_previous(Path(previous), digest, out_path):
        return out_path
    with atomic_write(out_path) as tmp:
        wb = Workbook(str(tmp), {**WORKBOOK_OPTIONS, "constant_memory": True})
        wb.set_properties({"title": title, "author": "syndic-batch"})
        stamp(wb, digest)
        ws = wb.add_worksheet(SHEET)
        head = wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#44546A", "text_wrap": True,
                              "valign": "vcenter", "border": 1, "border_color": "#BFBFBF"})
        top = wb.add_format({"valign": "top"})
        wrap = wb.add_format({"valign": "top", "text_wrap": True})
        link = wb.add_format({"valign": "top", "text_wrap": True, "font_color": "#0563C1", "underline": 1})
        severity = {s: wb.add_format({"valign": "top", "bold": True, "bg_color": fill, "font_color": ink,
                                      "border": 1, "border_color": ink})
                    for s, (fill, ink) in COLOURS.items()}
        for c, (_h, width) in enumerate(COLUMNS):
            ws.set_column(c, c, width)
        ws.set_row(0, row_height([(h, w) for h, w in COLUMNS]))
        for c, (h, _w) in enumerate(COLUMNS):
            ws.write_string(0, c, h, head)
        write_string, write_blank, write_number, write_url = ws.write_string, ws.write_blank, ws.write_number, ws.write_url
        set_row = ws.set_row
        # per column from the second (Article) on: its format, and its width when it wraps
        plain = [(c, wrap if c in WRAPPED else top) for c in range(1, len(COLUMNS))]
        wrapped = [(c, COLUMNS[c][1]) for c in WRAPPED]
        tip = "Ouvrir la cellule dans la copie annotée"[:255]
        links = 0
        for r, f in enumerate(findings, start=1):
            values = _cells(f)
            set_row(r, row_height([(values[c], w) for c, w in wrapped]))
            write_string(r, 0, values[0], severity[f.severity])
            for c, style in plain:
                v = values[c]
                if v is None or v == "":
                    write_blank(r, c, None, top)   # an empty cell, not an empty text
                elif c == 7:
                    write_number(r, c, v, top)
                elif c == 5 and links < MAX_LINKS and (target := cell_link(f, annotated)):
                    write_url(r, c, target, link, string=v or f.file, tip=tip)
                    links += 1
                else:
                    write_string(r, c, v, style)
        last = max(len(findings), 1)
        ws.autofilter(0, 0, last, len(COLUMNS) - 1)
        ws.freeze_panes(1, 0)
        counts = count_by_severity(findings)
        note = (f"{counts[ERREUR]} erreur(s), {counts[AVERTISSEMENT]} avertissement(s), "
                f"{counts[INFO]} info(s)")
        print_setup(ws, title, repeat_header_row=0, header_note=note)
        if not findings:
            ws.write_string(1, 0, "Aucun constat.", top)
        wb.close()
    return out_path

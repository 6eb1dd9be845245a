"""``OUT/constats.xlsx``: every finding of the run in one sheet, for the treasurer.

Columns: Gravité, Article, Règle, Matricule, Nom, Fichier, Feuille, Ligne,
Colonne, Message. The header row is frozen and filtered; the severity cell is
coloured like the annotated copies; the file name links to the flagged cell of
the annotated copy (``annotes/<fichier>``, a relative link: the findings workbook
and the ``annotes`` folder travel together); the message wraps, with an explicit
row height (LibreOffice does not fit rows it did not measure). Letter paper,
landscape, one page wide, header row on every page, « Page x de y ».

Written row after row as SpreadsheetML (``xlsx_write``: the same package, cells and
formats XlsxWriter wrote, about ten times faster). Every text is an inline string:
what a member typed (a name, a sheet) is never a formula.

Incremental runs (issue 8): a digest of what the sheet shows (every finding's cells
and link, the title, the code) is stored in the workbook (``xlsx_reuse``); when the
previous run's ``constats.xlsx`` carries the same digest and is intact, it is copied
instead of written.
"""
from __future__ import annotations

import math
import sys
from operator import attrgetter
from pathlib import Path

import numpy as np

from ..model import AVERTISSEMENT, ERREUR, INFO, Finding, count_by_severity
from . import xlsx_write
from .atomic import atomic_write
from .xlsx_print import LINE_PT, MAX_ROW_PT, PAD_PT, lines_needed, row_height
from .xlsx_reuse import PROPERTY, Digest, reuse_previous
from .xlsx_write import Link, PageSetup, Properties, Workbook, col_name, link_fits, string, text_content

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
TIP = "Ouvrir la cellule dans la copie annotée"
# What the digest hashes of each finding: everything the sheet shows of it and its link.
_SHOWN = attrgetter("severity", "article", "rule", "matricule", "nom", "file", "sheet", "row", "column",
                    "column_index", "message")
_NUMBERS = (7, 9)              # row, column_index


def annotated_name(rel: str) -> str:
    """The annotated copy of ``rel`` under ``annotes/`` (a ``.xls``/``.ods`` source
    gets an ``.xlsx`` copy: ``formulaires/mars.ods`` → ``formulaires/mars.ods.xlsx``)."""
    return rel if rel.lower().endswith(EXCEL_SUFFIXES) else rel + ".xlsx"


def _quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _target(f: Finding, annotated: set[str] | None) -> tuple[str, str | None] | None:
    """(annotated copy, cell in it) of ``f``'s link, or None."""
    if not f.file or (annotated is not None and f.file not in annotated):
        return None
    location = None
    if f.sheet:
        location = f"{_quote_sheet(f.sheet)}!{col_name((f.column_index or 1) - 1)}{f.row or 1}"
    return "annotes/" + annotated_name(f.file), location


def cell_link(f: Finding, annotated: set[str] | None = None) -> str | None:
    """``external:annotes/<rel>#'Feuille'!B12``: the flagged cell in the annotated copy
    (the row's first column when the finding names no column; the sheet when no row);
    None when the file has no annotated copy (``annotated``: the files that have one)."""
    target = _target(f, annotated)
    if target is None:
        return None
    path, location = target
    return f"external:{path}" + (f"#{location}" if location else "")


def _cells(f: Finding) -> list:
    """The row of ``f``: Gravité … Message (None or "" where the cell is empty)."""
    return [LABELS[f.severity], f.article or "", f.rule, f.matricule or "", f.nom or "", f.file or "",
            f.sheet or "", f.row, f.column or "", f.message]


def _digest(findings: list[Finding], annotated: set[str] | None, title: str) -> str:
    """What the workbook shows: each finding's cells, severity and link (its file, sheet,
    row, column and whether the file has an annotated copy), in order; the title."""
    d = Digest("constats.xlsx", sys.modules[__name__], sys.modules[row_height.__module__], xlsx_write)
    files = {f.file for f in findings}
    d.text(title, len(findings), None if annotated is None else sorted(files & set(annotated)))
    # a column at a time (hashed vectorised): a missing text is shown as an empty cell, as ""
    for k, column in enumerate(zip(*map(_SHOWN, findings))):
        if k in _NUMBERS:
            d.values(np.array([-1 if v is None else v for v in column], dtype=np.int64))
        else:
            d.values([v or "" for v in column])
    return d.hexdigest()


def _height(memo: dict[int, str], lines: int) -> str:
    """The ``ht`` of a row of ``lines`` lines (``xlsx_print.row_height``, in whole pixels)."""
    memo[lines] = f"{xlsx_write.row_points(min(MAX_ROW_PT, math.ceil(lines * LINE_PT + PAD_PT))):.16g}"
    return memo[lines]


def write_constats_xlsx(findings: list[Finding], out_path: Path, annotated: set[str] | None = None,
                        title: str = "Constats de syndic-batch", previous: Path | None = None) -> Path:
    """Write the findings workbook (findings in the order given: ``sort_findings``).
    ``previous``: the previous run's workbook, copied instead when it shows exactly the same."""
    out_path = Path(out_path)
    digest = _digest(findings, annotated, title)
    if previous is not None and reuse_previous(Path(previous), digest, out_path):
        return out_path
    with atomic_write(out_path) as tmp:
        wb = Workbook(tmp, Properties(title=title, author="syndic-batch", custom={PROPERTY: digest}))
        _write(wb, findings, annotated, title)
        wb.close()
    return out_path


def _write(wb: Workbook, findings: list[Finding], annotated: set[str] | None, title: str) -> None:
    add = wb.styles.add
    head = add(bold=True, font_color="#FFFFFF", bg_color="#44546A", text_wrap=True, valign="vcenter",
               border=1, border_color="#BFBFBF")
    top = add(valign="top")
    wrap = add(valign="top", text_wrap=True)
    link = add(valign="top", text_wrap=True, font_color="#0563C1", underline=1)
    severity = {s: add(valign="top", bold=True, bg_color=fill, font_color=ink, border=1, border_color=ink)
                for s, (fill, ink) in COLOURS.items()}
    last = max(len(findings), 1)
    ws = wb.sheet(SHEET, [w for _h, w in COLUMNS], freeze_rows=1, dimension=(last + 1, len(COLUMNS) - 1))
    letters = [col_name(c) for c in range(len(COLUMNS))]
    ws.write(xlsx_write.row(1, "".join(string(f"{letters[c]}1", head, h) for c, (h, _w) in enumerate(COLUMNS)),
                            row_height([(h, w) for h, w in COLUMNS])))
    # Each column's cell after ``<c r="X12``, for the values seen (most repeat: rules,
    # files, sheets, columns, members), written once.
    # Each column's cell after ``<c r="X12`` (and the lines it wraps to), for each value
    # seen: most repeat (rules, files, sheets, columns, members) and are escaped once.
    memo: list[dict] = [{} for _c in COLUMNS]

    def cell(c: int, v, style: int | None = None) -> tuple[str, int]:
        if v is None or v == "":
            out = f'" s="{top}"/>', 1                    # an empty cell, not an empty text
        elif c == 7:
            out = f'" s="{top}"><v>{v:.16G}</v></c>', 1
        else:
            text = v if type(v) is str else str(v)
            width = COLUMNS[c][1]
            out = (f'" s="{style if style is not None else wrap if c in WRAPPED else top}" t="inlineStr"><is>'
                   f'{text_content(text)}</is></c>', lines_needed(text, width) if c in WRAPPED else 1)
        if style is None:
            memo[c][v] = out
        return out

    severities = {s: cell(0, LABELS[s], severity[s])[0] for s in COLOURS}
    heights: dict[int, str] = {}
    m1, m2, m3, m4, m5, m6, m7, m8 = memo[1:9]
    links: list[Link] = []
    block: list[str] = []
    r = 1
    for f in findings:
        r += 1
        article, rule, matricule, nom = f.article or "", f.rule, f.matricule or "", f.nom or ""
        file, sheet, excel_row, column, message = f.file or "", f.sheet or "", f.row, f.column or "", f.message
        b = m1.get(article) or cell(1, article)
        c_ = m2.get(rule) or cell(2, rule)
        d_ = m3.get(matricule) or cell(3, matricule)
        e = m4.get(nom) or cell(4, nom)
        if file and len(links) < MAX_LINKS and (target := _target(f, annotated)) is not None and link_fits(*target):
            links.append(Link(f"F{r}", target[0], target[1], TIP))
            f_ = cell(5, file, link)
        else:
            f_ = m5.get(file) or cell(5, file)
        g = m6.get(sheet) or cell(6, sheet)
        h = m7.get(excel_row) or cell(7, excel_row)
        i = m8.get(column) or cell(8, column)
        j, lines = cell(9, message, wrap)
        lines = max(lines, c_[1], e[1], f_[1], g[1], i[1])
        ht = heights.get(lines) or _height(heights, lines)
        block.append(f'<row r="{r}" ht="{ht}" customHeight="1"><c r="A{r}{severities[f.severity]}'
                     f'<c r="B{r}{b[0]}<c r="C{r}{c_[0]}<c r="D{r}{d_[0]}<c r="E{r}{e[0]}<c r="F{r}{f_[0]}'
                     f'<c r="G{r}{g[0]}<c r="H{r}{h[0]}<c r="I{r}{i[0]}<c r="J{r}{j}</row>')
        if len(block) >= 2048:
            ws.write("".join(block))
            block = []
    if not findings:
        block.append(xlsx_write.row(2, string("A2", top, "Aucun constat.")))
    ws.write("".join(block))
    counts = count_by_severity(findings)
    note = (f"{counts[ERREUR]} erreur(s), {counts[AVERTISSEMENT]} avertissement(s), "
            f"{counts[INFO]} info(s)")
    head_text = f"&L&\"-,Bold\"{title.replace('&', '&&')}&R{note.replace('&', '&&')}"
    ws.close(autofilter=(0, 0, last, len(COLUMNS) - 1), links=links,
             page=PageSetup(landscape=True, header=head_text, footer="&CPage &P de &N", repeat_row=0))

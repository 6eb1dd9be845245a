"""Annotated copies of the input workbooks, for the internal auditors (``OUT/annotes/``).

``annotate_workbook(src, dst, rel, findings)`` copies one input workbook to ``dst`` and:

* marks every flagged cell by its most severe finding, readable in colour and in black
  and white (``LOOKS``): erreur = light red + thick solid frame, avertissement = amber +
  dashed frame, info = light blue + dotted frame;
* adds to that cell a comment with one line per finding,
  « [ERREUR] Art. 4.5 — <message> » (an existing comment is kept first);
* adds a sheet *Constats* (or « Constats (syndic-batch) » if the name is taken) listing
  every finding with an internal link to its cell.

A finding on a row without a column marks the cell of the sheet's first used column; a finding with no
row (the whole file) is only listed in *Constats*. Everything else of the original is kept
as openpyxl keeps it; what it would drop is found by ``preserve.what_would_be_lost`` and
returned as ``contenu-non-conserve`` findings (also listed in *Constats*).

Text a member typed is never turned into a formula: cells keep the type openpyxl read
(a string that starts with ``=`` stays a string), and every text this module writes is
written as a string (``_text``).
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ..model import (AVERTISSEMENT, CONTENU_NON_CONSERVE, ERREUR, INFO, SEVERITY_RANK, Finding)
from .atomic import atomic_write
from .preserve import what_would_be_lost

AUTHOR = "syndic-batch"
SHEET_NAME = "Constats"
SHEET_NAME_TAKEN = "Constats (syndic-batch)"
HEADERS = ("Gravité", "Article", "Règle", "Feuille", "Ligne", "Colonne", "Constat", "Lien")
WIDTHS = (15, 8, 22, 16, 7, 20, 64, 13)
MESSAGE_CHARS_PER_LINE = 80  # what column G (64 wide) shows per line, roughly
MAX_TEXT = 32_000  # Excel keeps at most 32 767 characters in a cell or a comment
COMMENT_SEPARATOR = "──── syndic-batch ────"


@dataclass(frozen=True)
class Look:
    tag: str        # the comment's prefix
    label: str      # the Constats sheet's Gravité column
    fill: PatternFill
    border: Border


def _look(tag: str, label: str, fill: str, edge: str, style: str) -> Look:
    side = Side(style=style, color=edge)
    return Look(tag, label, PatternFill(fill_type="solid", start_color=fill, end_color=fill),
                Border(left=side, right=side, top=side, bottom=side))


# Light fills keep the text readable; the frame's line style tells the severity apart
# when printed in black and white (solid thick / dashed / dotted).
LOOKS = {
    ERREUR: _look("[ERREUR]", "Erreur", "FFC7CE", "9C0006", "thick"),
    AVERTISSEMENT: _look("[AVERTISSEMENT]", "Avertissement", "FFE699", "7F6000", "mediumDashed"),
    INFO: _look("[INFO]", "Info", "BDD7EE", "1F4E78", "dotted"),
}


def annotate_workbook(src: Path, dst: Path, rel: str, findings: list[Finding]) -> list[Finding]:
    """Write the annotated copy of ``src`` to ``dst`` (atomically); return the
    ``contenu-non-conserve`` findings for what the copy cannot keep."""
    src, dst = Path(src), Path(dst)
    extra = [_lost(rel, sheet, text) for sheet, text in what_would_be_lost(src)]
    try:
        with warnings.catch_warnings():  # what openpyxl warns about is reported as findings
            warnings.simplefilter("ignore")
            wb = load_workbook(src, keep_vba=src.suffix.lower() == ".xlsm", rich_text=True)
    except Exception as exc:  # openpyxl cannot load it whole: copy its values only
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wb = values_only_copy(src)
        except Exception:
            return extra + [_not_written(rel, exc)]
        extra = [_lost(rel, None, "Le classeur n'a pas pu être recopié avec sa mise en forme "
                                  f"({type(exc).__name__}) : la copie annotée n'en reprend que "
                                  "les valeurs et les formules ; consultez l'original.")]
    listed = [f for f in findings if f.file == rel] + extra
    try:
        marked = mark_cells(wb, listed)
        add_constats_sheet(wb, listed, marked)
        with atomic_write(dst) as tmp:
            wb.save(tmp)
    except OSError:
        raise  # disk full, permission: the run cannot write its outputs
    except Exception as exc:  # something openpyxl cannot write back: no partial copy
        return extra + [_not_written(rel, exc)]
    return extra


def values_only_copy(src: Path) -> Workbook:
    """A new workbook holding the values and formulas of ``src``, read in openpyxl's
    streaming mode, which gets through files its full mode rejects (odd style tables,
    pivot caches it cannot parse). Text stays text; number formats are kept when known."""
    ro = load_workbook(src, read_only=True, data_only=False)
    try:
        wb = Workbook()
        wb.remove(wb.active)
        for ws_in in ro.worksheets:
            ws = wb.create_sheet(ws_in.title)
            for row in ws_in.iter_rows():
                for c in row:
                    if c.value is None or not hasattr(c, "column"):
                        continue
                    cell = ws.cell(c.row, c.column, c.value)
                    if c.data_type == "s":
                        cell.data_type = "s"
                    try:
                        cell.number_format = c.number_format
                    except Exception:  # a style index the file does not define
                        pass
    finally:
        ro.close()
    return wb


def _lost(rel: str, sheet: str | None, text: str) -> Finding:
    return Finding(None, CONTENU_NON_CONSERVE, AVERTISSEMENT, rel, sheet, None, None, text)


def _not_written(rel: str, exc: Exception) -> Finding:
    return _lost(rel, None, "La copie annotée de ce classeur n'a pas pu être produite "
                            f"({type(exc).__name__}) : ses constats figurent dans constats.json "
                            "et les rapports ; consultez l'original.")


# --- marking the cells -------------------------------------------------------------

def mark_cells(wb, findings: list[Finding]) -> dict[int, str]:
    """Fill and comment every flagged cell; return, per finding (by ``id``), the
    coordinate it was marked at (findings without a cell are absent)."""
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    where: dict[int, str] = {}
    first_col: dict[str, int] = {}  # ws.min_column scans every cell: once per sheet
    for f in findings:
        ws = _worksheet(wb, f.sheet)
        if ws is None or not f.row:
            continue
        if f.column_index:
            col = f.column_index
        else:
            if ws.title not in first_col:
                first_col[ws.title] = max(ws.min_column, 1)
            col = first_col[ws.title]
        coord = _target(ws, f.row, col)
        where[id(f)] = coord
        by_cell.setdefault((ws.title, coord), []).append(f)
    for (title, coord), group in by_cell.items():
        group.sort(key=lambda f: (SEVERITY_RANK[f.severity], f.article or "~", f.rule))
        cell = wb[title][coord]
        look = LOOKS[group[0].severity]
        cell.fill = look.fill
        cell.border = look.border
        cell.comment = _comment(cell.comment, [comment_line(f) for f in group])
    return where


def _worksheet(wb, name: str | None) -> Worksheet | None:
    if name is None or name not in wb.sheetnames:
        return None
    ws = wb[name]
    return ws if isinstance(ws, Worksheet) else None  # a chart sheet has no cells


def _target(ws: Worksheet, row: int, col: int) -> str:
    """The cell's coordinate, or the top-left cell of the merged range it lies in."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            row, col = rng.min_row, rng.min_col
            break
    return f"{get_column_letter(col)}{row}"


def comment_line(f: Finding) -> str:
    """« [ERREUR] Art. 4.5 — <message> » (a check with no article names its rule)."""
    if not f.article:
        return f"{LOOKS[f.severity].tag} Contrôle « {f.rule} » — {f.message}"
    message = re.sub(rf"^Art\.?\s*{re.escape(f.article)}\s*[:,—-]\s*", "", f.message)
    message = message[:1].upper() + message[1:]  # « Art. 2.1 : le … » → « Le … »
    return f"{LOOKS[f.severity].tag} Art. {f.article} — {message}"


def _comment(existing: Comment | None, lines: list[str]) -> Comment:
    text = "\n".join(lines)
    if existing is not None and existing.text and existing.text.strip():
        text = f"{existing.text.rstrip()}\n{COMMENT_SEPARATOR}\n{text}"
    text = text[:MAX_TEXT]
    width, height = _comment_size(text)
    return Comment(text, AUTHOR, height=height, width=width)


def _comment_size(text: str, width: int = 380, chars_per_line: int = 58) -> tuple[int, int]:
    """(width, height) in pixels so that the whole text shows when the box opens."""
    lines = sum(max(1, -(-len(line) // chars_per_line)) for line in text.split("\n"))
    return width, min(20 + 15 * lines, 1200)


# --- the Constats sheet ------------------------------------------------------------

LINK_FONT = Font(color="0563C1", underline="single")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill(fill_type="solid", start_color="44546A", end_color="44546A")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


def constats_sheet_name(wb) -> str:
    taken = {name.casefold() for name in wb.sheetnames}
    if SHEET_NAME.casefold() not in taken:
        return SHEET_NAME
    if SHEET_NAME_TAKEN.casefold() not in taken:
        return SHEET_NAME_TAKEN
    n = 2
    while f"Constats ({n})".casefold() in taken:
        n += 1
    return f"Constats ({n})"


def add_constats_sheet(wb, findings: list[Finding], marked: dict[int, str]) -> Worksheet:
    """The sheet that lists every finding, sorted by sheet (in workbook order) and row."""
    ws = wb.create_sheet(constats_sheet_name(wb))
    for col, (title, width) in enumerate(zip(HEADERS, WIDTHS), start=1):
        cell = ws.cell(1, col)
        _text(cell, title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    _print_setup(ws)
    if not findings:
        _text(ws.cell(2, 1), "Aucun constat")
        ws.cell(2, 1).font = Font(italic=True)
        return ws
    order = {name: i for i, name in enumerate(wb.sheetnames)}
    ranked = sorted(findings, key=lambda f: (
        f.sheet is not None, order.get(f.sheet, len(order)), f.sheet or "", f.row or 0,
        f.column_index or 0, SEVERITY_RANK[f.severity], f.rule))
    for r, f in enumerate(ranked, start=2):
        look = LOOKS[f.severity]
        sev = ws.cell(r, 1)
        _text(sev, look.label)
        sev.fill, sev.border = look.fill, look.border
        _text(ws.cell(r, 2), f.article or "")
        _text(ws.cell(r, 3), f.rule)
        _text(ws.cell(r, 4), f.sheet or "")
        if f.row:
            ws.cell(r, 5, f.row)
        _text(ws.cell(r, 6), f.column or "")
        _text(ws.cell(r, 7), f.message)
        coord = marked.get(id(f))
        if coord:
            link = ws.cell(r, 8)
            hidden = wb[f.sheet].sheet_state != "visible"
            _text(link, f"Aller à {coord}" + (" (feuille masquée)" if hidden else ""))
            link.hyperlink = Hyperlink(ref=link.coordinate, location=internal_location(f.sheet, coord))
            link.font = LINK_FONT
        for col in range(1, 9):
            ws.cell(r, col).alignment = WRAP if col in (3, 6, 7) else TOP
        lines = max(-(-len(f.message) // MESSAGE_CHARS_PER_LINE), 1)
        ws.row_dimensions[r].height = 15 * lines + 2  # not every viewer sizes wrapped rows
    ws.auto_filter.ref = f"A1:H{len(ranked) + 1}"
    return ws


def _print_setup(ws: Worksheet) -> None:
    """Landscape, one page wide, the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def internal_location(sheet: str, coord: str) -> str:
    """``'Feuille d''avril'!B5``: an in-workbook link target (no HYPERLINK formula)."""
    return "'" + sheet.replace("'", "''") + "'!" + coord


def _text(cell, value: str) -> None:
    """Write ``value`` as text, even when it starts with ``=``, ``+``, ``-`` or ``@``."""
    if value:
        cell.value = value[:MAX_TEXT]
        cell.data_type = "s"

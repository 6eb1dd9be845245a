"""The *Constats* sheet of an annotated copy: what it lists, and its worksheet XML.

One row per finding of the file, sorted by sheet (in workbook order), row, column:
Gravité, Article, Règle, Matricule, Nom, Feuille, Cellule (a link to the marked cell, or
« ligne N » when the row could not be marked), Colonne, Message. Header frozen and
filtered, landscape, one page wide, header repeated on every printed page. Every text is
written as an inline string (never a formula, whatever it starts with).

``constats_rows`` is shared by both writers of annotated copies (package patching and the
XlsxWriter conversion); ``worksheet_xml`` renders it for the patched package.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import SEVERITY_RANK, Finding
from ..text import xml_escape as escape
from ..text import xml_quoteattr as quoteattr
from .marks import LOOKS, MAX_TEXT
from .xlsx_package import ooxml_text
from .xlsx_sheet import column_letters

SHEET_NAME = "Constats"
SHEET_NAME_TAKEN = "Constats (syndic-batch)"
HEADERS = ("Gravité", "Article", "Règle", "Matricule", "Nom", "Feuille", "Cellule", "Colonne",
           "Message")
WIDTHS = (15, 8, 22, 11, 24, 16, 14, 20, 64)
LINK_COLUMN = 7            # « Cellule »
WRAPPED = {3, 5, 8, 9}     # Règle, Nom, Colonne, Message
MESSAGE_CHARS_PER_LINE = 80  # what column I (64 wide) shows per line, roughly
EMPTY = "Aucun constat"


def constats_sheet_name(names) -> str:
    """« Constats », or a name no sheet of the workbook has (case-insensitively)."""
    taken = {name.casefold() for name in names}
    if SHEET_NAME.casefold() not in taken:
        return SHEET_NAME
    if SHEET_NAME_TAKEN.casefold() not in taken:
        return SHEET_NAME_TAKEN
    n = 2
    while f"Constats ({n})".casefold() in taken:
        n += 1
    return f"Constats ({n})"


def internal_location(sheet: str, coord: str) -> str:
    """``'Feuille d''avril'!B5``: an in-workbook link target (no HYPERLINK formula)."""
    return "'" + sheet.replace("'", "''") + "'!" + coord


@dataclass(frozen=True)
class Row:
    finding: Finding
    values: tuple[str, ...]  # the nine columns, as text
    link: str | None         # internal location of the marked cell
    lines: int               # lines the message needs (row height)


def constats_rows(findings: list[Finding], marked: dict[int, str], sheet_order: list[str],
                  hidden: set[str]) -> list[Row]:
    """``marked``: per finding (by ``id``) the cell it was marked at."""
    order = {name: i for i, name in enumerate(sheet_order)}
    ranked = sorted(findings, key=lambda f: (
        f.sheet is not None, order.get(f.sheet, len(order)), f.sheet or "", f.row or 0,
        f.column_index or 0, SEVERITY_RANK[f.severity], f.rule))
    rows = []
    for f in ranked:
        coord = marked.get(id(f))
        if coord:
            cell = coord + (" (feuille masquée)" if f.sheet in hidden else "")
        else:
            cell = f"ligne {f.row}" if f.row else ""
        values = (LOOKS[f.severity].label, f.article or "", f.rule, f.matricule or "", f.nom or "",
                  f.sheet or "", cell, f.column or "", f.message)
        rows.append(Row(f, tuple(v[:MAX_TEXT] for v in values),
                        internal_location(f.sheet, coord) if coord else None,
                        max(-(-len(f.message) // MESSAGE_CHARS_PER_LINE), 1)))
    return rows


def _cell(ref: str, style: int, text: str) -> str:
    if not text:
        return f'<c r="{ref}" s="{style}"/>'
    return (f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
            f'{escape(ooxml_text(text))}</t></is></c>')


def worksheet_xml(rows: list[Row], styles, main_ns: str, rel_ns: str) -> bytes:
    """The *Constats* worksheet part; ``styles`` is the workbook's ``xlsx_styles.Styles``."""
    header = styles.own(bold=True, font_rgb="FFFFFF", fill_rgb="44546A", top=False)
    plain, wrap = styles.own(), styles.own(wrap=True)
    link = styles.own(underline=True, font_rgb="0563C1")
    italic = styles.own(italic=True, top=False)
    severity = {k: styles.own(look=look) for k, look in LOOKS.items()}
    last = column_letters(len(HEADERS))
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{main_ns}" '
           f'xmlns:r="{rel_ns}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
           f'<dimension ref="A1:{last}{max(len(rows), 1) + 1}"/><sheetViews><sheetView '
           'workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
           'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
           '</sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>']
    out += [f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(WIDTHS, 1)]
    out.append('</cols><sheetData><row r="1">')
    out += [_cell(f"{column_letters(i)}1", header, h) for i, h in enumerate(HEADERS, 1)]
    out.append("</row>")
    links = []
    if not rows:
        out.append(f'<row r="2">{_cell("A2", italic, EMPTY)}</row>')
    letters = [column_letters(i) for i in range(1, len(HEADERS) + 1)]
    for r, row in enumerate(rows, start=2):
        out.append(f'<row r="{r}" ht="{15 * row.lines + 2}" customHeight="1">')
        for i, value in enumerate(row.values, 1):
            ref = f"{letters[i - 1]}{r}"
            if i == 1:
                style = severity[row.finding.severity]
            elif i == LINK_COLUMN and row.link:
                style = link
                links.append((ref, row.link, value))
            else:
                style = wrap if i in WRAPPED else plain
            out.append(_cell(ref, style, value))
        out.append("</row>")
    out.append(f'</sheetData><autoFilter ref="A1:{last}{max(len(rows), 1) + 1}"/>')
    if links:
        out.append("<hyperlinks>")
        out += [f'<hyperlink ref="{ref}" location={quoteattr(ooxml_text(loc))} '
                f'display={quoteattr(ooxml_text(text))}/>' for ref, loc, text in links]
        out.append("</hyperlinks>")
    out.append('<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" '
               'footer="0.3"/><pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
               '</worksheet>')
    return "".join(out).encode("utf-8")


def print_names(sheet_name: str, rows: int) -> list[tuple[str, str, bool]]:
    """The sheet's defined names (name, formula, hidden): the header row printed on
    every page, and the filtered range."""
    quoted = "'" + sheet_name.replace("'", "''") + "'"
    last = f"${column_letters(len(HEADERS))}${max(rows, 1) + 1}"
    return [("_xlnm.Print_Titles", f"{quoted}!$1:$1", False),
            ("_xlnm._FilterDatabase", f"{quoted}!$A$1:{last}", True)]

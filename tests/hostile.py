"""Hostile and huge workbooks for the reading tests, written straight as XML parts.

openpyxl would take minutes to write a million rows; these writers stream the
sheet part into the zip. Each workbook has one sheet (or one per ``sheets`` item),
a valid package (content types, relationships), and inline strings, so that any
reader (python-calamine, openpyxl, LibreOffice) opens it.

``write_xlsx(path, sheets)`` takes ``[(name, rows, extra)]`` where ``rows`` is an
iterable of ``(row_number, xml_of_cells_or_None, row_attributes)`` and ``extra``
XML placed after ``sheetData`` (merged cells …); ``cells(row, values)`` makes the
XML of a row's cells (str → inline string, number → number, bool → boolean).
"""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any, Iterable
from xml.sax.saxutils import escape

from syndic_batch.read.fields import FORM_FIELDS

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def col_letter(col: int) -> str:
    s = ""
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def _serial(d: dt.date) -> int:
    return (d - dt.date(1899, 12, 30)).days


def cells(row: int, values: Iterable[Any], first_col: int = 1) -> str:
    out = []
    for j, v in enumerate(values):
        ref = f"{col_letter(first_col + j)}{row}"
        if v is None:
            continue
        if isinstance(v, bool):
            out.append(f'<c r="{ref}" t="b"><v>{int(v)}</v></c>')
        elif isinstance(v, (int, float)):
            out.append(f'<c r="{ref}"><v>{v!r}</v></c>')
        elif isinstance(v, dt.date):
            out.append(f'<c r="{ref}" s="1"><v>{_serial(v)}</v></c>')
        elif isinstance(v, str) and v.startswith("#") and v.endswith(("!", "A", "?")):
            out.append(f'<c r="{ref}" t="e"><v>{escape(v)}</v></c>')  # an Excel error: #DIV/0!
        elif isinstance(v, str) and v.startswith("="):
            out.append(f'<c r="{ref}"><f>{escape(v[1:])}</f></c>')    # a formula saved without value
        else:
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>')
    return "".join(out)


STYLES = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><numFmts count="0"/>'
          '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
          '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
          '</styleSheet>')


def write_xlsx(path: Path, sheets: list[tuple[str, Iterable[tuple[int, str | None, str]], str]],
               hidden_sheets: Iterable[str] = (), compresslevel: int = 6) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    hidden = set(hidden_sheets)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, len(sheets) + 1))
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                   'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                   f'{overrides}</Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        state = ' state="hidden"'
        entries = "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"{state if name in hidden else ""}/>'
            for i, (name, _rows, _extra) in enumerate(sheets, start=1))
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
                                      f'xmlns:r="{REL}"><sheets>{entries}</sheets></workbook>')
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1))
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships">{rels}<Relationship Id="rIdS" Type="{REL}/styles" '
                   'Target="styles.xml"/></Relationships>')
        z.writestr("xl/styles.xml", STYLES)
        for i, (_name, rows, extra) in enumerate(sheets, start=1):
            with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as fh:
                fh.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode())
                buf = []
                for r, xml, attrs in rows:
                    attrs = f" {attrs}" if attrs else ""
                    buf.append(f'<row r="{r}"{attrs}>{xml}</row>' if xml else f'<row r="{r}"{attrs}/>')
                    if len(buf) >= 5000:
                        fh.write("".join(buf).encode())
                        buf = []
                fh.write("".join(buf).encode())
                fh.write(f"</sheetData>{extra}</worksheet>".encode())
    return path


def form_values(**kw) -> list[Any]:
    """A form row as a list in the template's column order (clean adopted row by default)."""
    base = {
        "matricule": "1001", "nom": "Amélie Tremblay", "date_activite": dt.date(2026, 3, 2),
        "categorie": "Réunion du Conseil exécutif", "description": "Réunion régulière",
        "heures_demandees": 3.5, "date_reception": dt.date(2026, 3, 5),
        "decision_ce": "Adoptée", "date_decision": dt.date(2026, 3, 10),
    }
    base.update(kw)
    return [base.get(f.key) for f in FORM_FIELDS]


HEADER = [f.label for f in FORM_FIELDS]


def form_rows(rows: list[list[Any]], header_row: int = 1, first_col: int = 1,
              row_attrs: dict[int, str] | None = None):
    """(row, cells, attributes) of a form sheet: the header at ``header_row``, then ``rows``."""
    attrs = row_attrs or {}
    yield header_row, cells(header_row, HEADER, first_col), attrs.get(header_row, "")
    for i, values in enumerate(rows, start=header_row + 1):
        yield i, cells(i, values, first_col), attrs.get(i, "")


def zip_bomb(path: Path, inflated_mb: int = 1000) -> Path:
    """A 1 MB-ish .xlsx whose sheet part inflates to ``inflated_mb`` MB of one repeated row."""
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>"
    write_xlsx(path, [("Feuil1", [], "")])
    # rewrite the sheet part: a valid start, then a long run of identical rows
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info, src.read(info))
                continue
            with dst.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'.encode())
                block = row * 1000
                for _ in range(inflated_mb * 1024 * 1024 // len(block)):
                    fh.write(block)
                fh.write(b"</sheetData></worksheet>")
    tmp.replace(path)
    return path


def make_all(out: Path) -> list[Path]:
    """The hostile inboxes of issue 11, one folder each, for measuring by hand:
    ``python tests/hostile.py OUT`` then ``/usr/bin/time -v`` a read of each folder."""
    made = [zip_bomb(out / "bombe" / "bombe.xlsx", 420)]            # ~1 MB zip, 420 MB inflated

    def four_million():
        yield 1, cells(1, HEADER + ["Extra"]), ""
        for r in range(2, 200_002):
            yield r, cells(r, ["1001", None, "2026-03-02", "Représentation", None, None, None, None, 3.5, 1.0,
                               None, None, None, None, "2026-03-05", None, None, None, None, r]), ""
    made.append(write_xlsx(out / "quatre-millions" / "f.xlsx", [("Formulaires", four_million(), "")]))

    def styled_rows():
        yield from form_rows([form_values(), form_values(matricule="1002"), form_values(matricule="1003")])
        for r in range(5, 1_000_001):
            yield r, None, 's="1" customFormat="1"'
    made.append(write_xlsx(out / "lignes-formatees" / "f.xlsx", [("Formulaires", styled_rows(), "")]))

    def styled_cells():
        yield from form_rows([form_values()])
        for r in range(3, 1_000_001):
            yield r, "".join(f'<c r="{col_letter(c)}{r}" s="1"/>' for c in range(1, 6)), ""
    made.append(write_xlsx(out / "cellules-formatees" / "f.xlsx", [("Formulaires", styled_cells(), "")]))

    def wide():
        for r in range(1, 21):
            yield r, cells(r, [f"Texte {r}-{c}" for c in range(1, 16385)]), ""
    made.append(write_xlsx(out / "colonnes-16384" / "f.xlsx", [("Feuil1", wide(), "")]))
    made.append(write_xlsx(out / "loin" / "f.xlsx", [("Feuil1", [(1, cells(1, ["x"]), ""),
                                                               (1048576, cells(1048576, ["y"], 16384), "")], "")]))
    return made


if __name__ == "__main__":
    import sys

    for p in make_all(Path(sys.argv[1])):
        print(p, p.stat().st_size)

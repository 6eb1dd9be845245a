"""The hostile workbooks of issue 11, written straight as SpreadsheetML parts.

    python benchmarks/generate.py --hostile all --out /tmp/hostile
    python benchmarks/hostile_files.py --out /tmp/hostile [--kind lignes-formatees] ...

Each kind is one ``.xlsx`` a real person could send:

* ``lignes-formatees`` — a form (the template's headers, 20 valid rows) whose range
  down to row 1,000,021 was formatted by mistake: a million rows of cells carrying a
  style (fill and frame) but no value. ``--styled-as rows`` formats whole rows
  instead (``<row s="1" customFormat="1"/>``, no cells), as Excel does when whole
  rows are selected.
* ``4m-cellules`` — a sheet « Export » of 200,000 rows × 20 columns of values
  (numbers, dates and short text): an export someone dropped into the inbox.
* ``bombe-zip`` — a package of ~1 MB whose sheet part inflates to ~1 GB: a form's
  header row, then a run of spaces (valid XML whitespace inside ``sheetData``)
  stored as raw deflate of repeated bytes. Sizes and CRC in the headers are the
  true ones: only a limit on inflated size or ratio catches it.
* ``16384-colonnes`` — a sheet of 20 rows × 16,384 columns of text (up to XFD).

The XML is written by hand (inline strings, one style for the formatted cells) so
that a million-row part takes seconds, not minutes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import struct
import sys
import time
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

KINDS = ("lignes-formatees", "4m-cellules", "bombe-zip", "16384-colonnes")
FILE_NAMES = {
    "lignes-formatees": "formulaire-un-million-de-lignes-formatees.xlsx",
    "4m-cellules": "export-4-millions-de-cellules.xlsx",
    "bombe-zip": "bombe-zip.xlsx",
    "16384-colonnes": "feuille-16384-colonnes.xlsx",
}
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EPOCH = dt.date(1899, 12, 30)
STYLE_FILLED, STYLE_DATE = 1, 2

STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFFF2CC"/><bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
    '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="2" borderId="1" xfId="0" applyFill="1" applyBorder="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)


def col_letter(i: int) -> str:
    """0 → A, 16383 → XFD."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def cell(ref: str, v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        return f'<c r="{ref}"><v>{v!r}</v></c>'
    if isinstance(v, dt.date):
        return f'<c r="{ref}" s="{STYLE_DATE}"><v>{(v - EPOCH).days}</v></c>'
    raise TypeError(type(v))


def row_xml(r: int, values, cols: list[str]) -> str:
    return f'<row r="{r}">' + "".join(cell(f"{c}{r}", v) for c, v in zip(cols, values)) + "</row>"


def _package_parts(sheets: list[str]) -> dict[str, str]:
    """Every part but the sheets' XML: content types, relationships, workbook, styles."""
    over = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1))
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f'{over}</Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{NS}" xmlns:r="{REL_NS}"><sheets>'
            + "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, n in enumerate(sheets, 1))
            + '</sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
            + f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
              '2006/relationships/styles" Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": STYLES,
    }


def _sheet_head(dimension: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{NS}" xmlns:r="{REL_NS}"><dimension ref="{dimension}"/><sheetData>')


SHEET_TAIL = "</sheetData></worksheet>"


def write_streamed(path: Path, sheets: list[tuple[str, object]]) -> None:
    """An .xlsx whose sheets' XML comes from generators of text chunks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, text in _package_parts([n for n, _ in sheets]).items():
            zf.writestr(name, text)
        for i, (_, chunks) in enumerate(sheets, 1):
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as f:
                buf: list[str] = []
                size = 0
                for chunk in chunks:
                    buf.append(chunk)
                    size += len(chunk)
                    if size > 1 << 20:
                        f.write("".join(buf).encode("utf-8"))
                        buf, size = [], 0
                f.write("".join(buf).encode("utf-8"))


def form_rows(n: int, seed: int) -> tuple[list[str], list[list]]:
    """The form template's header and ``n`` valid rows for the members of the
    inbox ``generate.py`` writes with the same seed."""
    from benchmarks import generate as g

    rng = random.Random(seed)
    members = g.make_members(rng, g.SMALL_MEMBERS)
    ces = g.ce_dates(g.AS_OF)
    rows = [g.make_row(rng, members, 2025, 10, ces) for _ in range(n)]
    return [f.label for f in g.FORM_FIELDS], [[r.get(k) for k in g.KEYS] for r in rows]


def styled_rows(path: Path, empty_rows: int = 1_000_000, styled_as: str = "cells", seed: int = 1) -> None:
    header, data = form_rows(20, seed)
    cols = [col_letter(i) for i in range(len(header))]
    last = 1 + len(data) + empty_rows

    def chunks():
        yield _sheet_head(f"A1:{cols[-1]}{last}")
        yield row_xml(1, header, cols)
        for i, values in enumerate(data, 2):
            yield row_xml(i, values, cols)
        s = STYLE_FILLED
        if styled_as == "rows":
            for r in range(len(data) + 2, last + 1):
                yield f'<row r="{r}" s="{s}" customFormat="1"/>'
        else:
            for r in range(len(data) + 2, last + 1):
                yield f'<row r="{r}">' + "".join(f'<c r="{c}{r}" s="{s}"/>' for c in cols) + "</row>"
        yield SHEET_TAIL

    write_streamed(path, [("Formulaires", chunks())])


def many_cells(path: Path, rows: int = 200_000, columns: int = 20, seed: int = 1) -> None:
    rng = random.Random(seed)
    cols = [col_letter(i) for i in range(columns)]
    words = ["poste", "budget", "dépense", "revenu", "solde", "report", "écart", "note"]

    def chunks():
        yield _sheet_head(f"A1:{cols[-1]}{rows + 1}")
        yield row_xml(1, [f"Champ {i + 1}" for i in range(columns)], cols)
        for r in range(2, rows + 2):
            values = []
            for c in range(columns):
                k = c % 4
                if k == 0:
                    values.append(f"{rng.choice(words)} {r}")
                elif k == 1:
                    values.append(dt.date(2025, 9, 1) + dt.timedelta(days=r % 365))
                else:
                    values.append(round(rng.uniform(0, 10_000), 2))
            yield row_xml(r, values, cols)
        yield SHEET_TAIL

    write_streamed(path, [("Export", chunks())])


def wide(path: Path, rows: int = 20, columns: int = 16_384) -> None:
    cols = [col_letter(i) for i in range(columns)]

    def chunks():
        yield _sheet_head(f"A1:{cols[-1]}{rows}")
        yield row_xml(1, [f"Colonne {c}" for c in cols], cols)
        for r in range(2, rows + 1):
            yield row_xml(r, [f"texte {c}{r}" for c in cols], cols)
        yield SHEET_TAIL

    write_streamed(path, [("Feuil1", chunks())])


# ---------------------------------------------------------------- the zip bomb

def _zip(path: Path, entries: list[tuple[str, bytes, int, int]]) -> None:
    """A plain zip (no zip64) from entries (name, raw deflate bytes, crc32, inflated size)."""
    dos_time, dos_date = (12 << 11), ((2026 - 1980) << 9) | (11 << 5) | 23
    central, offset = [], 0
    with open(path, "wb") as f:
        for name, data, crc, size in entries:
            n = name.encode()
            head = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, dos_time, dos_date,
                               crc, len(data), size, len(n), 0)
            f.write(head + n)
            f.write(data)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, dos_time, dos_date,
                                       crc, len(data), size, len(n), 0, 0, 0, 0, 0, offset) + n)
            offset += len(head) + len(n) + len(data)
        cd = b"".join(central)
        f.write(cd)
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(cd), offset, 0))


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def zip_bomb(path: Path, inflated_mb: int = 1000, seed: int = 1) -> int:
    """A ~1 MB .xlsx whose sheet part inflates to ``inflated_mb`` MB; returns that size."""
    header, _ = form_rows(0, seed)
    cols = [col_letter(i) for i in range(len(header))]
    head = (_sheet_head(f"A1:{cols[-1]}1") + row_xml(1, header, cols)).encode("utf-8")
    tail = SHEET_TAIL.encode()
    block = b" " * (1 << 20)
    # A full flush ends a byte-aligned block and forgets the history, so the deflate
    # bytes of one block of spaces can be repeated as they are.
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    repeated = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    last = c.compress(tail) + c.flush()
    crc = zlib.crc32(head)
    for _ in range(inflated_mb):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + inflated_mb * len(block) + len(tail)
    if size >= 1 << 32:
        raise ValueError("plus de 4 Gio : il faudrait zip64")
    entries = []
    for name, text in _package_parts(["Formulaires"]).items():
        raw = text.encode("utf-8")
        entries.append((name, _deflate(raw), zlib.crc32(raw), len(raw)))
    entries.append(("xl/worksheets/sheet1.xml", first + repeated * inflated_mb + last, crc, size))
    _zip(path, entries)
    return size


def write_kind(kind: str, out: Path, seed: int = 1, styled_as: str = "cells") -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / FILE_NAMES[kind]
    if kind == "lignes-formatees":
        styled_rows(path, styled_as=styled_as, seed=seed)
    elif kind == "4m-cellules":
        many_cells(path, seed=seed)
    elif kind == "bombe-zip":
        zip_bomb(path, seed=seed)
    elif kind == "16384-colonnes":
        wide(path)
    else:
        raise ValueError(kind)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Écrit les classeurs hostiles de l'issue 11.")
    ap.add_argument("--out", type=Path, required=True, help="dossier où écrire les classeurs")
    ap.add_argument("--kind", choices=(*KINDS, "all"), default="all")
    ap.add_argument("--styled-as", choices=("cells", "rows"), default="cells",
                    help="lignes-formatees : cellules stylées (défaut) ou lignes entières stylées")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    for kind in KINDS if args.kind == "all" else (args.kind,):
        t = time.perf_counter()
        p = write_kind(kind, args.out, args.seed, args.styled_as)
        print(f"{p} : {p.stat().st_size / 1024 / 1024:.1f} Mo en {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

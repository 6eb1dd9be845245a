"""Read one workbook: ``read_workbook(path, rel, params) -> WorkbookRead``.

A pure function of the file's bytes and the parameters (the result is cached by
content, see ``read.inbox``). Values, dates and types come from python-calamine
(.xlsx, .xlsm, .xls, .xlsb, .ods); what calamine does not give is read from the
package (``read.package``): the limits checked before parsing, and, for
.xlsx/.xlsm, one streaming pass over each sheet's XML for hidden rows, error
cells, formulas saved without a value and the extent of the values. Sheet
visibility and merged ranges (.xlsx, .xls) come from calamine.

Row and column numbers are always Excel's (1-based), whatever the sheet's used
range: calamine's ``start`` says where its rows begin.
"""
from __future__ import annotations

import io
import re
import zipfile
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterator

from ..config import Params
from ..model import (COLONNE_ABSENTE, COLONNE_EN_DOUBLE, ERREUR, FEUILLE_ILLISIBLE, FEUILLE_MASQUEE,
                     FEUILLE_NON_RECONNUE, FICHIER_ILLISIBLE, INFO, LIGNE_MASQUEE, Finding)
from ..text import CellIssue, clean_text, column_letters, fold
from .data import FileReport, SheetSource, WorkbookRead
from .fields import FORMS, HEADER_INDEX, KINDS, PLAN, Field
from .package import (PackageRefused, SheetScan, check_package, scan_ods, scan_part, sheet_parts,
                      trimmed_workbook)

ZIP_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".ods"}
XML_SUFFIXES = {".xlsx", ".xlsm"}


class EmptyWorkbook(Exception):
    """No worksheet could be read."""


# ---------------------------------------------------------------- why a file is unreadable

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def unreadable_reason(path: Path, exc: BaseException | None = None) -> str:
    """A French reason a treasurer can act on."""
    if isinstance(exc, PackageRefused):
        return str(exc)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8) if size else b""
    except OSError as e:
        return f"le fichier ne peut pas être ouvert ({e.strerror or e})."
    name = type(exc).__name__ if exc else ""
    if size == 0:
        return "le fichier est vide (0 octet) : il a sans doute été mal copié ou enregistré."
    if name == "PasswordError" or (head == _OLE_MAGIC and _ole_encrypted(path)):
        return ("le classeur est protégé par un mot de passe : enregistrez-en une copie sans "
                "mot de passe (Fichier > Informations > Protéger le classeur).")
    if head == _OLE_MAGIC:
        return ("c'est un classeur Excel 97-2003 (.xls) endommagé ou d'un format trop ancien : ouvrez-le "
                "et enregistrez-le au format Classeur Excel (.xlsx).")
    if head[:2] != b"PK" and path.suffix.lower() != ".xls":
        return "ce n'est pas un classeur Excel (.xlsx) : son contenu n'est pas au bon format."
    if head[:2] != b"PK":
        return ("ce n'est pas un classeur Excel 97-2003 (.xls) lisible : ouvrez-le et enregistrez-le au "
                "format Classeur Excel (.xlsx).")
    if isinstance(exc, EmptyWorkbook):
        return "le classeur ne contient aucune feuille lisible."
    text = str(exc) if exc else ""
    if isinstance(exc, (zipfile.BadZipFile, EOFError)) or "CRC" in text or "larger than its declared" in text \
            or "Zip" in name:
        return "le classeur est endommagé (archive corrompue) : demandez une nouvelle copie au membre."
    if "Cell limit exceeded" in text:
        return ("une de ses feuilles s'étend sur trop de cellules pour être lue (plus de 100 millions) : "
                "supprimez les lignes et les colonnes remplies par erreur, puis enregistrez-le.")
    if "Unrecognized sheet" in text:
        return ("le classeur contient une feuille d'un type que l'outil ne lit pas (feuille de macros "
                "Excel 4 ou boîte de dialogue) : enregistrez les feuilles utiles dans un nouveau classeur .xlsx.")
    return "le classeur est endommagé ou incomplet et ne peut pas être lu."


def _ole_encrypted(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            data = fh.read(4 * 1024 * 1024)
    except OSError:
        return False
    return "EncryptionInfo".encode("utf-16-le") in data or b"EncryptionInfo" in data


def unreadable_finding(rel: str, reason: str) -> Finding:
    return Finding(None, FICHIER_ILLISIBLE, ERREUR, rel, None, None, None,
                   f"Classeur illisible : {reason} Le reste de la boîte de réception a été traité.")


# ---------------------------------------------------------------- calamine rows, in Excel coordinates

@lru_cache(maxsize=1)
def _iter_rows_from_row_zero() -> bool:
    """Whether ``CalamineSheet.iter_rows`` starts at the sheet's first row (0) or at
    the used range's (``start``); checked once on a tiny workbook whose only value
    is in C3, so that a change of python-calamine cannot shift every row number."""
    from python_calamine import CalamineWorkbook

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
                   'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/'
                   'xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
                   'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '</Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet xmlns="http://schemas.'
                   'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="3"><c r="C3"><v>1</v></c>'
                   '</row></sheetData></worksheet>')
    buf.seek(0)
    sheet = CalamineWorkbook.from_filelike(buf).get_sheet_by_index(0)
    rows = list(sheet.iter_rows())
    return len(rows) == 3


def sheet_rows(sheet) -> Iterator[tuple[int, int, list]]:
    """``(Excel row, first column - 1, values)`` for each row calamine gives, in
    order; ``values[j]`` is the cell of Excel column ``first column + j``. Empty
    cells are ``""`` (calamine's), as are error cells (see ``SheetScan.issues``)."""
    start = sheet.start
    if start is None:
        return
    width = sheet.width
    row = 0 if _iter_rows_from_row_zero() else start[0]
    for values in sheet.iter_rows():
        row += 1
        # the columns start at the used range's first column, or at A
        c0 = start[1] if len(values) == width else 0
        yield row, c0, values


def _blank(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, str) and not v.strip())


# ---------------------------------------------------------------- header recognition

@dataclass
class Match:
    kind: str
    header_row: int                       # 1-based
    columns: dict[str, tuple[int, str]]   # key -> (1-based column, header as written)
    headers: dict[int, str]
    missing_required: list[Field]
    doubles: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


_PLAN_HEADERS = {"buts", "objectifs", "actions"}


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _texts(values: list) -> list[tuple[int, str, str]]:
    """(1-based column, text as in the cell, folded) of each text cell of a row: one
    fold per cell, whatever the number of kinds and synonyms (plain ASCII text, the
    usual case, is folded without the Unicode steps)."""
    out = []
    for idx, v in enumerate(values, start=1):
        if v.__class__ is not str or not v:
            continue
        if len(v) > 200:
            key = ""  # no header is that long
        elif v.isascii() and "_x" not in v:
            key = _NOT_ALNUM.sub(" ", v.lower()).strip()
        else:
            key = fold(v)
        if key or v.strip():
            out.append((idx, v, key))
    return out


def recognise(rows: list[list], max_rows: int) -> Match | None:
    """The sheet's kind and header row, from its first ``max_rows`` rows (Excel rows
    1…, padded from column A). A kind qualifies when at most one of its required
    headers is missing (and at least two are there); of those, the row matching the
    most headers wins (then the one missing fewer required headers)."""
    best: tuple[tuple, Match] | None = None
    for r, values in enumerate(rows[:max_rows], start=1):
        texts = _texts(values)
        if not texts:
            continue
        if _PLAN_HEADERS <= {k for _i, _t, k in texts}:
            return Match(PLAN, r, {}, {}, [], {})
        per_kind: dict[str, tuple[dict, dict]] = {}
        for idx, text, key in texts:
            for kind, js in HEADER_INDEX.get(key, {}).items():
                columns, doubles = per_kind.setdefault(kind, ({}, {}))
                fkey = KINDS[kind][1][js[0]].key
                if fkey in columns:
                    doubles.setdefault(fkey, []).append((idx, clean_text(text)))
                else:
                    columns[fkey] = (idx, clean_text(text))
        for kind, (columns, doubles) in per_kind.items():
            fields = KINDS[kind][1]
            missing = [f for f in fields if f.required and f.key not in columns]
            n_required = sum(f.required for f in fields)
            found_required = n_required - len(missing)
            if len(missing) > 1 or found_required < 2:
                continue
            score = (len(columns), found_required / n_required)
            if best is None or score > best[0]:
                headers = {i: c for i, t, _k in texts if (c := clean_text(t))}
                best = (score, Match(kind, r, columns, headers, missing, doubles))
    return best[1] if best else None


# ---------------------------------------------------------------- one workbook

def read_workbook(path: Path, rel: str, params: Params, size: int | None = None,
                  sha256: str | None = None) -> WorkbookRead:
    """Read one workbook. Never raises for a bad file: an unreadable workbook gives
    a ``WorkbookRead`` whose report is not readable and whose one finding is
    ``fichier-illisible`` with the reason."""
    try:
        return _read(Path(path), rel, params, FileReport(rel, True, size=size, sha256=sha256))
    except Exception as exc:  # any failure of a library on this file: one finding, go on
        return WorkbookRead(FileReport(rel, False, size=size, sha256=sha256),
                            findings=[unreadable_finding(rel, unreadable_reason(Path(path), exc))])


@dataclass
class _Sheets:
    """The open workbook: calamine, and for .xlsx/.xlsm the package for the scans."""
    wb: Any
    zf: zipfile.ZipFile | None
    parts: dict[str, str]
    ods: dict[str, SheetScan] = field(default_factory=dict)  # .ods: hidden rows, merged ranges


def _open(path: Path, params: Params) -> _Sheets:
    from python_calamine import CalamineWorkbook

    zf = None
    parts: dict[str, str] = {}
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        is_zip = fh.read(2) == b"PK"
    if is_zip:
        zf = zipfile.ZipFile(path)
        check_package(zf, params)
        if suffix in XML_SUFFIXES or suffix not in ZIP_SUFFIXES:
            parts = sheet_parts(zf)
        if suffix == ".ods" or (suffix not in ZIP_SUFFIXES and not parts):
            return _Sheets(CalamineWorkbook.from_path(str(path)), zf, parts, scan_ods(zf))
    return _Sheets(CalamineWorkbook.from_path(str(path)), zf, parts)


def _read(path: Path, rel: str, params: Params, report: FileReport) -> WorkbookRead:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    out = WorkbookRead(report, records={k: [] for k in KINDS}, rows={k: [] for k in KINDS})
    opened = _open(path, params)
    plan_grids: list = []
    try:
        metas = opened.wb.sheets_metadata
        worksheets = [(i, m) for i, m in enumerate(metas) if m.typ == SheetTypeEnum.WorkSheet]
        if not worksheets:
            raise EmptyWorkbook(path)
        for i, meta in worksheets:
            name = meta.name
            scan = opened.ods.get(name)
            if opened.zf is not None and name in opened.parts:
                scan = scan_part(opened.zf, opened.parts[name])
                if scan.area > params.cellules_max:
                    report.sheets[name] = "illisible"
                    out.findings.append(_too_large(rel, name, scan, params))
                    continue
            hidden = meta.visible != SheetVisibleEnum.Visible
            # rows of styled empty cells after the last value: calamine reads a copy without them
            with (trimmed_workbook(opened.zf, path, {opened.parts[name]: scan.quiet})
                  if scan is not None and scan.quiet is not None else nullcontext(opened.wb)) as wb:
                grid = _read_sheet(wb.get_sheet_by_index(i), name, rel, params, scan, hidden, out)
            if grid is not None:
                plan_grids.append(grid)
    finally:
        opened.wb.close()
        if opened.zf is not None:
            opened.zf.close()
    if plan_grids:
        from ..plan.reader import read_plan_grids

        out.plan, plan_findings = read_plan_grids(rel, plan_grids)
        out.findings.extend(plan_findings)
    return out


def _too_large(rel: str, name: str, scan: SheetScan, params: Params) -> Finding:
    from ..formatting import number

    return Finding(
        None, FEUILLE_ILLISIBLE, ERREUR, rel, name, None, None,
        f"Feuille « {name} » non lue : ses valeurs s'étendent sur {number(scan.max_row, 0)} lignes × "
        f"{number(scan.max_col, 0)} colonnes, soit plus de {number(params.cellules_max, 0)} cellules "
        "(limite lecture.cellules_max). Supprimez les lignes et les colonnes remplies par erreur loin des "
        "données, enregistrez le classeur, puis relancez le traitement.")


def _read_sheet(sheet, name: str, rel: str, params: Params, scan: SheetScan | None, hidden: bool,
                out: WorkbookRead):
    """Read one sheet into ``out``; return its plan grid when it is a plan sheet."""
    report, findings = out.report, out.findings
    rows_iter = sheet_rows(sheet)
    head: list[list] = []          # Excel rows 1…N, padded from column A, "" → None
    pending: tuple | None = None   # the first row after the head, already taken from calamine
    n = params.lignes_en_tete
    for row, c0, values in rows_iter:
        if row > n:
            pending = (row, c0, values)
            break
        while len(head) < row - 1:
            head.append([])
        head.append([None] * c0 + [None if v == "" else v for v in values])
    match = recognise(head, n)
    if match is None:
        if any(any(v is not None for v in r) for r in head):
            report.sheets[name] = "inconnue"
            findings.append(Finding(
                None, FEUILLE_NON_RECONNUE, INFO, rel, name, None, None,
                f"Feuille « {name} » non reconnue : aucune ligne d'en-tête de formulaire, "
                "de registre, de banque, de calendrier ou de plan d'action dans ses "
                f"{n} premières lignes. Elle n'a pas été lue."))
        return None
    report.sheets[name] = match.kind
    merges = _merges(sheet) or (scan.merges if scan is not None else [])

    def all_rows():
        for r, values in enumerate(head, start=1):
            yield r, 0, values
        if pending is not None:
            yield pending
            yield from rows_iter

    if match.kind == PLAN:
        cells: dict[int, dict[int, Any]] = {}
        for r, c0, values in all_rows():
            for j, v in enumerate(values):
                if not _blank(v):
                    cells.setdefault(r, {})[c0 + j + 1] = v
        return (name, cells, merges)

    fields = KINDS[match.kind][1]
    src = len(out.sources)
    out.sources.append(SheetSource(rel, name, match.kind, match.header_row, match.columns, match.headers))
    for f in match.missing_required:
        findings.append(Finding(
            None, COLONNE_ABSENTE, ERREUR, rel, name, match.header_row, None,
            f"Colonne obligatoire « {f.label} » absente de la feuille « {name} » "
            f"({KINDS[match.kind][0]}) : ajoutez-la à la ligne d'en-tête {match.header_row}."))
    for f in fields:
        if f.key in match.doubles:
            others = ", ".join(f"« {h} » (colonne {column_letters(i)})" for i, h in match.doubles[f.key])
            findings.append(Finding(
                None, COLONNE_EN_DOUBLE, INFO, rel, name, match.header_row, match.columns[f.key][1],
                f"La colonne « {f.label} » apparaît plusieurs fois : {others}. La première est lue ; "
                "quand elle est vide sur une ligne, la valeur des suivantes est prise.",
                column_index=match.columns[f.key][0]))
    # 0-based Excel column of each field (None: not in the sheet), and the further columns of a doubled field
    positions = [match.columns[f.key][0] - 1 if f.key in match.columns else None for f in fields]
    extra = {j: [i - 1 for i, _h in match.doubles[f.key]] for j, f in enumerate(fields) if f.key in match.doubles}
    header_key = tuple(fold(match.columns[f.key][1]) if f.key in match.columns else "" for f in fields)
    first_key = next((j for j, h in enumerate(header_key) if h), None)
    records, rows = out.records[match.kind], out.rows[match.kind]
    first = len(records)
    skip_from = 2 if match.kind == FORMS else 0   # FORM_FIELDS start with matricule, nom
    issues = scan.issues if scan is not None else {}
    getters: dict[tuple[int, int], Any] = {}
    fold_cache: dict[str, str] = {}
    for r, c0, values in all_rows():
        if r <= match.header_row:
            continue
        width = len(values)
        key = (c0, width)
        get = getters.get(key)
        if get is None:
            # index of each field in ``values + [None]`` (the last one: not in this row)
            idx = [p - c0 if p is not None and 0 <= p - c0 < width else width for p in positions]
            get = getters[key] = itemgetter(*idx) if len(idx) > 1 else (lambda v, i=idx[0]: (v[i],))
        values.append(None)  # the slot of the fields this row does not reach
        rec = get(values)
        if r in issues:
            rec = _with_issues(rec, issues[r], positions)
        if extra:
            rec = _coalesce(rec, values, c0, extra)
        n_empty = rec.count("") + rec.count(None)
        if n_empty >= len(rec) - skip_from - 6 and all(_blank(v) for v in rec[skip_from:]):
            continue  # empty (a form row with only Matricule and Nom: a pre-filled line left unused)
        if first_key is not None and rec[first_key].__class__ is str:
            v = rec[first_key]
            folded = fold_cache.get(v)
            if folded is None:
                if len(fold_cache) > 100_000:
                    fold_cache.clear()
                folded = fold_cache[v] = fold(v)
            if folded == header_key[first_key] and _repeats_header(rec, header_key):
                continue  # forms pasted one under another bring their header along
        records.append(rec)
        rows.append((name, r, src))
    if merges:
        _fill_merged(records, rows, first, positions, merges, match.header_row)
    n_read = len(records) - first
    report.rows += n_read
    if n_read and scan is not None and len(scan.hidden_rows):
        read_rows = {row for _s, row, _src in rows[first:]}
        hidden_read = sorted(set(scan.hidden_rows) & read_rows)
        if hidden_read:
            findings.append(_hidden_rows(rel, name, hidden_read))
    if n_read and hidden:
        findings.append(Finding(
            None, FEUILLE_MASQUEE, INFO, rel, name, None, None,
            f"La feuille « {name} » ({KINDS[match.kind][0]}) est masquée mais contient {n_read} "
            f"ligne{'s' if n_read > 1 else ''} lue{'s' if n_read > 1 else ''} : elles sont vérifiées et "
            "comptées comme les autres. Affichez-la (clic droit sur un onglet > Afficher) pour vérifier "
            "ce qu'elle contient."))
    return None


def _hidden_rows(rel: str, name: str, rows: list[int]) -> Finding:
    spans: list[str] = []
    start = prev = rows[0]
    for r in rows[1:] + [None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        spans.append(str(start) if start == prev else f"{start} à {prev}")
        if r is not None:
            start = prev = r
    listed = ", ".join(spans[:30]) + (" …" if len(spans) > 30 else "")
    n = len(rows)
    return Finding(
        None, LIGNE_MASQUEE, INFO, rel, name, rows[0], None,
        f"{n} ligne{'s' if n > 1 else ''} masquée{'s' if n > 1 else ''} de la feuille « {name} » "
        f"{'sont lues' if n > 1 else 'est lue'} et vérifiée{'s' if n > 1 else ''} comme les autres "
        f"(ligne{'s' if n > 1 else ''} {listed}) : affichez-les (sélectionnez les lignes autour, clic droit > "
        "Afficher) pour vérifier ce qu'elles contiennent.")


def _merges(sheet) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row), 1-based, of the sheet's merged ranges
    (calamine gives them for .xlsx and .xls; none for .xlsb and .ods)."""
    try:
        ranges = sheet.merged_cell_ranges
    except Exception:
        return []
    return [(c0 + 1, r0 + 1, c1 + 1, r1 + 1) for (r0, c0), (r1, c1) in ranges or []]


def _with_issues(rec: tuple, issues: dict[int, CellIssue], positions: list[int | None]) -> tuple:
    out = list(rec)
    for j, p in enumerate(positions):
        if p is not None and p + 1 in issues and _blank(out[j]):
            out[j] = issues[p + 1]
    return tuple(out)


def _coalesce(rec: tuple, values: list, c0: int, extra: dict[int, list[int]]) -> tuple:
    """A field whose header appears twice: the first non-empty of its columns."""
    out = list(rec)
    n = len(values)
    for j, cols in extra.items():
        if _blank(out[j]):
            out[j] = next((values[i - c0] for i in cols if 0 <= i - c0 < n and not _blank(values[i - c0])),
                          out[j])
    return tuple(out)


def _repeats_header(rec: tuple, header_key: tuple) -> bool:
    """The row repeats the header (its text cells read as the headers)."""
    texts = [(fold(v), h) for v, h in zip(rec, header_key) if isinstance(v, str) and h]
    return len(texts) >= 2 and all(a == h for a, h in texts)


def _fill_merged(records: list, rows: list, first: int, positions: list[int | None],
                 merges: list[tuple[int, int, int, int]], header_row: int) -> None:
    """A value merged down over several rows (one member's id over all of their
    activities) belongs to each of those rows."""
    index_of = {rows[i][1]: i for i in range(first, len(records))}
    for min_col, min_row, max_col, max_row in merges:
        if min_row <= header_row or max_row == min_row or min_row not in index_of:
            continue
        top = records[index_of[min_row]]
        fields = [j for j, p in enumerate(positions) if p is not None and min_col - 1 <= p <= max_col - 1]
        for r in range(min_row + 1, max_row + 1):
            i = index_of.get(r)
            if i is None:
                continue
            rec = list(records[i])
            for j in fields:
                if _blank(rec[j]):
                    rec[j] = top[j]
            records[i] = tuple(rec)


# ---------------------------------------------------------------- the plan reader's input

def plan_grids(path: Path, sheet_names: list[str]) -> list:
    """The grids (see ``plan.reader.Grid``) of the named sheets of a workbook."""
    from python_calamine import CalamineWorkbook

    wanted = set(sheet_names)
    out = []
    wb = CalamineWorkbook.from_path(str(path))
    try:
        for i, name in enumerate(wb.sheet_names):
            if name not in wanted:
                continue
            sheet = wb.get_sheet_by_index(i)
            cells: dict[int, dict[int, Any]] = {}
            for r, c0, values in sheet_rows(sheet):
                for j, v in enumerate(values):
                    if not _blank(v):
                        cells.setdefault(r, {})[c0 + j + 1] = v
            out.append((name, cells, _merges(sheet)))
    finally:
        wb.close()
    return out

"""Read an inbox: every workbook, every sheet recognised by its header row.

``read_inbox(path, params)`` is the whole read stage. It never writes under
the inbox: workbooks are opened read-only. One unreadable workbook becomes one
``fichier-illisible`` finding and the others are read.
"""
from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from ..config import DEFAULT_PARAMS, Params
from ..model import (COLONNE_ABSENTE, COLONNE_EN_DOUBLE, ERREUR, FEUILLE_NON_RECONNUE, FICHIER_ILLISIBLE, INFO,
                     Finding)
from ..text import clean_text, fold, parse_date, parse_number
from .data import PROVENANCE, FileReport, InboxData, SheetSource
from .fields import BANK, CALENDAR, DATE, FORMS, KINDS, MEMBERS, NUMBER, PLAN, STATEMENT, Field

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
# Spreadsheets we recognise but cannot read: they get a clear finding, not silence.
OTHER_SPREADSHEETS = {".xls", ".xlsb", ".ods", ".numbers", ".csv", ".xltx", ".xltm"}
TEMP_PREFIX = ".syndic-batch-tmp-"

Progress = Callable[[int, int, str], None]


class EmptyWorkbook(Exception):
    """openpyxl found no worksheet (a Strict Open XML file, or a broken workbook part)."""


class InboxError(Exception):
    """The inbox itself cannot be read (message in French)."""


# ---------------------------------------------------------------- discovery

def _skipped(rel: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in rel.parts)


def discover(inbox: Path) -> tuple[list[Path], list[Path]]:
    """(workbooks to read, other spreadsheets to report), relative to the inbox,
    sorted. Lock files ``~$…``, hidden files and folders, and the tool's own
    temporary files are skipped."""
    workbooks, others = [], []
    for p in sorted(inbox.rglob("*")):
        rel = p.relative_to(inbox)
        if _skipped(rel) or not p.is_file():
            continue
        suffix = p.suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            workbooks.append(rel)
        elif suffix in OTHER_SPREADSHEETS:
            others.append(rel)
    return workbooks, others


# ---------------------------------------------------------------- why a file is unreadable

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def unreadable_reason(path: Path, exc: BaseException | None = None) -> str:
    """A French reason a treasurer can act on."""
    try:
        size = path.stat().st_size
        head = path.open("rb").read(8) if size else b""
    except OSError as e:
        return f"le fichier ne peut pas être ouvert ({e.strerror or e})."
    suffix = path.suffix.lower()
    if size == 0:
        return "le fichier est vide (0 octet) : il a sans doute été mal copié ou enregistré."
    if head == _OLE_MAGIC:
        data = path.read_bytes()
        if "EncryptionInfo".encode("utf-16-le") in data or b"EncryptionInfo" in data:
            return ("le classeur est protégé par un mot de passe : enregistrez-en une copie sans "
                    "mot de passe (Fichier > Informations > Protéger le classeur).")
        return ("c'est un classeur Excel 97-2003 (.xls) : ouvrez-le et enregistrez-le au format "
                "Classeur Excel (.xlsx).")
    if suffix in OTHER_SPREADSHEETS:
        return (f"le format « {suffix} » n'est pas pris en charge : enregistrez le fichier au "
                "format Classeur Excel (.xlsx).")
    if not zipfile.is_zipfile(path):
        return "ce n'est pas un classeur Excel (.xlsx) : son contenu n'est pas au bon format."
    if isinstance(exc, EmptyWorkbook):
        if _is_strict_ooxml(path):
            return ("le classeur est enregistré au format « Strict Open XML », que l'outil ne lit pas : "
                    "enregistrez-le au format Classeur Excel (.xlsx) ordinaire.")
        return "le classeur ne contient aucune feuille lisible."
    if isinstance(exc, (zipfile.BadZipFile, EOFError)) or (exc and "CRC" in str(exc)):
        return "le classeur est endommagé (archive corrompue) : demandez une nouvelle copie au membre."
    detail = f" ({type(exc).__name__})" if exc else ""
    return f"le classeur est endommagé ou incomplet et ne peut pas être lu{detail}."


def _is_strict_ooxml(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return any(b"purl.oclc.org/ooxml" in z.read(n)[:2000] for n in z.namelist()
                       if n.endswith("workbook.xml"))
    except (zipfile.BadZipFile, OSError, KeyError):
        return False


def unreadable_finding(rel: str, reason: str) -> Finding:
    return Finding(None, FICHIER_ILLISIBLE, ERREUR, rel, None, None, None,
                   f"Classeur illisible : {reason} Le reste de la boîte de réception a été traité.")


# ---------------------------------------------------------------- header recognition

@dataclass
class _Match:
    kind: str
    header_row: int                       # 1-based
    columns: dict[str, tuple[int, str]]   # key -> (1-based column, header as written)
    headers: dict[int, str]
    missing_required: list[Field]
    doubles: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


def _is_plan_header(folded: set[str]) -> bool:
    return {"buts", "objectifs", "actions"} <= folded


def _match_row(values: tuple, kind: str, fields: tuple[Field, ...]
               ) -> tuple[int, dict, list[Field], dict[str, list[tuple[int, str]]]]:
    """(headers matched, field → first column, required fields missing, field →
    the further columns with a header of the same field)."""
    columns: dict[str, tuple[int, str]] = {}
    doubles: dict[str, list[tuple[int, str]]] = {}
    for idx, v in enumerate(values, start=1):
        text = clean_text(v)
        if not text or isinstance(v, (int, float, dt.date)):
            continue
        key = fold(text)
        for f in fields:
            if key in f.accepted:
                if f.key in columns:
                    doubles.setdefault(f.key, []).append((idx, text))
                    continue
                columns[f.key] = (idx, text)
                break
    missing = [f for f in fields if f.required and f.key not in columns]
    return len(columns), columns, missing, doubles


def recognise(rows: list[tuple], max_rows: int) -> _Match | None:
    """The sheet's kind and header row, from its first ``max_rows`` rows. A kind
    qualifies when at most one of its required headers is missing (and at least
    two are there); of those, the row matching the most headers wins (then the
    one missing fewer required headers)."""
    best: tuple[tuple, _Match] | None = None
    for r, values in enumerate(rows[:max_rows], start=1):
        if not values or not any(v is not None for v in values):
            continue
        folded = {fold(v) for v in values if isinstance(v, str)}
        if _is_plan_header(folded):
            return _Match(PLAN, r, {}, {}, [], {})
        for kind, (_name, fields) in KINDS.items():
            n, columns, missing, doubles = _match_row(values, kind, fields)
            n_required = sum(f.required for f in fields)
            found_required = n_required - len(missing)
            if len(missing) > 1 or found_required < 2:
                continue
            score = (n, found_required / n_required)
            if best is None or score > best[0]:
                headers = {i: clean_text(v) for i, v in enumerate(values, start=1) if clean_text(v)}
                best = (score, _Match(kind, r, columns, headers, missing, doubles))
    return best[1] if best else None


# ---------------------------------------------------------------- typing whole columns

def _by_unique(raw: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """Apply ``fn`` once per distinct value (text dates and categories repeat a lot)."""
    values = raw.to_numpy(dtype=object)
    cache: dict[Any, Any] = {}
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        key = (type(v), v)  # True == 1 and False == 0: keep them apart
        try:
            out[i] = cache[key]
        except KeyError:
            out[i] = cache[key] = fn(v)
        except TypeError:  # unhashable: never from openpyxl, but be safe
            out[i] = fn(v)
    return pd.Series(out, index=raw.index, dtype=object)


def _typed(raw: pd.Series, kind: str) -> pd.Series:
    if kind == DATE:
        parsed = _by_unique(raw, parse_date)
        return pd.to_datetime(parsed, errors="coerce").astype("datetime64[ns]")
    if kind == NUMBER:
        return pd.to_numeric(_by_unique(raw, parse_number), errors="coerce").astype("float64")
    return _by_unique(raw, clean_text)


def _frame(fields: tuple[Field, ...], records: list[tuple], provenance: list[tuple]) -> pd.DataFrame:
    """Build the typed frame of one kind from raw cell tuples (one per field) and
    provenance tuples (file, sheet, row, src)."""
    n = len(records)
    raw = pd.DataFrame.from_records(records, columns=[f.key for f in fields], nrows=n) if n else \
        pd.DataFrame({f.key: pd.Series([], dtype=object) for f in fields})
    data: dict[str, pd.Series] = {}
    for f in fields:
        col = raw[f.key].astype(object).where(raw[f.key].notna(), None)
        data[f.key] = _typed(col, f.kind)
        data[f"{f.key}__brut"] = col
    prov = pd.DataFrame.from_records(provenance, columns=list(PROVENANCE), nrows=n) if n else \
        pd.DataFrame({c: pd.Series([], dtype=object) for c in PROVENANCE})
    frame = pd.DataFrame(data)
    for c in PROVENANCE:
        frame[c] = prov[c].to_numpy()
    frame["_row"] = frame["_row"].astype("int64")
    frame["_src"] = frame["_src"].astype("int64")
    return frame.reset_index(drop=True)


# ---------------------------------------------------------------- the inbox

@dataclass
class _Collected:
    records: list[tuple]
    provenance: list[tuple]


def read_inbox(inbox: str | Path, params: Params = DEFAULT_PARAMS,
               progress: Progress | None = None) -> InboxData:
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise InboxError(f"La boîte de réception « {inbox} » n'existe pas ou n'est pas un dossier.")
    workbooks, others = discover(inbox)
    findings: list[Finding] = []
    reports: list[FileReport] = []
    sources: dict[int, SheetSource] = {}
    collected = {kind: _Collected([], []) for kind in KINDS}
    plans = []

    for rel in others:
        relname = rel.as_posix()
        findings.append(unreadable_finding(relname, unreadable_reason(inbox / rel)))
        reports.append(FileReport(relname, readable=False))

    total = len(workbooks)
    for i, rel in enumerate(workbooks):
        relname = rel.as_posix()
        if progress:
            progress(i, total, relname)
        report = FileReport(relname, readable=True)
        try:
            plan_sheets = _read_workbook(inbox / rel, relname, params, report, sources, collected, findings)
        except Exception as exc:  # any failure of the library on this file: one finding, go on
            report = FileReport(relname, readable=False)
            findings.append(unreadable_finding(relname, unreadable_reason(inbox / rel, exc)))
            # forget what this file had added before failing
            findings[:-1] = [f for f in findings[:-1] if f.file != relname]
            for src in [k for k, v in sources.items() if v.file == relname]:
                del sources[src]
            for kind, c in collected.items():
                keep = [j for j, p in enumerate(c.provenance) if p[0] != relname]
                c.records[:] = [c.records[j] for j in keep]
                c.provenance[:] = [c.provenance[j] for j in keep]
            plan_sheets = []
        if plan_sheets:
            plan, plan_findings = _read_plan(inbox / rel, relname, plan_sheets)
            if plan is not None:
                plans.append(plan)
            findings.extend(plan_findings)
        reports.append(report)
    if progress:
        progress(total, total, "")

    frames = {kind: _frame(fields, collected[kind].records, collected[kind].provenance)
              for kind, (_n, fields) in KINDS.items()}
    reports.sort(key=lambda r: r.path)
    return InboxData(
        forms=frames[FORMS], members=frames[MEMBERS], bank=frames[BANK], calendar=frames[CALENDAR],
        plan=_merge_plans(plans), sources=sources, files=reports, findings=findings,
        statements=frames[STATEMENT],
    )


def _read_workbook(path: Path, rel: str, params: Params, report: FileReport,
                   sources: dict[int, SheetSource], collected: dict[str, _Collected],
                   findings: list[Finding]) -> list[str]:
    """Read one workbook's recognised sheets into ``collected``; return its plan sheets."""
    plan_sheets: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's style warnings mean nothing to a treasurer
        wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if not wb.worksheets:
            raise EmptyWorkbook(path)
        for ws in wb.worksheets:
            ws.reset_dimensions()  # trust the cells, not a declared A1:XFD1048576
            rows_iter = ws.iter_rows(values_only=True)
            head: list[tuple] = []
            for values in rows_iter:
                head.append(values)
                if len(head) >= params.lignes_en_tete:
                    break
            match = recognise(head, params.lignes_en_tete)
            if match is None:
                if any(any(v is not None for v in r) for r in head):
                    report.sheets[ws.title] = "inconnue"
                    findings.append(Finding(
                        None, FEUILLE_NON_RECONNUE, INFO, rel, ws.title, None, None,
                        f"Feuille « {ws.title} » non reconnue : aucune ligne d'en-tête de formulaire, "
                        "de registre, de banque, de calendrier ou de plan d'action dans ses "
                        f"{params.lignes_en_tete} premières lignes. Elle n'a pas été lue."))
                continue
            report.sheets[ws.title] = match.kind
            if match.kind == PLAN:
                plan_sheets.append(ws.title)
                continue
            src = len(sources)
            sources[src] = SheetSource(rel, ws.title, match.kind, match.header_row, match.columns, match.headers)
            for f in match.missing_required:
                findings.append(Finding(
                    None, COLONNE_ABSENTE, ERREUR, rel, ws.title, match.header_row, None,
                    f"Colonne obligatoire « {f.label} » absente de la feuille « {ws.title} » "
                    f"({KINDS[match.kind][0]}) : ajoutez-la à la ligne d'en-tête {match.header_row}."))
            fields = KINDS[match.kind][1]
            positions = [match.columns[f.key][0] - 1 if f.key in match.columns else None for f in fields]
            extra = {j: [i - 1 for i, _h in match.doubles[f.key]]
                     for j, f in enumerate(fields) if f.key in match.doubles}
            for f in fields:
                if f.key in match.doubles:
                    others = ", ".join(f"« {h} » (colonne {get_column_letter(i)})" for i, h in match.doubles[f.key])
                    findings.append(Finding(
                        None, COLONNE_EN_DOUBLE, INFO, rel, ws.title, match.header_row, match.columns[f.key][1],
                        f"La colonne « {f.label} » apparaît plusieurs fois : {others}. La première est lue ; "
                        "quand elle est vide sur une ligne, la valeur des suivantes est prise.",
                        column_index=match.columns[f.key][0]))
            header_key = tuple(fold(match.columns[f.key][1]) if f.key in match.columns else "" for f in fields)
            c = collected[match.kind]
            first = len(c.records)
            data_rows = _chain(head[match.header_row:], rows_iter)
            skip_from = 2 if match.kind == FORMS else 0   # FORM_FIELDS start with matricule, nom
            for r, values in enumerate(data_rows, start=match.header_row + 1):
                if not values:
                    continue
                n = len(values)
                rec = tuple(values[p] if p is not None and p < n else None for p in positions)
                if extra:
                    rec = _coalesce(rec, values, extra)
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in rec[skip_from:]):
                    continue  # empty (a form row with only Matricule and Nom: a pre-filled line left unused)
                if _repeats_header(rec, header_key):
                    continue  # forms pasted one under another bring their header along
                c.records.append(rec)
                c.provenance.append((rel, ws.title, r, src))
                report.rows += 1
            merges = _merged_ranges(wb, ws)
            if merges:
                _fill_merged(c, first, positions, merges, match.header_row)
    finally:
        wb.close()
    return plan_sheets


def _coalesce(rec: tuple, values: tuple, extra: dict[int, list[int]]) -> tuple:
    """A field whose header appears twice: the first non-empty of its columns."""
    out = list(rec)
    n = len(values)
    for j, cols in extra.items():
        if out[j] is None or (isinstance(out[j], str) and not out[j].strip()):
            out[j] = next((values[i] for i in cols if i < n and values[i] is not None), out[j])
    return tuple(out)


def _repeats_header(rec: tuple, header_key: tuple) -> bool:
    """The row repeats the header (its text cells read as the headers)."""
    j = next((i for i, h in enumerate(header_key) if h), None)
    if j is None or not isinstance(rec[j], str) or fold(rec[j]) != header_key[j]:
        return False  # the cheap test, on the first field with a header
    texts = [(fold(v), h) for v, h in zip(rec, header_key) if isinstance(v, str) and h]
    return len(texts) >= 2 and all(a == h for a, h in texts)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _merged_ranges(wb, ws) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of the sheet's merged cells. The
    read-only worksheet does not expose them, so read them from the sheet's XML."""
    path = getattr(ws, "_worksheet_path", None)
    archive = getattr(wb, "_archive", None)
    if not path or archive is None:
        return []
    try:
        xml = archive.read(path)
    except KeyError:
        return []
    return [(column_index_from_string(a.decode()), int(b), column_index_from_string(c.decode()), int(d))
            for a, b, c, d in _MERGE.findall(xml)]


def _fill_merged(c: "_Collected", first: int, positions: list[int | None],
                 merges: list[tuple[int, int, int, int]], header_row: int) -> None:
    """A value merged down over several rows (one member's id over all of their
    activities) belongs to each of those rows."""
    index_of = {c.provenance[i][2]: i for i in range(first, len(c.records))}
    for min_col, min_row, max_col, max_row in merges:
        if min_row <= header_row or max_row == min_row or min_row not in index_of:
            continue
        top = c.records[index_of[min_row]]
        fields = [j for j, p in enumerate(positions) if p is not None and min_col - 1 <= p <= max_col - 1]
        for r in range(min_row + 1, max_row + 1):
            i = index_of.get(r)
            if i is None:
                continue
            rec = list(c.records[i])
            for j in fields:
                if rec[j] is None:
                    rec[j] = top[j]
            c.records[i] = tuple(rec)


def _chain(first: list[tuple], rest: Iterable[tuple]) -> Iterable[tuple]:
    yield from first
    yield from rest


def _read_plan(path: Path, rel: str, sheets: list[str]):
    from ..plan.reader import read_plan_workbook

    try:
        return read_plan_workbook(path, rel, sheets)
    except Exception as exc:  # the plan reader failing on a file must not stop the batch
        return None, [unreadable_finding(rel, unreadable_reason(path, exc))]


def _merge_plans(plans: list):
    if not plans:
        return None
    if len(plans) == 1:
        return plans[0]
    from ..plan.model import Plan

    merged = Plan()
    for p in plans:
        merged.axes.extend(p.axes)
        merged.files.extend(p.files)
        merged.years.extend(y for y in p.years if y not in merged.years)
    return merged

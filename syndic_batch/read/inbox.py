"""Read an inbox: every workbook, every sheet recognised by its header row.

``read_inbox(path, params, progress=None, cache_dir=None)`` is the whole read
stage. It finds the workbooks (``discover``), reads each one once with
``read.workbook.read_workbook`` — a pure function of the file's content and the
parameters, whose result is cached under ``cache_dir`` when one is given — and
assembles the typed frames. It never writes under the inbox. One unreadable
workbook becomes one ``fichier-illisible`` finding and the others are read.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from .. import __version__
from ..config import DEFAULT_PARAMS, Params, params_hash
from ..model import (AVERTISSEMENT, CLASSEUR_EN_DOUBLE, CLASSEUR_OUVERT, DOSSIER_IGNORE, INFO, LIEN_IGNORE,
                     Finding)
from ..text import clean_text, parse_date, parse_number
from .data import FileReport, InboxData, SheetSource, WorkbookRead
from .fields import BANK, CALENDAR, DATE, FORMS, KINDS, MEMBERS, NUMBER, STATEMENT, TEXT, Field
# kept importable from here (older callers and tests)
from .workbook import (EmptyWorkbook, read_workbook, recognise, unreadable_finding,  # noqa: F401
                       unreadable_reason)

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
# Spreadsheets we recognise but cannot read: they get a clear finding, not silence.
OTHER_SPREADSHEETS = {".numbers", ".csv", ".xltx", ".xltm", ".xlt", ".ots", ".fods"}
TEMP_PREFIX = ".syndic-batch-tmp-"
LOCK_PREFIX = "~$"                # Excel's lock file beside an open workbook
LO_LOCK = (".~lock.", "#")       # LibreOffice's: .~lock.NAME#

Progress = Callable[[int, int, str], None]


class InboxError(Exception):
    """The inbox itself cannot be read (message in French)."""


# ---------------------------------------------------------------- discovery

@dataclass
class Discovery:
    workbooks: list[Path] = field(default_factory=list)   # relative to the inbox, sorted
    others: list[Path] = field(default_factory=list)      # other spreadsheets, reported
    locks: list[Path] = field(default_factory=list)       # ~$… and .~lock.…# files
    findings: list[Finding] = field(default_factory=list)  # folders and links skipped


def _skipped(rel: Path) -> bool:
    return any(part.startswith((".", LOCK_PREFIX)) for part in rel.parts)


def discover_all(inbox: Path) -> Discovery:
    """Walk the inbox without following links. Lock files, hidden files and folders
    and the tool's own temporary files are not read; a sub-folder that cannot be
    read, a link to a folder and a broken link each give an info."""
    found = Discovery()

    def unreadable_dir(err: OSError) -> None:
        where = Path(err.filename) if err.filename else inbox
        rel = _rel(inbox, where)
        if rel == ".":
            return  # the inbox itself: read_inbox says so
        found.findings.append(Finding(
            None, DOSSIER_IGNORE, INFO, rel, None, None, None,
            f"Le dossier « {rel} » n'a pas pu être lu ({_os_reason(err)}) : ses classeurs n'ont pas été "
            "traités. Vérifiez ses autorisations ou copiez ses classeurs ailleurs dans la boîte de réception."))

    for dirpath, dirnames, filenames in os.walk(inbox, onerror=unreadable_dir, followlinks=False):
        here = Path(dirpath)
        for d in sorted(dirnames):
            p = here / d
            rel = p.relative_to(inbox)
            if p.is_symlink() and not _skipped(rel):
                found.findings.append(_link_finding(inbox, p))
        dirnames[:] = sorted(d for d in dirnames if not (here / d).is_symlink() and not d.startswith("."))
        for name in sorted(filenames):
            p = here / name
            rel = p.relative_to(inbox)
            if name.startswith(LOCK_PREFIX) or (name.startswith(LO_LOCK[0]) and name.endswith(LO_LOCK[1])):
                found.locks.append(rel)
                continue
            if _skipped(rel):
                continue
            if p.is_symlink() and not p.exists():
                found.findings.append(_link_finding(inbox, p))
                continue
            suffix = p.suffix.lower()
            if suffix in WORKBOOK_SUFFIXES:
                found.workbooks.append(rel)
            elif suffix in OTHER_SPREADSHEETS:
                found.others.append(rel)
    found.workbooks.sort()
    found.others.sort()
    return found


def discover(inbox: Path) -> tuple[list[Path], list[Path]]:
    """(workbooks to read, other spreadsheets to report), relative to the inbox, sorted."""
    d = discover_all(inbox)
    return d.workbooks, d.others


def _rel(inbox: Path, p: Path) -> str:
    try:
        return p.relative_to(inbox).as_posix() or "."
    except ValueError:
        return p.as_posix()


def _os_reason(err: OSError) -> str:
    import errno

    return {errno.EACCES: "permission refusée", errno.EPERM: "opération non permise",
            errno.ENOENT: "introuvable", errno.ELOOP: "trop de liens symboliques"}.get(
        err.errno, err.strerror or type(err).__name__)


def _link_finding(inbox: Path, p: Path) -> Finding:
    rel = _rel(inbox, p)
    try:
        target = os.readlink(p)
    except OSError:
        target = "?"
    if p.exists():
        msg = (f"« {rel} » est un lien vers le dossier « {target} » : il n'a pas été suivi (l'outil ne lit que "
               "ce qui est dans la boîte de réception). Copiez-y les classeurs à traiter.")
    else:
        msg = (f"« {rel} » est un lien brisé (sa cible « {target} » n'existe pas) : il a été ignoré. "
               "Supprimez-le ou copiez le classeur voulu dans la boîte de réception.")
    return Finding(None, LIEN_IGNORE, INFO, rel, None, None, None, msg)


def _lock_findings(found: Discovery, present: set[str]) -> list[Finding]:
    """One avertissement per workbook that has a lock file beside it."""
    out = []
    for lock in found.locks:
        name = lock.name
        if name.startswith(LOCK_PREFIX):
            stem, app = name[len(LOCK_PREFIX):], "Excel"
        else:
            stem, app = name[len(LO_LOCK[0]):-len(LO_LOCK[1])], "LibreOffice"
        folder = lock.parent
        # Excel drops the first two letters of a long name: ~$rmulaires.xlsx for formulaires.xlsx
        candidates = [(folder / stem).as_posix()] + sorted(
            p for p in present if Path(p).parent == folder and Path(p).name[2:] == stem and app == "Excel")
        target = next((c for c in candidates if c in present), None)
        if target is None:
            continue
        out.append(Finding(
            None, CLASSEUR_OUVERT, AVERTISSEMENT, target, None, None, None,
            f"Le classeur « {target} » est ouvert dans {app} (fichier de verrouillage « {lock.as_posix()} » "
            "à côté) : ses modifications non enregistrées ne sont pas dans le fichier lu. Enregistrez-le, "
            "fermez-le, puis relancez le traitement."))
    return out


# ---------------------------------------------------------------- typing whole columns

_TYPE_OF = np.frompyfunc(type, 1, 1)
_EMPTY_TYPED = {DATE: np.datetime64("NaT", "ns"), NUMBER: np.nan}


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of an object array whose empty cells are already ``None``
    (coded -1). True and 1 (False and 0) stay apart, and so do 1 and 1.0: a raw cell keeps
    its type; when pandas' factorize cannot tell them apart, ``_codes_small``'s loop does."""
    try:
        if not len(values) or not ((_TYPE_OF(values) == bool).any()):
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            uniques = np.asarray(uniques, dtype=object)
            kinds = _TYPE_OF(uniques)
            # factorize counts 1 and 1.0 as one value: keep them apart the slow way
            if not ((kinds == int).any() and (kinds == float).any()):
                return codes, uniques
    except TypeError:  # unhashable: never from calamine, but be safe
        pass
    return _codes_small(values)  # no "" and no NaN left: it codes only None as empty


# The classes a cell read by calamine holds; any other one is asked ``pd.isna``.
_PLAIN = frozenset({str, float, int, bool, dt.date, dt.datetime, dt.time, dt.timedelta})
# Below this many rows a column is coded in plain Python: pandas' per-call cost
# (factorize, isna) is larger than the work on a small workbook.
_SMALL = 1024


def _codes_small(values) -> tuple[np.ndarray, np.ndarray]:
    """``_codes`` of a column of raw cell values in plain Python (a short column, or one
    pandas' factorize cannot code), empty cells (None, NaN, ``""``: calamine's) coded -1;
    the same codes and distinct values."""
    index: dict[Any, int] = {}
    distinct: list[Any] = []
    codes = []
    for v in values:
        cls = v.__class__
        if v is None or (cls is str and not v) or (cls is float and v != v):
            codes.append(-1)
            continue
        if cls not in _PLAIN:
            try:
                if v == "" or pd.isna(v) is True:
                    codes.append(-1)
                    continue
            except (TypeError, ValueError):
                pass
        key = (cls, v)
        try:
            c = index.get(key)
        except TypeError:
            c, key = None, None
        if c is None:
            c = len(distinct)
            distinct.append(v)
            if key is not None:
                index[key] = c
        codes.append(c)
    uniques = np.empty(len(distinct), dtype=object)
    uniques[:] = distinct
    return np.array(codes, dtype=np.intp), uniques


def _type_distinct(uniques: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(typed value, natural) of each distinct raw value. A raw value is *natural* when
    the typed value gives it back: a clean text, a real number, a real date. Only the
    raw cells that are not natural are kept (``InboxData.raw``)."""
    n = len(uniques)
    natural = np.zeros(n, dtype=bool)
    if kind == DATE:
        parsed = [parse_date(u) for u in uniques]   # a date or None (NaT)
        typed = np.array(parsed, dtype="datetime64[D]").astype("datetime64[ns]") if n \
            else np.empty(0, dtype="datetime64[ns]")
        for i, (u, d) in enumerate(zip(uniques, parsed)):
            if d is None:
                continue
            cls = u.__class__
            if cls is dt.date:
                natural[i] = True   # parse_date gives the date back
            elif cls is dt.datetime:
                natural[i] = u.tzinfo is None and not (u.hour or u.minute or u.second or u.microsecond)
            elif isinstance(u, dt.date):
                try:
                    natural[i] = pd.Timestamp(u) == pd.Timestamp(typed[i])
                except (ValueError, OverflowError, TypeError):
                    pass
        return typed, natural
    if kind == NUMBER:
        parsed = [parse_number(u) for u in uniques]   # a float or None (NaN)
        typed = np.array([np.nan if p is None else p for p in parsed], dtype="float64")
        for i, (u, t) in enumerate(zip(uniques, typed)):
            natural[i] = (u.__class__ is float or u.__class__ is int) and u == t
        return typed, natural
    typed = np.empty(n, dtype=object)
    typed[:] = [clean_text(u) for u in uniques]
    for i, (u, t) in enumerate(zip(uniques, typed)):
        natural[i] = u.__class__ is str and u == t
    return typed, natural


@dataclass
class _Chunk:
    """The rows of one kind read from one workbook, typed, file-local (what the read
    cache stores, see ``TypedWorkbook``). ``typed[key]``: dates ``datetime64[ns]``,
    numbers ``float64``, text ``(codes, texts)`` (``texts[codes]`` is the column; the
    last text is None, for the code -1 of an empty cell); ``raw[key]``: the raw cells that
    are not natural (positions, values); provenance: ``sheets`` (codes, names), Excel
    ``rows``, file-local source ids ``src``."""
    n: int
    typed: dict[str, Any]
    raw: dict[str, tuple[np.ndarray, np.ndarray]]
    sheets: tuple[np.ndarray, np.ndarray]
    rows: np.ndarray
    src: np.ndarray


def _chunk(fields: tuple[Field, ...], records: list[tuple], provenance: list[tuple[str, int, int]]) -> _Chunk:
    """One workbook's rows of one kind (``WorkbookRead.records[kind]``, ``.rows[kind]``), typed."""
    n = len(records)
    typed: dict[str, Any] = {}
    raw: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    small = n <= _SMALL
    if small:
        cells = list(zip(*records)) if n else [()] * len(fields)
    else:
        cells = np.empty((n, len(fields)), dtype=object)
        cells[:] = records
    for j, f in enumerate(fields):
        if small:
            col = cells[j]
            codes, uniques = _codes_small(col)
        else:
            col = cells[:, j]
            empty = pd.isna(col) | (col == "")  # calamine's empty cell is ""
            if empty.any():
                col = col.copy()
                col[empty] = None
            codes, uniques = _codes(col)
        typed_u, natural_u = _type_distinct(uniques, f.kind)
        natural_u = np.append(natural_u, True)  # code -1: an empty cell
        if f.kind == TEXT:
            typed[f.key] = (codes.astype(np.int32), np.append(typed_u, np.array([None], dtype=object)))
        else:
            typed[f.key] = np.append(typed_u, _EMPTY_TYPED[f.kind])[codes]
        pos = np.flatnonzero(~natural_u[codes])
        if small:
            kept = np.empty(len(pos), dtype=object)
            kept[:] = [col[i] for i in pos]
        else:
            kept = col[pos]
        raw[f.key] = (pos, kept)
    del cells, col
    names: dict[str, int] = {}
    sheet_codes = np.fromiter((names.setdefault(p[0], len(names)) for p in provenance), dtype=np.int32, count=n)
    sheet_names = np.empty(len(names), dtype=object)
    sheet_names[:] = list(names)
    rows = np.fromiter((p[1] for p in provenance), dtype=np.int64, count=n)
    src = np.fromiter((p[2] for p in provenance), dtype=np.int64, count=n)
    return _Chunk(n, typed, raw, (sheet_codes, sheet_names), rows, src)


@dataclass
class TypedWorkbook:
    """One workbook's read, typed: what ``read_inbox`` keeps of it and what the read
    cache stores (columns that load straight into the frames). ``sources`` and the
    chunks' ``src`` are file-local (``_take`` renumbers them)."""
    report: FileReport
    sources: list[SheetSource] = field(default_factory=list)
    chunks: dict[str, _Chunk] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    plan: Any = None


def typed_workbook(wr: WorkbookRead) -> TypedWorkbook:
    """A ``WorkbookRead``'s rows typed, one chunk per kind that has rows."""
    chunks = {}
    for kind, (_n, fields) in KINDS.items():
        recs = wr.records.get(kind) or []
        if recs:
            chunks[kind] = _chunk(fields, recs, wr.rows.get(kind) or [])
    return TypedWorkbook(wr.report, list(wr.sources), chunks, list(wr.findings), wr.plan)


def _intern(values: np.ndarray, texts: dict[str, str]) -> None:
    """Each ``str`` of ``values`` replaced, in place, by the inbox's one object for that
    text (``texts``): a matricule in twelve monthly workbooks is one ``str``, and the
    cells kept do not hold a freed workbook's memory."""
    for i, v in enumerate(values):
        if v.__class__ is str:
            values[i] = texts.setdefault(v, v)


def _frame(fields: tuple[Field, ...], chunks: list[tuple[str, _Chunk]],
           no_raw: pd.Series) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """The typed frame of one kind from its workbooks' chunks ``(relative path, chunk)``
    (``src`` already renumbered), and its raw cells that are not natural (field →
    Series of raw values indexed by row; ``no_raw``, one empty Series, where none).
    Column by column: each chunk's array is let go once its column is built, and every
    column is its own block (no 2-D copy)."""
    raw: dict[str, pd.Series] = {}
    sizes = [c.n for _r, c in chunks]
    n = sum(sizes)
    offsets = np.cumsum([0] + sizes)
    columns: list[Any] = []
    for f in fields:
        parts = [c.typed.pop(f.key) for _r, c in chunks]
        if f.kind == TEXT:
            col = np.empty(n, dtype=object)
            for (codes, texts), a, b in zip(parts, offsets[:-1], offsets[1:]):
                col[a:b] = texts[codes]
        elif parts:
            col = np.concatenate(parts)
        else:
            col = np.empty(0, dtype={DATE: "datetime64[ns]", NUMBER: "float64"}[f.kind])
        del parts
        columns.append(col)
        kept = [c.raw.pop(f.key) for _r, c in chunks]
        kept = [(p + off, v) for (p, v), off in zip(kept, offsets) if len(p)]
        raw[f.key] = pd.Series(np.concatenate([v for _p, v in kept]),
                               index=np.concatenate([p for p, _v in kept]).astype("int64"),
                               dtype=object) if kept else no_raw
    file_col = np.empty(n, dtype=object)
    sheet_col = np.empty(n, dtype=object)
    for (rel, c), a, b in zip(chunks, offsets[:-1], offsets[1:]):
        file_col[a:b] = rel
        codes, names = c.sheets
        sheet_col[a:b] = names[codes]
    # _file and _sheet: pandas' str dtype, as inferred from their texts
    columns.append(pd.Series(file_col, copy=False).array)
    columns.append(pd.Series(sheet_col, copy=False).array)
    columns.append(np.concatenate([c.rows for _r, c in chunks]) if chunks else np.empty(0, dtype="int64"))
    columns.append(np.concatenate([c.src for _r, c in chunks]) if chunks else np.empty(0, dtype="int64"))
    for _r, c in chunks:
        c.sheets = c.rows = c.src = None  # type: ignore[assignment]
    names = [f.key for f in fields] + ["_file", "_sheet", "_row", "_src"]
    return _columns_frame(columns, names, pd.RangeIndex(n)), raw


def _columns_frame(columns: list[Any], names: list[str], index: pd.RangeIndex) -> pd.DataFrame:
    """A DataFrame holding each array as its own block, as is: no copy, no type
    inference (pandas' public low-level constructor; one ``frame[key] = …`` per
    column costs ~0.1 ms, most of a small inbox's assembly)."""
    from pandas.api.internals import create_dataframe_from_blocks

    blocks = [(col.reshape(1, -1) if isinstance(col, np.ndarray) else col, np.array([i]))
              for i, col in enumerate(columns)]
    columns.clear()
    return create_dataframe_from_blocks(blocks, index=index, columns=pd.Index(names))


# ---------------------------------------------------------------- content and cache

def file_digest(path: Path) -> tuple[int, str]:
    """(size in bytes, sha256 hex) of a file, read in chunks."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


# What a cache entry holds; part of its key, so that another layout is never loaded.
CACHE_FORMAT = "classeur-type-1"


def cache_key(sha256: str, rel: str, params: Params, phash: str | None = None) -> str:
    """The cache entry of a workbook: its content, the tool's version, the
    parameters (``phash``: their hash, when already known), its path (findings and
    sources name it) and the entry's format."""
    text = "\n".join((sha256, __version__, phash or params_hash(params), rel, CACHE_FORMAT))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cached_read(path: Path, rel: str, params: Params, size: int, sha: str,
                 cache_dir: Path | None, phash: str | None = None) -> TypedWorkbook:
    """The workbook's typed read: from ``cache_dir`` when its entry is there and sound,
    else read, typed, and stored there (a cache that cannot be written only costs time)."""
    if cache_dir is None:
        return typed_workbook(read_workbook(path, rel, params, size, sha))
    entry = Path(cache_dir) / f"{cache_key(sha, rel, params, phash)}.pickle"
    try:
        with entry.open("rb") as fh:
            got = pickle.load(fh)
        if isinstance(got, TypedWorkbook) and got.report.sha256 == sha and got.report.path == rel:
            return got
    except Exception:  # absent, truncated, from another version: read again and rewrite
        pass
    result = typed_workbook(read_workbook(path, rel, params, size, sha))
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except OSError:
        pass
    return result


# ---------------------------------------------------------------- the inbox

def read_inbox(inbox: str | Path, params: Params = DEFAULT_PARAMS, progress: Progress | None = None,
               cache_dir: Path | None = None) -> InboxData:
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise InboxError(f"La boîte de réception « {inbox} » n'existe pas ou n'est pas un dossier.")
    found = discover_all(inbox)
    findings: list[Finding] = list(found.findings)
    reports: list[FileReport] = []
    chunks: dict[str, list[tuple[str, _Chunk]]] = {kind: [] for kind in KINDS}
    sources: dict[int, SheetSource] = {}
    plans: list = []
    read_findings: list[Finding] = []  # the workbooks' own, after the inbox's (as before)
    texts: dict[str, str] = {}         # one object per distinct text of the inbox (``_intern``)

    for rel in found.others:
        relname = rel.as_posix()
        findings.append(unreadable_finding(relname, unreadable_reason(inbox / rel)))
        reports.append(FileReport(relname, readable=False))

    findings += _lock_findings(found, {r.as_posix() for r in found.workbooks})
    digests: dict[str, tuple[int, str]] = {}
    for rel in found.workbooks:
        try:
            digests[rel.as_posix()] = file_digest(inbox / rel)
        except OSError as exc:
            reports.append(FileReport(rel.as_posix(), readable=False))
            findings.append(unreadable_finding(rel.as_posix(), unreadable_reason(inbox / rel, exc)))
    # of identical workbooks, the original is the shortest name (« 2026-11.xlsx » before
    # « 2026-11 (1).xlsx » or « Copie de 2026-11.xlsx »), then the first path
    original_of: dict[str, str] = {}
    for relname in sorted(digests, key=lambda p: (len(Path(p).name), p)):
        original_of.setdefault(digests[relname][1], relname)
    total = len(found.workbooks)
    phash = params_hash(params) if cache_dir is not None else None
    for i, rel in enumerate(found.workbooks):
        relname = rel.as_posix()
        if progress:
            progress(i, total, relname)
        if relname not in digests:
            continue
        size, sha = digests[relname]
        original = original_of[sha]
        if original != relname:
            reports.append(FileReport(relname, readable=True, size=size, sha256=sha, duplicate_of=original))
            findings.append(Finding(
                None, CLASSEUR_EN_DOUBLE, AVERTISSEMENT, relname, None, None, None,
                f"Ce classeur est identique à « {original} » (même contenu) : il n'a été lu qu'une fois, "
                "ses lignes ne sont pas comptées deux fois. Supprimez la copie de la boîte de réception."))
            continue
        tw = _cached_read(inbox / rel, relname, params, size, sha, cache_dir, phash)
        _take(tw, chunks, sources, read_findings, plans, texts)
        reports.append(tw.report)
        del tw
    if progress:
        progress(total, total, "")
    return _inbox_data(chunks, sources, findings + read_findings, reports, plans)


def _take(tw: TypedWorkbook, chunks: dict[str, list[tuple[str, _Chunk]]], sources: dict[int, SheetSource],
          findings: list[Finding], plans: list, texts: dict[str, str]) -> None:
    """Add one workbook's typed read to the inbox's: its sources renumbered, its texts
    made the inbox's (``_intern``), its chunks, findings and plan."""
    offset = len(sources)
    for j, s in enumerate(tw.sources):
        sources[offset + j] = s
    rel = tw.report.path
    for kind, chunk in tw.chunks.items():
        if offset:
            chunk.src = chunk.src + offset
        for key, typed in chunk.typed.items():
            if isinstance(typed, tuple):
                _intern(typed[1], texts)
        for _pos, kept in chunk.raw.values():
            if kept.dtype == object:
                _intern(kept, texts)
        chunks[kind].append((rel, chunk))
    findings.extend(tw.findings)
    if tw.plan is not None:
        plans.append(tw.plan)


def _inbox_data(chunks: dict[str, list[tuple[str, _Chunk]]], sources: dict[int, SheetSource],
                findings: list[Finding], reports: list[FileReport], plans: list) -> InboxData:
    frames, raw = {}, {}
    no_raw = pd.Series(np.empty(0, dtype=object), index=np.empty(0, dtype="int64"), dtype=object)
    for kind, (_n, fields) in KINDS.items():
        frames[kind], raw[kind] = _frame(fields, chunks[kind], no_raw)
        chunks[kind].clear()
    reports = sorted(reports, key=lambda r: r.path)
    return InboxData(
        forms=frames[FORMS], members=frames[MEMBERS], bank=frames[BANK], calendar=frames[CALENDAR],
        plan=_merge_plans(plans), sources=sources, files=reports, findings=findings,
        statements=frames[STATEMENT], raw=raw,
    )


def assemble(reads: list[WorkbookRead], findings: list[Finding], reports: list[FileReport]) -> InboxData:
    """The inbox's data from the workbooks' reads: sources renumbered, frames typed."""
    chunks: dict[str, list[tuple[str, _Chunk]]] = {kind: [] for kind in KINDS}
    sources: dict[int, SheetSource] = {}
    plans: list = []
    findings = list(findings)
    texts: dict[str, str] = {}
    for wr in reads:
        _take(typed_workbook(wr), chunks, sources, findings, plans, texts)
    return _inbox_data(chunks, sources, findings, reports, plans)


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

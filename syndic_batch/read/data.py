"""What the read stage hands to the checks: typed frames that remember cells.

Every frame built from sheets (forms, members, bank, calendar, statements) has
one column per field (``Field.key``, typed: ``datetime64`` for dates, ``float``
for numbers, ``str``/None for text) and these provenance columns:

``_file``  path relative to the inbox, with ``/``
``_sheet`` sheet name
``_row``   Excel row number (1-based)
``_src``   key into ``InboxData.sources`` (the sheet's column map)

A field absent from a sheet is an all-null column; ``SheetSource.columns`` tells
whether the sheet had it. Every frame has a ``RangeIndex``: a form's position
is its id (``Finding.form_id``).

The cells as written are not kept beside the typed values (one Python object per
cell: most of the memory of a large inbox). A raw cell is *natural* when its typed
value gives it back (a clean text, a real number, a real date); only the other
ones are kept, in ``InboxData.raw`` (text dates, decimal commas, text that needed
cleaning, unreadable values, Excel errors, a lone ``-``…). ``InboxData.raw_cells``
rebuilds a whole column as written; ``blank_cells`` and ``raw_exceptions`` give
the rules what they need without building it (docs/decisions.md, *Memory*).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..model import Finding
from ..text import folded

if TYPE_CHECKING:
    from ..plan.model import Plan

PROVENANCE = ("_file", "_sheet", "_row", "_src")


@dataclass
class SheetSource:
    """One recognised sheet: where its header is and which column holds which field."""

    file: str
    sheet: str
    kind: str
    header_row: int
    # field key -> (1-based column index, header text as written in the file)
    columns: dict[str, tuple[int, str]]
    # every header of the row, including the extra columns we keep but do not read
    headers: dict[int, str] = field(default_factory=dict)


@dataclass
class FileReport:
    """What happened to one file of the inbox."""

    path: str                      # relative to the inbox, with /
    readable: bool
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name -> kind (or "inconnue")
    rows: int = 0                  # data rows read from recognised sheets
    size: int | None = None        # bytes
    sha256: str | None = None      # of the file's bytes (the journal records inputs by it)
    duplicate_of: str | None = None  # same content as this other file: not read again


@dataclass
class WorkbookRead:
    """Everything reading one workbook gives (``read.workbook.read_workbook``): a pure,
    picklable result, cached by content (``read.inbox.read_inbox(cache_dir=...)``).

    ``records[kind]`` holds one tuple of raw cell values per row read, in the order of
    ``fields.KINDS[kind]``; ``rows[kind]`` the matching ``(sheet, Excel row, source)``,
    where ``source`` indexes ``sources`` (file-local; ``read_inbox`` renumbers them)."""

    report: FileReport
    sources: list[SheetSource] = field(default_factory=list)
    records: dict[str, list[tuple]] = field(default_factory=dict)
    rows: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    plan: "Plan | None" = None


@dataclass
class InboxData:
    forms: pd.DataFrame
    members: pd.DataFrame
    bank: pd.DataFrame
    calendar: pd.DataFrame
    plan: "Plan | None"
    sources: dict[int, SheetSource]
    files: list[FileReport]
    findings: list[Finding]        # what reading found (fichier-illisible, feuille-non-reconnue, ...)
    # the employer's statements (Relevé de l'Employeur), same shape as the others; empty when none
    statements: pd.DataFrame | None = None
    # kind → field key → the raw cells that are not natural (see above): values indexed
    # by row of the kind's frame, ascending. Empty for a frame built without it.
    raw: dict[str, dict[str, pd.Series]] = field(default_factory=dict)

    def frame(self, kind: str) -> pd.DataFrame:
        """The frame of a kind of sheet (``read.fields``: formulaires, registre, …)."""
        from .fields import BANK, CALENDAR, FORMS, MEMBERS, STATEMENT

        return {FORMS: self.forms, MEMBERS: self.members, BANK: self.bank, CALENDAR: self.calendar,
                STATEMENT: self.statements}[kind]

    def raw_exceptions(self, kind: str, key: str) -> pd.Series:
        """The cells of field ``key`` that are not natural, as written, indexed by row
        (ascending): every cell whose typed value is missing but which is not empty is
        there (unreadable values, Excel errors, a lone ``-``)."""
        frame = self.frame(kind)
        brut = f"{key}__brut"
        if brut in frame:  # a frame built by hand with its raw column
            col = frame[brut]
            return col[col.notna()].astype(object)
        got = self.raw.get(kind, {}).get(key)
        return got if got is not None else pd.Series([], index=pd.Index([], dtype="int64"), dtype=object)

    def raw_cells(self, kind: str, key: str) -> pd.Series:
        """Field ``key``'s cells as written (object Series indexed like the frame): the
        raw value where it is not natural, the typed value elsewhere (a date as a
        ``Timestamp``), None where the cell is empty. Built on demand: one column at a time."""
        frame = self.frame(kind)
        brut = f"{key}__brut"
        if brut in frame:
            return frame[brut]
        typed = frame[key]
        values = typed.to_numpy()
        if values.dtype == object:
            out = values.copy()
        else:
            out = np.full(len(values), None, dtype=object)
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            present = codes >= 0
            if values.dtype.kind == "M":
                distinct = pd.DatetimeIndex(uniques).astype(object).to_numpy()
            else:
                distinct = np.asarray(uniques, dtype=object)
            out[present] = distinct[codes[present]]
        exc = self.raw_exceptions(kind, key)
        if len(exc):
            out[exc.index.to_numpy()] = exc.to_numpy()
        return pd.Series(out, index=frame.index, dtype=object)

    def blank_cells(self, kind: str, key: str) -> pd.Series:
        """Per row: nothing was written in field ``key``'s cell (empty, spaces, a lone
        dash or mark such as ``-``, ``?``): ``rules.base.blank`` of ``raw_cells``,
        without building it."""
        frame = self.frame(kind)
        brut = f"{key}__brut"
        if brut in frame:
            return folded(frame[brut]) == ""
        typed = frame[key]
        # a natural cell is blank when its typed value is (a text) or never (a date, a number)
        base = (folded(typed) == "") if typed.dtype == object else typed.isna()
        exc = self.raw_exceptions(kind, key)
        if not len(exc):
            return base
        out = base.to_numpy(dtype=bool).copy()
        out[exc.index.to_numpy()] = (folded(exc) == "").to_numpy(dtype=bool)
        return pd.Series(out, index=frame.index)

    def column_of(self, src: int, key: str) -> tuple[int, str] | None:
        """(column index, header as written) of a field in a sheet, or None."""
        return self.sources[src].columns.get(key)

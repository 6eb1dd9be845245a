"""What the read stage hands to the checks: typed frames that remember cells.

Every frame built from sheets (forms, members, bank, calendar) has, besides one
column per field (``Field.key``, typed: ``datetime64`` for dates, ``float`` for
numbers, ``str``/None for text) and its raw cell value (``<key>__brut``), these
provenance columns:

``_file``  path relative to the inbox, with ``/``
``_sheet`` sheet name
``_row``   Excel row number (1-based)
``_src``   key into ``InboxData.sources`` (the sheet's column map)

A field absent from a sheet is an all-null column; ``SheetSource.columns`` tells
whether the sheet had it. The forms frame has a ``RangeIndex``: a form's
position is its id (``Finding.form_id``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..model import Finding

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

    def column_of(self, src: int, key: str) -> tuple[int, str] | None:
        """(column index, header as written) of a field in a sheet, or None."""
        return self.sources[src].columns.get(key)

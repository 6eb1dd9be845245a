"""Build real workbooks with openpyxl for the tests.

``write_forms(path, rows)`` writes a forms workbook whose header row uses the
blank template's labels (``read.fields``); each row is a dict keyed by field key
(``matricule``, ``date_activite`` …) or by header label. ``inbox(tmp_path, ...)``
writes a complete inbox (register, bank and calendar, forms) and returns its path.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Iterable

from openpyxl import Workbook

from syndic_batch.read.fields import BANK_FIELDS, CALENDAR_FIELDS, FORM_FIELDS, MEMBER_FIELDS, STATEMENT_FIELDS

D = dt.date
# ../shared beside the project's root (domain.md, seeds, corpus), as on every machine and in CI.
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus"


def _write_sheet(ws, fields, rows: Iterable[dict[str, Any]], title_rows: list[str] | None = None,
                 headers: dict[str, str] | None = None) -> None:
    for t in title_rows or []:
        ws.append([t])
    labels = [(headers or {}).get(f.key, f.label) for f in fields]
    ws.append(labels)
    by_label = {f.label: f.key for f in fields}
    row = len(title_rows or []) + 1
    for r in rows:
        row += 1
        norm = {by_label.get(k, k): v for k, v in r.items()}
        unknown = set(norm) - {f.key for f in fields}
        if unknown:
            raise KeyError(f"unknown fields {unknown}")
        values = [norm.get(f.key) for f in fields]
        ws.append(values)
        for col, v in enumerate(values, start=1):
            if isinstance(v, str) and v.startswith("="):
                ws.cell(row, col).data_type = "s"  # a member's text, not a formula


def write_forms(path: Path, rows: Iterable[dict[str, Any]], sheet: str = "Formulaires",
                title_rows: list[str] | None = None, headers: dict[str, str] | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    _write_sheet(ws, FORM_FIELDS, rows, title_rows, headers)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_statement(path: Path, rows: Iterable[dict[str, Any]], sheet: str = "Relevé",
                    title_rows: list[str] | None = None) -> Path:
    """An employer's statement (Relevé de l'Employeur): matricule, date_activite, heures, montant…"""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    _write_sheet(ws, STATEMENT_FIELDS, rows, title_rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


DEFAULT_MEMBERS = [
    {"matricule": "1001", "nom": "Amélie Tremblay", "debut_contrat": D(2020, 1, 1), "fin_contrat": None, "taux_horaire": 30.0},
    {"matricule": "1002", "nom": "Benoît Gagnon", "debut_contrat": D(2021, 1, 1), "fin_contrat": None, "taux_horaire": 25.0},
    {"matricule": "1003", "nom": "Chloé Roy", "debut_contrat": D(2022, 1, 1), "fin_contrat": None, "taux_horaire": 40.0},
    {"matricule": "1004", "nom": "David Côté", "debut_contrat": D(2022, 1, 1), "fin_contrat": None, "taux_horaire": 28.0},
    {"matricule": "1005", "nom": "Élise Bouchard", "debut_contrat": D(2022, 1, 1), "fin_contrat": None, "taux_horaire": 32.0},
]
DEFAULT_BANK = [
    {"date_renouvellement": D(2026, 1, 1), "heures_allouees": 500.0, "budget_fonds": 5000.0},
]
DEFAULT_CALENDAR = [
    {"date": D(2026, 2, 10), "instance": "CE"},
    {"date": D(2026, 3, 10), "instance": "CE"},
    {"date": D(2026, 3, 20), "instance": "CS"},
    {"date": D(2026, 4, 14), "instance": "CE"},
    {"date": D(2026, 12, 15), "instance": "AG"},
]


def write_register(path: Path, members=None, bank=None, calendar=None) -> Path:
    """One workbook with three sheets: Membres, Banque, Calendrier."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Membres"
    _write_sheet(ws, MEMBER_FIELDS, DEFAULT_MEMBERS if members is None else members)
    _write_sheet(wb.create_sheet("Banque"), BANK_FIELDS, DEFAULT_BANK if bank is None else bank)
    _write_sheet(wb.create_sheet("Calendrier"), CALENDAR_FIELDS, DEFAULT_CALENDAR if calendar is None else calendar)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def form(**kw) -> dict[str, Any]:
    """A clean, adopted form row (member 1001, 10 March 2026, 3.5 h of CE meeting); override any field."""
    base = {
        "matricule": "1001", "nom": "Amélie Tremblay", "date_activite": D(2026, 3, 2),
        "categorie": "Réunion du Conseil exécutif", "description": "Réunion régulière",
        "heures_demandees": 3.5, "date_reception": D(2026, 3, 5),
        "decision_ce": "Adoptée", "date_decision": D(2026, 3, 10),
    }
    base.update(kw)
    return base


def inbox(tmp_path: Path, rows: Iterable[dict[str, Any]], members=None, bank=None, calendar=None,
          name: str = "formulaires-2026-03.xlsx") -> Path:
    root = tmp_path / "inbox"
    write_register(root / "registre.xlsx", members, bank, calendar)
    write_forms(root / name, list(rows))
    return root


def context_for(tmp_path: Path, rows, as_of: dt.date = D(2026, 4, 30), params=None, statement=None, **kw):
    """Write an inbox, read it, and return the check stage's Context. ``statement``:
    the rows of an employer's statement to add (``releve.xlsx``), or None for none."""
    from syndic_batch.config import DEFAULT_PARAMS
    from syndic_batch.context import Context
    from syndic_batch.read.inbox import read_inbox

    root = inbox(tmp_path, rows, **kw)
    if statement is not None:
        write_statement(root / "releve.xlsx", statement)
    p = params or DEFAULT_PARAMS
    return Context(read_inbox(root, p), p, as_of)


# Output folders (tests of the monthly cycle and of the snapshot)
def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` except the lock and the reading cache → its SHA-256."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".syndic-batch.lock"
            and ".cache" not in p.relative_to(folder).parts}  # the reading cache may grow, even killed


def top(folder: Path) -> set[str]:
    """The names at the top of an output folder, hidden ones (lock, marker, cache) aside."""
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")}

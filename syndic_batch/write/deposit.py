"""OUT/depot-employeur.xlsx: the adopted releases for the employer (art. 5.4).

One line per adopted form row (never a row that is not adopted), sorted by
member then date; after each member's lines a bold total line, and a bold
grand total at the end. Totals are values computed here (no formulas), each
amount being hours granted × rate rounded to the cent, so the sheet adds up.
A row with no rate (member not in the register) keeps empty rate and amount
cells and says why in *Remarque*. A row whose form already has a *Date du dépôt
à l'Employeur* shows it in the last column, so the treasurer sees what the
employer has already received. Text typed by members is written as text
(a name starting with ``=`` never becomes a formula).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..context import Context
from .atomic import atomic_write

SHEET = "Dépôt à l'Employeur"
MONEY_FORMAT = '#,##0.00 "$"'
HOURS_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
# (header, width, number format or None)
COLUMNS = (
    ("Matricule", 12, None),
    ("Nom", 28, None),
    ("Date de l'activité", 14, DATE_FORMAT),
    ("Catégorie", 34, None),
    ("Heures accordées", 12, HOURS_FORMAT),
    ("Taux horaire ($)", 12, MONEY_FORMAT),
    ("Montant ($)", 14, MONEY_FORMAT),
    ("Fichier source", 30, None),
    ("Feuille", 16, None),
    ("Ligne", 8, None),
    ("Remarque", 40, None),
    ("Déjà déposée le", 14, DATE_FORMAT),
)
NO_RATE = "Taux horaire inconnu : membre absent du registre ou sans contrat (art. 2.1)."
BOLD = Font(bold=True)


def _member_key(matricule: pd.Series) -> pd.Series:
    """Sort key: numeric matricules in numeric order (``999`` before ``1001``)."""
    return matricule.fillna("").map(lambda s: re.sub(r"\d+", lambda d: d[0].zfill(12), str(s)))


def deposit_rows(ctx: Context) -> pd.DataFrame:
    """The adopted rows, sorted, with the deposit's figures."""
    led, forms = ctx.ledger, ctx.forms
    ids = led.index[led["adoptee"].to_numpy()]
    f = forms.loc[ids]
    names = ctx.names
    d = pd.DataFrame({
        "matricule": f["matricule"].astype(object),
        "nom": f["matricule"].map(names).astype(object).where(lambda s: s.notna(), f["nom"]),  # register's first
        "date": f["date_activite"],
        "categorie": f["categorie"].astype(object),
        "heures": led.loc[ids, "heures_octroyees"],
        "taux": led.loc[ids, "taux"],
        "fichier": f["_file"].astype(object),
        "feuille": f["_sheet"].astype(object),
        "ligne": f["_row"],
        "depot": f["date_depot"],
    }, index=ids)
    d["montant"] = led.loc[ids, "valeur"]
    d["_key"] = _member_key(d["matricule"])
    d = d.sort_values(["_key", "date", "fichier", "ligne"], na_position="last", kind="mergesort")
    return d.drop(columns="_key")


def _text(ws, value, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=None if value is None else ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    if value is not None:
        cell.data_type = "s"
    if bold:
        cell.font = BOLD
    return cell


def _value(ws, value, number_format: str | None, bold: bool = False) -> WriteOnlyCell:
    missing = value is None or (not isinstance(value, str) and pd.isna(value))
    if not missing and hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    cell = WriteOnlyCell(ws, value=None if missing else value)
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = BOLD
    return cell


def _line(ws, r) -> list:
    return [_text(ws, r.matricule), _text(ws, r.nom), _value(ws, r.date, DATE_FORMAT), _text(ws, r.categorie),
            _value(ws, float(r.heures), HOURS_FORMAT), _value(ws, r.taux, MONEY_FORMAT),
            _value(ws, r.montant, MONEY_FORMAT), _text(ws, r.fichier), _text(ws, r.feuille),
            _value(ws, int(r.ligne), None), _text(ws, NO_RATE if pd.isna(r.taux) else None),
            _value(ws, r.depot, DATE_FORMAT)]


def _total(ws, label: str, nom, hours: float, amount) -> list:
    return [_text(ws, label, True), _text(ws, nom, True), None, None,
            _value(ws, hours, HOURS_FORMAT, True), None, _value(ws, amount, MONEY_FORMAT, True),
            None, None, None, None, None]


def write_deposit(ctx: Context, out_path: str | Path) -> Path:
    """Write the deposit workbook (atomically) and return its path."""
    out_path = Path(out_path)
    rows = deposit_rows(ctx)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    ws.freeze_panes = "A2"
    for i, (_h, width, _f) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append([_text(ws, h, True) for h, _w, _f in COLUMNS])

    for matricule, group in rows.groupby(rows["matricule"].fillna(""), sort=False):
        for r in group.itertuples(index=False):
            ws.append(_line(ws, r))
        ws.append(_total(ws, f"Total {matricule}".strip(), group["nom"].iloc[0],
                         float(group["heures"].sum()), group["montant"].sum(min_count=1)))
    ws.append(_total(ws, "Total général", None, float(rows["heures"].sum()), rows["montant"].sum(min_count=1)))

    with atomic_write(out_path) as tmp:
        wb.save(tmp)
    return out_path

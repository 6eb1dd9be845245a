"""Reconciliation of the employer's statements (*Relevé de l'Employeur*) with the
adopted releases (domain.md, *The monthly cycle*).

Each statement line is matched to an adopted release of the same member and the
same activity date. When that day has several adopted releases (or several
lines), the pairs are chosen in this order: hours within tolerance and amount
within tolerance first, then hours within tolerance, then amount within
tolerance, then the closest hours, then the closest amount, then the order of
the files; each release and each line is matched at most once.

What the employer should bill for a release (the comparison base): the hours
granted, and their value at the member's rate (art. 2) plus, on the part charged
to the union funds, the employer's surcharge ``remboursement.majoration_pct``
(``ledger.montant_employeur``). With the default surcharge of 0 %, that is
hours × rate.

The result, ``ctx.reconciliation`` (a ``Reconciliation``), is what the rules of
``rules/rapprochement.py`` flag and what the CE report's section shows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..read.fields import STATEMENT

# Status of a statement line.
CONCORDE = "concorde"          # matched, hours and amount within tolerance
ECART = "ecart"                # matched, hours or amount beyond tolerance
NON_AUTORISE = "non-autorise"  # no adopted release of that member on that day

LINE_COLUMNS = ("form_id", "statut", "heures_attendues", "montant_attendu", "ecart_heures", "ecart_montant",
                "heures_hors_tolerance", "montant_hors_tolerance")


@dataclass
class Reconciliation:
    """``has_statement``: the inbox holds at least one statement sheet (even empty).
    ``lines``: one row per statement line (index of ``data.statements``), with
    ``form_id`` (the matched form row, or -1), ``statut``, the expected hours and
    amount, the differences (statement − expected) and whether each is beyond its
    tolerance. ``unbilled``: the form ids of the adopted releases deposited more
    than ``rapprochement.delai_jours`` days before the run's date that no
    statement line matches (empty when there is no statement)."""

    has_statement: bool
    lines: pd.DataFrame
    unbilled: list[int]


def statement_sheets(data) -> int:
    """How many sheets of the inbox were recognised as an employer's statement."""
    return sum(1 for s in data.sources.values() if s.kind == STATEMENT)


def _empty_lines(index: pd.Index) -> pd.DataFrame:
    lines = pd.DataFrame(index=index)
    lines["form_id"] = -1
    lines["statut"] = NON_AUTORISE
    for col in ("heures_attendues", "montant_attendu", "ecart_heures", "ecart_montant"):
        lines[col] = np.nan
    lines["heures_hors_tolerance"] = False
    lines["montant_hors_tolerance"] = False
    return lines


def _beyond(diff: pd.Series, tolerance: float) -> pd.Series:
    """A difference beyond the tolerance; an unreadable figure (NaN) is beyond it."""
    return diff.isna() | (diff.abs() > tolerance + 1e-9)


def reconcile(ctx) -> Reconciliation:
    statements = ctx.data.statements
    has = statement_sheets(ctx.data) > 0
    if statements is None or (statements.empty and not has):
        return Reconciliation(has, _empty_lines(pd.Index([], dtype=int)), [])
    params = ctx.params
    tol_h, tol_m = params.tolerance_rapprochement_heures, params.tolerance_rapprochement_montant
    forms, led = ctx.forms, ctx.ledger
    lines = _empty_lines(statements.index)

    adopted = led["adoptee"].astype(bool) & forms["matricule"].notna() & forms["date_activite"].notna()
    releases = pd.DataFrame({
        "form_id": forms.index[adopted.to_numpy()],
        "matricule": forms.loc[adopted, "matricule"].astype(object).to_numpy(),
        "date": forms.loc[adopted, "date_activite"].to_numpy(),
        "h_att": led.loc[adopted, "heures_octroyees"].astype(float).to_numpy(),
        "m_att": led.loc[adopted, "montant_employeur"].astype(float).to_numpy(),
        "f_file": forms.loc[adopted, "_file"].to_numpy(),
        "f_row": forms.loc[adopted, "_row"].to_numpy(),
    })
    st = statements[statements["matricule"].notna() & statements["date_activite"].notna()]
    billed = pd.DataFrame({
        "line": st.index,
        "matricule": st["matricule"].astype(object).to_numpy(),
        "date": st["date_activite"].to_numpy(),
        "h": st["heures"].astype(float).to_numpy(),
        "m": st["montant"].astype(float).to_numpy(),
        "s_file": st["_file"].to_numpy(),
        "s_row": st["_row"].to_numpy(),
    })
    pairs = billed.merge(releases, on=["matricule", "date"], how="inner")
    if not pairs.empty:
        dh = pairs["h"] - pairs["h_att"]
        dm = pairs["m"] - pairs["m_att"]
        bad_h, bad_m = _beyond(dh, tol_h), _beyond(dm, tol_m)
        pairs["rank"] = np.select([~bad_h & ~bad_m, ~bad_h, ~bad_m], [0, 1, 2], 3)
        pairs["adh"] = dh.abs().fillna(np.inf)
        pairs["adm"] = dm.abs().fillna(np.inf)
        pairs = pairs.sort_values(["rank", "adh", "adm", "s_file", "s_row", "f_file", "f_row"], kind="mergesort")
        used_lines: set = set()
        used_forms: set = set()
        chosen = []
        for line, fid in zip(pairs["line"], pairs["form_id"]):
            if line in used_lines or fid in used_forms:
                continue
            used_lines.add(line)
            used_forms.add(fid)
            chosen.append((line, fid))
        if chosen:
            ids = [c[0] for c in chosen]
            fids = [c[1] for c in chosen]
            lines.loc[ids, "form_id"] = fids
            h_att = led.loc[fids, "heures_octroyees"].astype(float).to_numpy()
            m_att = led.loc[fids, "montant_employeur"].astype(float).to_numpy()
            lines.loc[ids, "heures_attendues"] = h_att
            lines.loc[ids, "montant_attendu"] = m_att
            dh = statements.loc[ids, "heures"].astype(float).to_numpy() - h_att
            dm = np.round(statements.loc[ids, "montant"].astype(float).to_numpy() - m_att, 2)
            lines.loc[ids, "ecart_heures"] = dh
            lines.loc[ids, "ecart_montant"] = dm
            bad_h = _beyond(pd.Series(dh, index=ids), tol_h)
            # no rate for the member (amount unknown): only the hours can be compared
            bad_m = _beyond(pd.Series(dm, index=ids), tol_m) & pd.Series(~np.isnan(m_att), index=ids)
            lines.loc[ids, "heures_hors_tolerance"] = bad_h
            lines.loc[ids, "montant_hors_tolerance"] = bad_m
            lines.loc[ids, "statut"] = np.where(bad_h | bad_m, ECART, CONCORDE)
    lines["form_id"] = lines["form_id"].astype(int)

    unbilled: list[int] = []
    if has:
        limit = pd.Timestamp(ctx.as_of) - pd.Timedelta(days=params.delai_rapprochement_jours)
        matched = set(lines.loc[lines["form_id"] >= 0, "form_id"])
        old = led["adoptee"].astype(bool) & forms["date_depot"].notna() & (forms["date_depot"] < limit)
        unbilled = [int(i) for i in forms.index[old.to_numpy()] if int(i) not in matched]
    return Reconciliation(has, lines, unbilled)

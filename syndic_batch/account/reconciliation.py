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
    n = len(index)
    return _lines(index, np.full(n, -1, dtype=int), np.full(n, NON_AUTORISE, dtype=object),
                  *(np.full(n, np.nan) for _ in range(4)), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))


def _lines(index: pd.Index, *columns) -> pd.DataFrame:
    frame = dict(zip(LINE_COLUMNS, columns))
    frame["statut"] = pd.Series(frame["statut"], index=index, dtype="str")  # as pandas makes it
    return pd.DataFrame(frame, index=index)


def _beyond(diff, tolerance: float):
    """A difference beyond the tolerance; an unreadable figure (NaN) is beyond it."""
    return np.isnan(diff) | (np.abs(diff) > tolerance + 1e-9)


def _candidates(ctx, st_pos: np.ndarray, st_mat: np.ndarray, st_day: np.ndarray) -> dict[tuple, list[int]]:
    """(matricule, day as int64) → the adopted form rows of that member on that day, in
    form order; only for the members the statements name."""
    forms = ctx.forms
    wanted = set(st_mat[st_pos].tolist())
    adopted = ctx.adopted & ctx.present("matricule") & ctx.present("date_activite")
    mats = ctx.values("matricule")
    codes, uniques = pd.factorize(mats)
    named = np.array([u in wanted for u in uniques] + [False], dtype=bool)[codes]
    pos = np.flatnonzero(adopted & named)
    days = forms["date_activite"].to_numpy(dtype="datetime64[ns]").view("i8")
    out: dict[tuple, list[int]] = {}
    for p, m, d in zip(pos.tolist(), mats[pos].tolist(), days[pos].tolist()):
        out.setdefault((m, d), []).append(p)
    return out


def reconcile(ctx) -> Reconciliation:
    """In plain Python over the statement lines (a statement has a few hundred) and
    numpy over the form rows; one frame built at the end."""
    statements = ctx.data.statements
    has = statement_sheets(ctx.data) > 0
    if statements is None or (statements.empty and not has):
        return Reconciliation(has, _empty_lines(pd.Index([], dtype=int)), [])
    params = ctx.params
    tol_h, tol_m = params.tolerance_rapprochement_heures, params.tolerance_rapprochement_montant
    forms, led = ctx.forms, ctx.ledger
    n = len(statements)
    form_id = np.full(n, -1, dtype=int)
    statut = np.full(n, NON_AUTORISE, dtype=object)
    h_exp, m_exp, d_h, d_m = (np.full(n, np.nan) for _ in range(4))
    bad_hours, bad_money = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)

    st_mat = statements["matricule"].to_numpy(dtype=object)
    st_day = statements["date_activite"].to_numpy(dtype="datetime64[ns]")
    st_h = statements["heures"].to_numpy(dtype=float)
    st_m = statements["montant"].to_numpy(dtype=float)
    st_pos = np.flatnonzero(~pd.isna(st_mat) & ~np.isnat(st_day))
    led_h = led["heures_octroyees"].to_numpy(dtype=float)
    led_m = led["montant_employeur"].to_numpy(dtype=float)
    if len(st_pos):
        rows = _candidates(ctx, st_pos, st_mat, st_day)
        s_file, s_row = statements["_file"].to_numpy(dtype=object), statements["_row"].to_numpy()
        f_file, f_row = ctx.values("_file"), ctx.values("_row")
        st_i8 = st_day.view("i8")
        pairs = []
        for line in st_pos.tolist():
            for fid in rows.get((st_mat[line], int(st_i8[line])), ()):
                dh, dm = float(st_h[line] - led_h[fid]), float(st_m[line] - led_m[fid])
                bh = dh != dh or abs(dh) > tol_h + 1e-9  # _beyond of one pair, in plain Python
                bm = dm != dm or abs(dm) > tol_m + 1e-9
                rank = 0 if not bh and not bm else 1 if not bh else 2 if not bm else 3
                pairs.append(((rank, abs(dh) if dh == dh else np.inf, abs(dm) if dm == dm else np.inf,
                               s_file[line], s_row[line], f_file[fid], f_row[fid]), line, fid))
        pairs.sort(key=lambda p: p[0])
        used_lines: set = set()
        used_forms: set = set()
        chosen = []
        for _key, line, fid in pairs:
            if line in used_lines or fid in used_forms:
                continue
            used_lines.add(line)
            used_forms.add(fid)
            chosen.append((line, fid))
        if chosen:
            ids = np.array([c[0] for c in chosen], dtype=np.intp)
            fids = np.array([c[1] for c in chosen], dtype=np.intp)
            form_id[ids] = forms.index[fids]
            h_att, m_att = led_h[fids], led_m[fids]
            h_exp[ids], m_exp[ids] = h_att, m_att
            dh = st_h[ids] - h_att
            dm = np.round(st_m[ids] - m_att, 2)
            d_h[ids], d_m[ids] = dh, dm
            bh = _beyond(dh, tol_h)
            # no rate for the member (amount unknown): only the hours can be compared
            bm = _beyond(dm, tol_m) & ~np.isnan(m_att)
            bad_hours[ids], bad_money[ids] = bh, bm
            statut[ids] = np.array([CONCORDE, ECART], dtype=object)[(bh | bm).astype(np.intp)]
    lines = _lines(statements.index, form_id, statut, h_exp, m_exp, d_h, d_m, bad_hours, bad_money)

    unbilled: list[int] = []
    if has:
        limit = np.datetime64(pd.Timestamp(ctx.as_of) - pd.Timedelta(days=params.delai_rapprochement_jours))
        matched = set(form_id[form_id >= 0].tolist())
        deposit = forms["date_depot"].to_numpy(dtype="datetime64[ns]")
        old = ctx.adopted & ~np.isnat(deposit) & (deposit < limit)
        unbilled = [int(i) for i in forms.index[old] if int(i) not in matched]
    return Reconciliation(has, lines, unbilled)

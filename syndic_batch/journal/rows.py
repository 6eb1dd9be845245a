"""Form rows as the journal keeps them, and how this run's rows are paired with the
previous run's (a row's identity, docs/decisions.md « Identité d'une ligne »).

A row is paired in four passes, each on what the previous ones left:

1. **same content**: matricule, date of the activity, category, reception date,
   Réunion (else Description) *and* every money field alike; equal rows are paired
   in the order of their file, sheet and row;
2. **same key**: the first five alike, the money fields changed (hours edited,
   decision taken, deposit dated);
3. **same member, same file**: at most two of date of the activity, category, hours
   asked, reception date and Réunion/Description differ (a date or a category
   corrected); the closest pairs first;
4. **same cell row**: same file, sheet and row, the member changed and at most one
   other key field.

Where a row sits (file name, sheet, row number) counts only in passes 3 and 4, so
inserting, sorting or moving rows and renaming a file keep every identity.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..text import folded

# The fields of a row that matter for the money (domain.md, *The monthly cycle*), as the
# journal's columns; ``FORM_KEY`` maps a journal column to the forms frame's column.
MONEY_FIELDS = ("matricule", "date_activite", "categorie", "heures_demandees", "heures_accordees",
                "decision", "date_decision", "date_depot")
FORM_KEY = {"decision": "decision_ce"}
DATE_FIELDS = frozenset({"date_activite", "date_decision", "date_depot", "date_reception"})
NUMBER_FIELDS = frozenset({"heures_demandees", "heures_accordees"})
ROW_COLUMNS = ("file", "sheet", "row", *MONEY_FIELDS, "date_reception", "libelle", "etat")
# Since schema 2: the reference states of the changes after the fact (``changes.compare``).
REF_COLUMNS = ("adoptee_depuis", "etat_adopte", "deposee_depuis", "etat_depose")
KEY_FIELDS = ("matricule", "date_activite", "categorie", "date_reception", "libelle")
# Pass 3 compares these (the member and the file being the same).
CLOSE_FIELDS = ("date_activite", "categorie", "heures_demandees", "date_reception", "libelle")
# A member with more unpaired rows than this (previous × current) in one file is not
# searched for close pairs: the rows are reported removed and added.
MAX_CLOSE_CANDIDATES = 40_000


def form_key(field: str) -> str:
    return FORM_KEY.get(field, field)


def _iso(series: pd.Series) -> pd.Series:
    out = series.dt.strftime("%Y-%m-%d").astype(object)
    return out.where(series.notna(), None)


def row_states(forms: pd.DataFrame, states: pd.Series) -> pd.DataFrame:
    """This run's form rows in the journal's shape (same index as ``forms``): dates as
    ISO text or None, hours as floats (NaN when empty), text as written, ``etat`` the
    state of the CE's decision (``account.reference``)."""
    out = pd.DataFrame(index=forms.index)
    out["file"] = forms["_file"].astype(object)
    out["sheet"] = forms["_sheet"].astype(object)
    out["row"] = forms["_row"].astype("int64")
    for field in (*MONEY_FIELDS, "date_reception"):
        col = forms[form_key(field)]
        if field in DATE_FIELDS:
            out[field] = _iso(col)
        elif field in NUMBER_FIELDS:
            out[field] = col.astype("float64")
        else:
            out[field] = col.astype(object).where(col.notna(), None)
    libelle = forms["reunion"].where(forms["reunion"].notna(), forms["description"])
    out["libelle"] = libelle.astype(object).where(libelle.notna(), None)
    out["etat"] = states.reindex(forms.index).astype(object)
    return out


def comparable(frame: pd.DataFrame, field: str) -> pd.Series:
    """The value of ``field`` as rows are compared: hours to 4 decimals, category and
    Réunion folded, the decision by its state (``Adoptée`` and ``adoptee`` are one
    decision), an empty cell as ``""``."""
    if field in NUMBER_FIELDS:
        v = frame[field].astype("float64").round(4)
        return v.map(repr).where(v.notna(), "")
    if field in ("categorie", "libelle"):
        return folded(frame[field])
    if field == "decision":
        etat = frame["etat"].astype(object)
        return etat.where(etat != "inconnue", "?" + folded(frame["decision"]))
    col = frame[field].astype(object)
    return col.where(col.notna(), "").astype(str)


def _hash(frame: pd.DataFrame, fields: tuple[str, ...]) -> pd.Series:
    cols = pd.DataFrame({f: comparable(frame, f) for f in fields}, index=frame.index)
    return pd.util.hash_pandas_object(cols, index=False)


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["file", "sheet", "row"], kind="stable")


def _pair_exact(prev: pd.DataFrame, cur: pd.DataFrame, fields: tuple[str, ...]) -> list[tuple[Any, Any]]:
    if prev.empty or cur.empty:
        return []
    sides = []
    for frame in (prev, cur):
        f = _ordered(frame)
        h = _hash(f, fields)
        sides.append(pd.DataFrame({"h": h.to_numpy(), "rank": h.groupby(h.to_numpy()).cumcount().to_numpy(),
                                   "id": f.index.to_numpy()}))
    m = sides[0].merge(sides[1], on=["h", "rank"], suffixes=("_p", "_c"))
    return list(zip(m["id_p"].tolist(), m["id_c"].tolist()))


def _greedy(candidates: list[tuple]) -> list[tuple[Any, Any]]:
    """Candidates ``(score, tiebreak, prev_id, cur_id)``: best first, each row once."""
    used_p, used_c, out = set(), set(), []
    for _s, _t, p, c in sorted(candidates, key=lambda x: (x[0], x[1])):
        if p not in used_p and c not in used_c:
            used_p.add(p)
            used_c.add(c)
            out.append((p, c))
    return out


def _pair_close(prev: pd.DataFrame, cur: pd.DataFrame) -> list[tuple[Any, Any]]:
    """Pass 3: same member, same file, at most two of ``CLOSE_FIELDS`` differ."""
    if prev.empty or cur.empty:
        return []
    cp = pd.DataFrame({f: comparable(prev, f) for f in CLOSE_FIELDS}, index=prev.index)
    cc = pd.DataFrame({f: comparable(cur, f) for f in CLOSE_FIELDS}, index=cur.index)
    candidates = []
    groups_c = cur.groupby([cur["matricule"].fillna(""), cur["file"]]).groups
    for key, ids_p in prev.groupby([prev["matricule"].fillna(""), prev["file"]]).groups.items():
        ids_c = groups_c.get(key)
        if ids_c is None or key[0] == "" or len(ids_p) * len(ids_c) > MAX_CLOSE_CANDIDATES:
            continue
        a = cp.loc[ids_p].to_numpy(dtype=object)
        b = cc.loc[ids_c].to_numpy(dtype=object)
        diff = (a[:, None, :] != b[None, :, :]).sum(axis=2)
        rows_p = prev.loc[ids_p, "row"].to_numpy()
        rows_c = cur.loc[ids_c, "row"].to_numpy()
        for i, j in zip(*np.nonzero(diff <= 2)):
            candidates.append((int(diff[i, j]), abs(int(rows_p[i]) - int(rows_c[j])), ids_p[i], ids_c[j]))
    return _greedy(candidates)


def _pair_same_place(prev: pd.DataFrame, cur: pd.DataFrame) -> list[tuple[Any, Any]]:
    """Pass 4: same file, sheet and row; the member changed and at most one other key field."""
    if prev.empty or cur.empty:
        return []
    place = ["file", "sheet", "row"]
    m = prev.reset_index(names="id_p").merge(cur.reset_index(names="id_c"), on=place, suffixes=("_p", "_c"))
    if m.empty:
        return []
    diff = np.zeros(len(m), dtype=int)
    for f in KEY_FIELDS[1:]:
        a = comparable(pd.DataFrame({f: m[f"{f}_p"]}), f)
        b = comparable(pd.DataFrame({f: m[f"{f}_c"]}), f)
        diff += (a.to_numpy() != b.to_numpy())
    ok = diff <= 1
    return _greedy([(int(d), 0, p, c) for d, p, c in zip(diff[ok], m["id_p"][ok], m["id_c"][ok])])


def pair_rows(prev: pd.DataFrame, cur: pd.DataFrame) -> pd.DataFrame:
    """Pairs of (previous row, current row) labels: a DataFrame with columns ``prev``
    and ``cur``, in the order of the current rows."""
    pairs: list[tuple[Any, Any]] = []
    left_p, left_c = prev, cur
    for step in (lambda p, c: _pair_exact(p, c, KEY_FIELDS + MONEY_FIELDS[3:]),
                 lambda p, c: _pair_exact(p, c, KEY_FIELDS),
                 _pair_close, _pair_same_place):
        found = step(left_p, left_c)
        if found:
            pairs += found
            done_p = {p for p, _ in found}
            done_c = {c for _, c in found}
            left_p = left_p[~left_p.index.isin(list(done_p))]
            left_c = left_c[~left_c.index.isin(list(done_c))]
        if left_p.empty or left_c.empty:
            break
    out = pd.DataFrame(pairs, columns=["prev", "cur"])
    return out.sort_values("cur", kind="stable").reset_index(drop=True)

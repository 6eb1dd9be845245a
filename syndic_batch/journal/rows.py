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

from ..text import fold, folded

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
    """Dates as ISO text (``2026-03-02``), None when empty: vectorised (numpy), no strftime."""
    values = series.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    text = np.datetime_as_string(values, unit="D").astype(object)
    text[np.isnat(values)] = None
    return pd.Series(text, index=series.index, dtype=object)


def _text(series: pd.Series) -> pd.Series:
    out = series.astype(object)
    return out.where(out.notna(), None)


def typed_rows(forms: pd.DataFrame, states: pd.Series) -> pd.DataFrame:
    """This run's form rows with the journal's columns, kept typed (dates datetime64,
    hours float64, text as read): columns of ``forms`` referenced, not converted, so
    that the rows can be hashed and paired without a Python object per value. Only the
    rows that are written to the journal or shown go through ``journal_shape``."""
    out = pd.DataFrame(index=forms.index)
    out["file"] = forms["_file"]
    out["sheet"] = forms["_sheet"]
    out["row"] = forms["_row"].astype("int64")
    for field in (*MONEY_FIELDS, "date_reception"):
        out[field] = forms[form_key(field)]
    out["libelle"] = forms["reunion"].where(forms["reunion"].notna(), forms["description"])
    out["etat"] = states.reindex(forms.index)
    return out


def journal_shape(typed: pd.DataFrame) -> pd.DataFrame:
    """Typed rows (``typed_rows``, or a part of them) in the journal's shape: dates as
    ISO text or None, hours as floats (NaN when empty), text as written, ``etat``."""
    out = pd.DataFrame(index=typed.index)
    out["file"] = typed["file"].astype(object)
    out["sheet"] = typed["sheet"].astype(object)
    out["row"] = typed["row"].astype("int64")
    for field in (*MONEY_FIELDS, "date_reception", "libelle"):
        col = typed[field]
        if field in DATE_FIELDS:
            out[field] = _iso(col)
        elif field in NUMBER_FIELDS:
            out[field] = col.astype("float64")
        else:
            out[field] = _text(col)
    out["etat"] = typed["etat"].astype(object)
    return out


def row_states(forms: pd.DataFrame, states: pd.Series) -> pd.DataFrame:
    """This run's form rows in the journal's shape (same index as ``forms``): dates as
    ISO text or None, hours as floats (NaN when empty), text as written, ``etat`` the
    state of the CE's decision (``account.reference``)."""
    return journal_shape(typed_rows(forms, states))


def typed_from_journal(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows read back from the journal (ISO dates) with typed dates, as ``typed_rows``
    gives them, so that both hash alike (``key_hash``, ``state_hash``)."""
    out = frame.copy()
    for field in DATE_FIELDS:
        out[field] = pd.to_datetime(frame[field], format="%Y-%m-%d", errors="coerce")
    for field in NUMBER_FIELDS:
        out[field] = frame[field].astype("float64")
    return out


# ---------------------------------------------------------------- hashes
# Two 64-bit hashes per row, stored with each row state (schema 3), computed from typed
# values (``typed_rows``) so that no value is turned into text to compare it:
#   key_hash    the fields pass 1 compares (``KEY_FIELDS`` + ``MONEY_FIELDS[3:]``), as
#               ``comparable`` compares them: two rows pass 1 pairs have the same key hash;
#   state_hash  everything the journal stores of a row except its identity and its
#               reference states (place, raw values): equal → the stored state is kept.
# ``pd.util.hash_array`` (SipHash with a fixed key) is deterministic across processes;
# ``HASH_SCHEME`` names the scheme, and ``Journal.previous`` checks a sample of stored
# hashes against recomputed ones (a different pandas that hashed differently would only
# make the next run pair on the stored values, the slow way).
HASH_SCHEME = "siphash-pandas-1"
_MUL = np.uint64(0x100000001B3)
_NAT = np.iinfo(np.int64).min


def _factor(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 for an empty cell) and the distinct values (object array)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _take(codes: np.ndarray, texts: list[str]) -> np.ndarray:
    """Hash each distinct text once, then per row; an empty cell hashes as ``""``."""
    hashes = pd.util.hash_array(np.array(texts + [""], dtype=object), categorize=False)
    return hashes[codes]  # code -1 takes the last one: ""


def _str(value) -> str:
    return value if isinstance(value, str) else str(value)


def _h_text(series: pd.Series) -> np.ndarray:
    codes, uniques = _factor(series)
    return _take(codes, [_str(u) for u in uniques])


def _h_folded(series: pd.Series) -> np.ndarray:
    """As ``comparable`` compares category and Réunion: folded, ``""`` when empty."""
    codes, uniques = _factor(series)
    return _take(codes, [fold(u) for u in uniques])


def _h_int(values: np.ndarray) -> np.ndarray:
    return pd.util.hash_array(np.asarray(values, dtype="int64"))


def _days(series: pd.Series) -> np.ndarray:
    values = series.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    out = values.astype("int64")
    out[np.isnat(values)] = _NAT
    return out


def _hours(series: pd.Series, decimals: int | None) -> np.ndarray:
    v = series.to_numpy(dtype="float64")
    if decimals is not None:
        v = np.round(v, decimals)
    v = v + 0.0                                  # -0.0 → 0.0
    bits = v.view("int64").copy()
    bits[np.isnan(v)] = _NAT
    return bits


def _combine(parts: list[np.ndarray]) -> np.ndarray:
    h = np.zeros(len(parts[0]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for part in parts:
            h = (h ^ part.astype(np.uint64)) * _MUL
    return h.view(np.int64)


def row_hashes(typed: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row, ``key_hash`` and ``state_hash`` (int64), each text column factorized once."""
    cat_codes, cat_u = _factor(typed["categorie"])
    lib_codes, lib_u = _factor(typed["libelle"])
    cat_u, lib_u = cat_u.tolist(), lib_u.tolist()
    etat = typed["etat"].astype(object)
    h_etat = _h_text(etat)
    unknown = (etat == "inconnue").to_numpy()
    decision = h_etat.copy()
    if unknown.any():  # an unknown decision compares by its folded text
        codes, uniques = _factor(typed["decision"][unknown])
        decision[unknown] = _take(codes, ["?" + fold(u) for u in uniques])
    key = _combine([
        _h_text(typed["matricule"]), _h_int(_days(typed["date_activite"])), _take(cat_codes, [fold(u) for u in cat_u]),
        _h_int(_days(typed["date_reception"])), _take(lib_codes, [fold(u) for u in lib_u]),
        _h_int(_hours(typed["heures_demandees"], 4)), _h_int(_hours(typed["heures_accordees"], 4)),
        decision, _h_int(_days(typed["date_decision"])), _h_int(_days(typed["date_depot"]))])
    state = _combine([
        key, _h_text(typed["file"]), _h_text(typed["sheet"]), _h_int(typed["row"].to_numpy()),
        _take(cat_codes, [_str(u) for u in cat_u]), _take(lib_codes, [_str(u) for u in lib_u]),
        _h_text(typed["decision"]), h_etat, _h_int(_hours(typed["heures_demandees"], None)),
        _h_int(_hours(typed["heures_accordees"], None))])
    return key, state


def key_hash(typed: pd.DataFrame) -> np.ndarray:
    """Per row, the hash of what pass 1 compares (int64; see above)."""
    return row_hashes(typed)[0]


def pass2_hash(typed: pd.DataFrame) -> np.ndarray:
    """Per row, the hash of ``KEY_FIELDS`` as pass 2 compares them (not stored)."""
    return _combine([
        _h_text(typed["matricule"]), _h_int(_days(typed["date_activite"])), _h_folded(typed["categorie"]),
        _h_int(_days(typed["date_reception"])), _h_folded(typed["libelle"])])


def state_hash(typed: pd.DataFrame, key: np.ndarray | None = None) -> np.ndarray:
    """Per row, the hash of the state the journal stores (int64; see above)."""
    return row_hashes(typed)[1]


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

"""Art. 2: the hourly rate at which each form row is released.

2.1 the rate of the member's contract that covers the activity date;
2.2 of several contracts covering it, the highest rate;
2.3 of none (the member is no longer under contract), the rate of the last
    contract ended before the date.
When the member only has contracts that start after the activity date, the
rate of the earliest of them is used (``contrat-futur``), and art. 2 warns.

Vectorised: forms × contracts are merged on the matricule (a member has a few
contracts), filtered, and reduced per form row with ``groupby``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

# taux_source values (docs/decisions.md)
CONTRAT = "contrat"                    # one covering contract, or several with the same rate (2.1)
PLUS_ELEVE = "plus-eleve"              # several covering contracts with different rates (2.2)
DERNIER_CONTRAT = "dernier-contrat"    # none covering: the last contract ended before the date (2.3)
CONTRAT_FUTUR = "contrat-futur"        # only contracts starting after the date: the earliest one
MEMBRE_INCONNU = "membre-inconnu"      # matricule not in the register
AUCUN_CONTRAT = "aucun-contrat"        # in the register, but no usable contract (start date and rate)
DATE_ILLISIBLE = "date-illisible"      # activity date empty or unreadable (art. 5.1's)
MATRICULE_MANQUANT = "matricule-manquant"  # matricule empty (art. 5.1's)

# The article of the regulation each source applies (for messages).
ARTICLE_OF_SOURCE = {CONTRAT: "2.1", PLUS_ELEVE: "2.2", DERNIER_CONTRAT: "2.3", CONTRAT_FUTUR: "2.1"}


def usable_contracts(members: pd.DataFrame) -> pd.DataFrame:
    """Register rows that can give a rate: a matricule, a start date and a rate."""
    c = members.loc[
        members["matricule"].notna() & members["debut_contrat"].notna() & members["taux_horaire"].notna(),
        ["matricule", "debut_contrat", "fin_contrat", "taux_horaire"],
    ]
    return c.astype({"matricule": object})


def _group_starts(groups: np.ndarray) -> np.ndarray:
    """Positions where a new group begins in an array sorted by group."""
    return np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if len(groups) else np.zeros(0, dtype=np.intp)


def rates_for_forms(forms: pd.DataFrame, members: pd.DataFrame, factorized=None) -> pd.DataFrame:
    """Per form row (same index as ``forms``): ``taux`` (float or NaN) and ``taux_source``.

    In numpy over positions: each form row is paired with its member's usable contracts
    (a member has a few), the pairs kept in form order, and each rule of art. 2 is a
    reduction per form row (``reduceat``, or the last of a lexicographic sort). Each
    distinct matricule is looked up once (``factorized``: ``pd.factorize`` of the forms'
    matricules, when the caller has it)."""
    n = len(forms)
    taux = np.full(n, np.nan)
    source = np.full(n, None, dtype=object)
    matricule = forms["matricule"].to_numpy(dtype=object)
    date = forms["date_activite"].to_numpy(dtype="datetime64[ns]")
    known = set(members["matricule"].dropna())
    contracts = usable_contracts(members)
    c_mat = contracts["matricule"].to_numpy(dtype=object)
    with_contract = set(c_mat.tolist())

    codes, uniques = factorized if factorized is not None else pd.factorize(matricule)
    missing = codes < 0
    in_register = np.array([u in known for u in uniques] + [False], dtype=bool)[codes]
    has_contract = np.array([u in with_contract for u in uniques] + [False], dtype=bool)[codes]
    no_date = np.isnat(date)
    source[missing] = MATRICULE_MANQUANT
    source[~missing & ~in_register] = MEMBRE_INCONNU
    source[in_register & ~has_contract] = AUCUN_CONTRAT
    source[has_contract & no_date] = DATE_ILLISIBLE

    fids = np.flatnonzero(has_contract & ~no_date)
    if len(fids) == 0:
        return _frame(forms, taux, source)
    # the pairs (form row, contract of its member), grouped by form row in form order
    c_codes, c_uniques = pd.factorize(c_mat)
    order = np.argsort(c_codes, kind="stable")
    counts = np.bincount(c_codes, minlength=len(c_uniques))
    firsts = np.cumsum(counts) - counts
    k = pd.Index(c_uniques, dtype=object).get_indexer(pd.Index(uniques, dtype=object))[codes[fids]]
    reps = counts[k]
    fid = np.repeat(fids, reps)
    # pair j of form row f is contract order[firsts[k_f] + (j - first pair of f)]
    ci = np.arange(len(fid)) - np.repeat(np.cumsum(reps) - reps - firsts[k], reps)
    ci = order[ci]
    start = contracts["debut_contrat"].to_numpy(dtype="datetime64[ns]")[ci]
    end = contracts["fin_contrat"].to_numpy(dtype="datetime64[ns]")[ci]
    rate = contracts["taux_horaire"].to_numpy(dtype=float)[ci]
    day = date[fid]
    no_end = np.isnat(end)
    covers = (start <= day) & (no_end | (day <= end))

    # 2.1 / 2.2: contracts covering the date; the highest rate
    cov_fid, cov_rate = fid[covers], rate[covers]
    heads = _group_starts(cov_fid)
    covered = cov_fid[heads]
    if len(covered):
        high = np.maximum.reduceat(cov_rate, heads)
        low = np.minimum.reduceat(cov_rate, heads)
        taux[covered] = high
        # the two constants themselves (np.where of two str would make a new str per row)
        source[covered] = np.array([CONTRAT, PLUS_ELEVE], dtype=object)[(high != low).astype(np.intp)]

    rest = ~covers & ~np.isin(fid, covered)
    # 2.3: the last contract ended before the date (ties on the end date: the highest rate).
    ended = rest & ~no_end & (end < day)
    e_fid, e_end, e_rate = fid[ended], end[ended].view("i8"), rate[ended]
    o = np.lexsort((e_rate, e_end, e_fid))
    e_fid, e_rate = e_fid[o], e_rate[o]
    lasts = np.r_[_group_starts(e_fid)[1:] - 1, len(e_fid) - 1] if len(e_fid) else np.zeros(0, dtype=np.intp)
    last = e_fid[lasts]
    taux[last] = e_rate[lasts]
    source[last] = DERNIER_CONTRAT

    # Only future contracts: the earliest one (ties on the start date: the highest rate).
    future = rest & ~np.isin(fid, last) & (start > day)
    f_fid, f_start, f_rate = fid[future], start[future].view("i8"), rate[future]
    o = np.lexsort((-f_rate, f_start, f_fid))
    f_fid, f_rate = f_fid[o], f_rate[o]
    heads = _group_starts(f_fid)
    first = f_fid[heads]
    taux[first] = f_rate[heads]
    source[first] = CONTRAT_FUTUR
    return _frame(forms, taux, source)


def _frame(forms: pd.DataFrame, taux: np.ndarray, source: np.ndarray) -> pd.DataFrame:
    # (an object column: pandas would make a column of str a string column)
    return pd.DataFrame({"taux": taux, "taux_source": pd.Series(source, index=forms.index, dtype=object)},
                        index=forms.index, copy=False)

"""Facts about the treasury's own data that several stages share: who a member
is called, and when each council meets. Computed once per run (``Context``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..text import fold

# The state of each form's Décision du CE (art. 5.3).
ADOPTEE, REFUSEE, EN_DEPOT, NON_DECIDEE, INCONNUE = "adoptee", "refusee", "en-depot", "non-decidee", "inconnue"

# Instance column of the calendar, folded → CE, CS or AG.
INSTANCES = {
    "ce": "CE", "conseil executif": "CE",
    "cs": "CS", "conseil syndical": "CS",
    "ag": "AG", "assemblee generale": "AG",
}


def instance_of(text) -> str | None:
    """``"Conseil exécutif"`` → ``"CE"``; None when it names no council."""
    return INSTANCES.get(fold(text)) if text is not None else None


def meeting_dates(calendar: pd.DataFrame, instance: str) -> np.ndarray:
    """Sorted, unique dates (datetime64) of the meetings of one council."""
    if calendar.empty:
        return np.array([], dtype="datetime64[ns]")
    which = np.array([v is not None and not pd.isna(v) and instance_of(v) == instance
                      for v in calendar["instance"].to_numpy(dtype=object)], dtype=bool)
    dates = calendar["date"].to_numpy(dtype="datetime64[ns]")[which]
    return np.unique(dates[~np.isnat(dates)])


def decision_states(forms: pd.DataFrame, params, fold_codes=None) -> pd.Series:
    """Per form row: ``ADOPTEE``, ``REFUSEE``, ``EN_DEPOT`` (the decisions of the
    parameters, compared folded), ``NON_DECIDEE`` (nothing written) or
    ``INCONNUE`` (a decision outside the vocabulary: art. 5.3). ``fold_codes``:
    the folded column already computed (``Context.fold_codes``); each distinct
    decision is looked at once."""
    if fold_codes is None:
        codes, uniques = pd.factorize(forms["decision_ce"])
        keys = [fold(v) for v in uniques] + [""]
    else:
        codes, keys = fold_codes
    by_fold = {fold(params.decision_adoptee): ADOPTEE}
    by_fold[fold(params.decision_refusee)] = REFUSEE  # the later one wins, as it always did
    by_fold[fold(params.decision_en_depot)] = EN_DEPOT
    by_fold[""] = NON_DECIDEE
    table = np.array([by_fold.get(k, INCONNUE) for k in keys], dtype=object)
    return pd.Series(table[codes], index=forms.index, dtype=object)


def member_names(forms: pd.DataFrame, members: pd.DataFrame, codes: np.ndarray | None = None,
                 named: np.ndarray | None = None) -> dict[str, str]:
    """Matricule → name. The register's wins (the name on the member's latest
    contract); a member absent from it keeps the name written on the form.
    ``codes`` (the matricules factorised) and ``named`` (rows with a matricule and a
    name), when the caller has them (``Context``)."""
    names: dict[str, str] = {}
    mats, noms = forms["matricule"].to_numpy(dtype=object), forms["nom"].to_numpy(dtype=object)
    if named is None:
        named = ~(pd.isna(mats) | pd.isna(noms))
    both = np.flatnonzero(named)
    if len(both):  # the first row of each matricule that has a name
        codes = pd.factorize(mats[both])[0] if codes is None else codes[both]
        first = np.sort(both[np.unique(codes, return_index=True)[1]])  # in the order of the rows
        names.update(zip(mats[first].tolist(), noms[first].tolist()))
    if len(members):
        m_mats, m_noms = members["matricule"].to_numpy(dtype=object), members["nom"].to_numpy(dtype=object)
        rows = np.flatnonzero(~(pd.isna(m_mats) | pd.isna(m_noms)))
        # by start date, empty first (NaT is the smallest int64), stable
        start = members["debut_contrat"].to_numpy(dtype="datetime64[ns]")[rows].view("i8")
        rows = rows[np.argsort(start, kind="stable")]
        names.update(zip(m_mats[rows].tolist(), m_noms[rows].tolist()))
    return names

"""Facts about the treasury's own data that several stages share: who a member
is called, and when each council meets. Computed once per run (``Context``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..text import fold, folded

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
    which = calendar["instance"].map(instance_of, na_action="ignore") == instance
    return np.unique(calendar.loc[which, "date"].dropna().to_numpy(dtype="datetime64[ns]"))


def decision_states(forms: pd.DataFrame, params) -> pd.Series:
    """Per form row: ``ADOPTEE``, ``REFUSEE``, ``EN_DEPOT`` (the decisions of the
    parameters, compared folded), ``NON_DECIDEE`` (nothing written) or
    ``INCONNUE`` (a decision outside the vocabulary: art. 5.3)."""
    decision = folded(forms["decision_ce"])
    state = pd.Series(INCONNUE, index=forms.index, dtype=object)
    state[decision == fold(params.decision_adoptee)] = ADOPTEE
    state[decision == fold(params.decision_refusee)] = REFUSEE
    state[decision == fold(params.decision_en_depot)] = EN_DEPOT
    state[decision == ""] = NON_DECIDEE
    return state


def member_names(forms: pd.DataFrame, members: pd.DataFrame) -> dict[str, str]:
    """Matricule → name. The register's wins (the name on the member's latest
    contract); a member absent from it keeps the name written on the form."""
    names: dict[str, str] = {}
    f = forms[["matricule", "nom"]].dropna().drop_duplicates("matricule")
    names.update(zip(f["matricule"], f["nom"]))
    m = members[members["matricule"].notna() & members["nom"].notna()]
    m = m.sort_values("debut_contrat", na_position="first", kind="mergesort")
    names.update(zip(m["matricule"], m["nom"]))
    return names

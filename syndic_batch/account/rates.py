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


def rates_for_forms(forms: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Per form row (same index as ``forms``): ``taux`` (float or NaN) and ``taux_source``."""
    out = pd.DataFrame({"taux": np.nan, "taux_source": pd.Series(None, index=forms.index, dtype=object)},
                       index=forms.index)
    matricule = forms["matricule"].astype(object)
    known = set(members["matricule"].dropna())
    contracts = usable_contracts(members)
    with_contract = set(contracts["matricule"])

    in_register = matricule.isin(known)
    has_contract = matricule.isin(with_contract)
    out.loc[matricule.isna(), "taux_source"] = MATRICULE_MANQUANT
    out.loc[matricule.notna() & ~in_register, "taux_source"] = MEMBRE_INCONNU
    out.loc[in_register & ~has_contract, "taux_source"] = AUCUN_CONTRAT
    out.loc[has_contract & forms["date_activite"].isna(), "taux_source"] = DATE_ILLISIBLE

    todo = has_contract & forms["date_activite"].notna()
    if not todo.any():
        return out
    f = pd.DataFrame({"fid": forms.index[todo.to_numpy()],
                      "matricule": matricule[todo].to_numpy(),
                      "date": forms.loc[todo, "date_activite"].to_numpy()})
    m = f.merge(contracts, on="matricule", how="inner").drop(columns="matricule")
    del f
    covers = ((m["debut_contrat"] <= m["date"])
              & (m["fin_contrat"].isna() | (m["date"] <= m["fin_contrat"]))).to_numpy()

    # 2.1 / 2.2: contracts covering the date; the highest rate (only the two columns it needs
    # are copied: a million form rows make a merge of a million rows).
    cov = m.loc[covers, ["fid", "taux_horaire"]].groupby("fid")["taux_horaire"].agg(["max", "nunique"])
    out.loc[cov.index, "taux"] = cov["max"]
    # the two constants themselves (np.where of two str would make a new str per row)
    out.loc[cov.index, "taux_source"] = np.array([CONTRAT, PLUS_ELEVE], dtype=object)[
        (cov["nunique"] > 1).to_numpy(dtype=np.intp)]

    rest = m[~covers & ~m["fid"].isin(cov.index).to_numpy()]
    del m
    # 2.3: the last contract ended before the date (ties on the end date: the highest rate).
    ended = rest[rest["fin_contrat"].notna() & (rest["fin_contrat"] < rest["date"])]
    last = ended.sort_values(["fid", "fin_contrat", "taux_horaire"]).groupby("fid").tail(1).set_index("fid")
    out.loc[last.index, "taux"] = last["taux_horaire"]
    out.loc[last.index, "taux_source"] = DERNIER_CONTRAT

    # Only future contracts: the earliest one (ties on the start date: the highest rate).
    future = rest[~rest["fid"].isin(last.index) & (rest["debut_contrat"] > rest["date"])]
    first = (future.sort_values(["fid", "debut_contrat", "taux_horaire"], ascending=[True, True, False])
             .groupby("fid").head(1).set_index("fid"))
    out.loc[first.index, "taux"] = first["taux_horaire"]
    out.loc[first.index, "taux_source"] = CONTRAT_FUTUR
    return out

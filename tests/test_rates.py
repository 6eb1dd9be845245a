"""Art. 2.1–2.3: the rate of each form row (account/rates.py), from real workbooks."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd

from builders import D, context_for, form
from syndic_batch.account.rates import rates_for_forms

MEMBERS = [
    # one ongoing contract
    {"matricule": "1001", "nom": "Amélie Tremblay", "debut_contrat": D(2020, 1, 1), "fin_contrat": None, "taux_horaire": 30.0},
    # two contracts overlapping from March to June 2026
    {"matricule": "2001", "nom": "Gilles Pelletier", "debut_contrat": D(2026, 1, 1), "fin_contrat": D(2026, 6, 30), "taux_horaire": 25.0},
    {"matricule": "2001", "nom": "Gilles Pelletier", "debut_contrat": D(2026, 3, 1), "fin_contrat": None, "taux_horaire": 35.0},
    # no longer under contract: two ended contracts
    {"matricule": "2002", "nom": "Hélène Morin", "debut_contrat": D(2024, 1, 1), "fin_contrat": D(2024, 12, 31), "taux_horaire": 20.0},
    {"matricule": "2002", "nom": "Hélène Morin", "debut_contrat": D(2025, 1, 1), "fin_contrat": D(2025, 6, 30), "taux_horaire": 22.0},
    # only a contract that starts after the activity
    {"matricule": "2003", "nom": "Irène Lavoie", "debut_contrat": D(2026, 6, 1), "fin_contrat": None, "taux_horaire": 27.0},
    # in the register, but the contract has no start date
    {"matricule": "2004", "nom": "Jacques Roy", "debut_contrat": None, "fin_contrat": None, "taux_horaire": 29.0},
]


def _rates(tmp_path, rows):
    ctx = context_for(tmp_path, rows, members=MEMBERS)
    return ctx.rates


def test_one_contract(tmp_path):
    r = _rates(tmp_path, [form(matricule="1001", date_activite=D(2026, 3, 2))])
    assert r.loc[0, "taux"] == 30.0
    assert r.loc[0, "taux_source"] == "contrat"


def test_highest_rate_only_where_contracts_overlap(tmp_path):
    rows = [form(matricule="2001", date_activite=d) for d in
            (D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 15), D(2026, 6, 30), D(2026, 7, 1))]
    r = _rates(tmp_path, rows)
    assert list(r["taux"]) == [25.0, 35.0, 35.0, 35.0, 35.0]
    assert list(r["taux_source"]) == ["contrat", "plus-eleve", "plus-eleve", "plus-eleve", "contrat"]


def test_ended_contracts_give_the_last_one(tmp_path):
    rows = [form(matricule="2002", date_activite=D(2026, 3, 2)),   # after both: the last one (2.3)
            form(matricule="2002", date_activite=D(2024, 12, 31))]  # end date is inclusive
    r = _rates(tmp_path, rows)
    assert (r.loc[0, "taux"], r.loc[0, "taux_source"]) == (22.0, "dernier-contrat")
    assert (r.loc[1, "taux"], r.loc[1, "taux_source"]) == (20.0, "contrat")


def test_unknown_member_no_contract_future_contract_missing_values(tmp_path):
    rows = [form(matricule="9999"), form(matricule="2004"), form(matricule="2003", date_activite=D(2026, 3, 2)),
            form(matricule="1001", date_activite="pas une date"), form(matricule=None)]
    r = _rates(tmp_path, rows)
    assert list(r["taux_source"]) == ["membre-inconnu", "aucun-contrat", "contrat-futur", "date-illisible",
                                      "matricule-manquant"]
    assert r["taux"].isna().tolist() == [True, True, False, True, True]
    assert r.loc[2, "taux"] == 27.0


def test_matricule_typed_as_number_matches_register(tmp_path):
    r = _rates(tmp_path, [form(matricule=1001)])
    assert (r.loc[0, "taux"], r.loc[0, "taux_source"]) == (30.0, "contrat")


def test_vectorised_on_100000_rows_and_2000_members():
    n_members, n_forms = 2000, 100_000
    rng = np.random.default_rng(1)
    mats = [str(10000 + i) for i in range(n_members)]
    members = pd.DataFrame({
        "matricule": pd.Series(mats * 2, dtype=object),
        "debut_contrat": pd.to_datetime(["2020-01-01"] * n_members + ["2026-01-01"] * n_members),
        "fin_contrat": pd.to_datetime([None] * n_members + ["2026-12-31"] * n_members),
        "taux_horaire": np.r_[np.full(n_members, 30.0), np.full(n_members, 40.0)],
    })
    days = rng.integers(0, 730, n_forms)
    forms = pd.DataFrame({
        "matricule": pd.Series(rng.choice(mats, n_forms), dtype=object),
        "date_activite": pd.Timestamp("2025-01-01") + pd.to_timedelta(days, unit="D"),
    })
    t = time.perf_counter()
    r = rates_for_forms(forms, members)
    assert time.perf_counter() - t < 10
    in_2026 = forms["date_activite"].dt.year == 2026
    assert (r.loc[in_2026, "taux"] == 40.0).all() and (r.loc[in_2026, "taux_source"] == "plus-eleve").all()
    assert (r.loc[~in_2026, "taux"] == 30.0).all() and (r.loc[~in_2026, "taux_source"] == "contrat").all()

"""Art. 3.1–3.2: the ledger of the bank and the union funds (account/ledger.py)."""
from __future__ import annotations

import math

import pandas as pd

from builders import D, context_for, form
from syndic_batch.account.ledger import LEDGER_COLUMNS, bank_years

BANK = [{"date_renouvellement": D(2026, 1, 1), "heures_allouees": 10.0, "budget_fonds": 100.0}]

# File order is not decision order. Member 1001 is paid 30 $/h.
ROWS = [
    form(date_decision=D(2026, 3, 20), date_activite=D(2026, 3, 2), heures_demandees=4.0),        # A
    form(date_decision=D(2026, 3, 10), date_activite=D(2026, 3, 5), heures_demandees=6.0),        # B
    form(date_decision=D(2026, 3, 10), date_activite=D(2026, 3, 2), heures_demandees=3.0),        # C
    form(decision_ce="Refusée", date_decision=D(2026, 3, 1), heures_demandees=5.0),               # D
    form(date_decision=D(2026, 3, 25), date_activite=D(2026, 3, 3), heures_demandees=3.0,
         heures_accordees=2.0),                                                                  # E
    form(decision_ce="  adoptee ", date_decision=D(2026, 3, 26), heures_demandees=1.0),           # F
    form(decision_ce=None, date_decision=None, heures_demandees=7.0),                             # G
]


def test_columns_are_the_documented_ones(tmp_path):
    led = context_for(tmp_path, ROWS, bank=BANK).ledger
    assert tuple(led.columns) == LEDGER_COLUMNS
    assert led.index.equals(pd.RangeIndex(len(ROWS)))


def test_bank_then_budget_crossed_in_decision_order(tmp_path):
    led = context_for(tmp_path, ROWS, bank=BANK).ledger
    # Charged C (3 h), B (6 h) -> 9 h; A (4 h): 1 h bank, 3 h funds = 90 $; E (2 h) 60 $ -> 150 $ > 100 $;
    # F (1 h) 30 $, already past the budget.
    assert list(led["adoptee"]) == [True, True, True, False, True, True, False]
    assert list(led["heures_octroyees"]) == [4.0, 6.0, 3.0, 0.0, 2.0, 1.0, 0.0]
    assert list(led["heures_banque"]) == [1.0, 6.0, 3.0, 0.0, 0.0, 0.0, 0.0]
    assert list(led["heures_fonds"]) == [3.0, 0.0, 0.0, 0.0, 2.0, 1.0, 0.0]
    assert list(led["montant_fonds"]) == [90.0, 0.0, 0.0, 0.0, 60.0, 30.0, 0.0]
    assert list(led["valeur"]) == [120.0, 180.0, 90.0, 0.0, 60.0, 30.0, 0.0]
    assert list(led["depasse_banque"]) == [True, False, False, False, False, False, False]
    assert list(led["depasse_budget"]) == [False, False, False, False, True, False, False]
    # the funds spent so far in the year, and the year's budget, on every row charged
    assert led.loc[[0, 4, 5], "fonds_cumules"].tolist() == [90.0, 150.0, 180.0]
    assert led.loc[[0, 4, 5], "budget_fonds"].tolist() == [100.0, 100.0, 100.0]
    assert list(led["annee_banque"].isna()) == [False, False, False, True, False, False, True]
    assert led.loc[0, "annee_banque"] == pd.Timestamp(2026, 1, 1)


def test_nothing_crossed_when_within_the_bank(tmp_path):
    led = context_for(tmp_path, [form(heures_demandees=5.0), form(heures_demandees=5.0)], bank=BANK).ledger
    assert list(led["heures_banque"]) == [5.0, 5.0]      # exactly the bank: not past it
    assert not led["depasse_banque"].any() and not led["depasse_budget"].any()
    assert led["heures_fonds"].sum() == 0.0


def test_two_bank_years_are_charged_separately(tmp_path):
    bank = [{"date_renouvellement": D(2026, 1, 1), "heures_allouees": 5.0, "budget_fonds": 1000.0},
            {"date_renouvellement": D(2025, 7, 1), "heures_allouees": 10.0, "budget_fonds": 1000.0}]
    rows = [form(date_activite=D(2025, 12, 31), heures_demandees=8.0, date_reception=D(2026, 1, 5)),
            form(date_activite=D(2026, 1, 1), heures_demandees=8.0),
            form(date_activite=D(2026, 12, 31), heures_demandees=1.0),   # last year runs one year
            form(date_activite=D(2027, 1, 1), heures_demandees=1.0),     # after it: no bank year
            form(date_activite=D(2025, 6, 30), heures_demandees=1.0)]    # before the first renewal
    led = context_for(tmp_path, rows, bank=bank).ledger
    assert list(led["annee_banque"]) == [pd.Timestamp(2025, 7, 1), pd.Timestamp(2026, 1, 1),
                                         pd.Timestamp(2026, 1, 1), pd.NaT, pd.NaT]
    assert list(led["heures_banque"]) == [8.0, 5.0, 0.0, 0.0, 0.0]
    assert list(led["heures_fonds"]) == [0.0, 3.0, 1.0, 0.0, 0.0]
    assert list(led["depasse_banque"]) == [False, True, False, False, False]


def test_bank_years_boundaries(tmp_path):
    ctx = context_for(tmp_path, [form()], bank=[
        {"date_renouvellement": D(2025, 7, 1), "heures_allouees": 10.0, "budget_fonds": 1.0},
        {"date_renouvellement": D(2026, 2, 28), "heures_allouees": 20.0, "budget_fonds": 2.0}])
    y = bank_years(ctx.data.bank)
    assert list(y["debut"]) == [pd.Timestamp(2025, 7, 1), pd.Timestamp(2026, 2, 28)]
    assert list(y["fin"]) == [pd.Timestamp(2026, 2, 27), pd.Timestamp(2027, 2, 27)]
    assert list(y["heures"]) == [10.0, 20.0] and list(y["budget"]) == [1.0, 2.0]


def test_row_without_rate_uses_bank_hours_but_funds_dollars_unknown(tmp_path):
    rows = [form(heures_demandees=8.0), form(matricule="9999", heures_demandees=4.0),
            form(heures_demandees=2.0, date_decision=D(2026, 3, 11))]
    led = context_for(tmp_path, rows, bank=BANK).ledger
    assert list(led["heures_banque"]) == [8.0, 2.0, 0.0]
    assert list(led["heures_fonds"]) == [0.0, 2.0, 2.0]
    assert math.isnan(led.loc[1, "montant_fonds"]) and math.isnan(led.loc[1, "valeur"])
    assert led.loc[2, "montant_fonds"] == 60.0
    assert list(led["depasse_banque"]) == [False, True, False]


def test_surcharge_columns_without_and_with_a_surcharge(tmp_path):
    from dataclasses import replace

    from syndic_batch.config import DEFAULT_PARAMS

    led = context_for(tmp_path, ROWS, bank=BANK).ledger
    # no surcharge by default: the employer bills what the release is worth
    assert led["majoration"].tolist() == [0.0] * len(ROWS)
    assert led["montant_employeur"].tolist() == led["valeur"].tolist()
    led = context_for(tmp_path / "b", ROWS, bank=BANK, params=replace(DEFAULT_PARAMS, majoration_pct=12.5)).ledger
    # A: 3 h in the funds at 30 $ × 1,125 = 101,25 $ (11,25 $ of surcharge); its bank hour carries none
    assert (led.loc[0, "montant_fonds"], led.loc[0, "majoration"], led.loc[0, "montant_employeur"]) == (101.25, 11.25, 131.25)
    assert (led.loc[1, "majoration"], led.loc[1, "montant_employeur"]) == (0.0, 180.0)
    # E: 2 h × 30 $ × 1,125 = 67,50 $; F: 1 h -> 33,75 $; the budget is crossed at E as before
    assert led.loc[[4, 5], "montant_fonds"].tolist() == [67.5, 33.75]
    assert led.loc[[0, 4, 5], "fonds_cumules"].tolist() == [101.25, 168.75, 202.5]
    assert list(led["depasse_budget"]) == [True, False, False, False, False, False, False]

"""The employer's surcharge (remboursement.majoration_pct) on the union-funds part (art. 3.2)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from builders import D, context_for, form
from syndic_batch.config import DEFAULT_PARAMS, ConfigError, load_params
from syndic_batch.rules.art_3 import regle_3_2_budget_depasse
from syndic_batch.write.reports import build_ce_view

BANK = [{"date_renouvellement": D(2026, 1, 1), "heures_allouees": 10.0, "budget_fonds": 100.0}]
# Member 1001 at 30 $/h. Charged in decision order: 9 h in the bank, then A crosses the bank
# (1 h bank, 3 h funds), then X (0.3 h) and Y (0.1 h) entirely in the funds.
ROWS = [
    form(date_decision=D(2026, 3, 10), heures_demandees=9.0),                                   # row 2
    form(date_decision=D(2026, 3, 11), date_activite=D(2026, 3, 3), heures_demandees=4.0),       # row 3: A
    form(date_decision=D(2026, 3, 12), date_activite=D(2026, 3, 4), heures_demandees=0.3),       # row 4: X
    form(date_decision=D(2026, 3, 13), date_activite=D(2026, 3, 5), heures_demandees=0.1),       # row 5: Y
]


def _ctx(tmp_path, pct):
    return context_for(tmp_path, ROWS, bank=BANK, params=replace(DEFAULT_PARAMS, majoration_pct=pct))


def _crossing_row(ctx):
    found = [f for f in regle_3_2_budget_depasse(ctx) if "au-delà du budget" in f.message]
    return [f.row for f in found]


def test_default_is_no_surcharge():
    assert DEFAULT_PARAMS.majoration_pct == 0.0 and DEFAULT_PARAMS.facteur_majoration == 1.0


def test_surcharge_changes_which_row_crosses_the_budget_to_the_cent(tmp_path):
    # 0 %: 90,00 + 9,00 = 99,00 $, then Y's 3,00 $ -> 102,00 $: Y crosses.
    ctx = _ctx(tmp_path / "a", 0.0)
    assert ctx.ledger.loc[[1, 2, 3], "montant_fonds"].tolist() == [90.0, 9.0, 3.0]
    assert _crossing_row(ctx) == [5]
    # 1,0101 %: 90,91 + 9,09 = 100,00 $ exactly, the budget, not past it: Y still crosses.
    ctx = _ctx(tmp_path / "b", 1.0101)
    assert ctx.ledger.loc[[1, 2], "montant_fonds"].tolist() == [90.91, 9.09]
    assert ctx.ledger.loc[2, "fonds_cumules"] == pytest.approx(100.00)
    assert _crossing_row(ctx) == [5]
    # 1,02 %: 90,92 + 9,09 = 100,01 $: one cent past the budget, X crosses.
    ctx = _ctx(tmp_path / "c", 1.02)
    assert ctx.ledger.loc[[1, 2], "montant_fonds"].tolist() == [90.92, 9.09]
    assert _crossing_row(ctx) == [4]
    assert bool(ctx.ledger.loc[2, "depasse_budget"]) and not ctx.ledger.loc[3, "depasse_budget"]


def test_row_crossing_the_bank_is_split_and_surcharged_on_its_funds_part_only(tmp_path):
    ctx = _ctx(tmp_path, 20.0)
    led = ctx.ledger
    a = led.loc[1]
    assert (a["heures_banque"], a["heures_fonds"]) == (1.0, 3.0)
    assert a["valeur"] == 120.0                       # 4 h × 30 $: what the member is paid
    assert a["montant_fonds"] == 108.0                # 3 h × 30 $ × 1,20
    assert a["majoration"] == 18.0
    assert a["montant_employeur"] == 138.0            # 1 h × 30 $ + 108 $
    assert bool(a["depasse_banque"])
    first = led.loc[0]                                # entirely in the bank: no surcharge
    assert (first["montant_fonds"], first["majoration"], first["montant_employeur"]) == (0.0, 0.0, 270.0)
    # 0,1 h × 30 $ × 1,2 = 3,60 $
    assert led.loc[3, "montant_fonds"] == 3.6


def test_ce_report_funds_include_the_surcharge(tmp_path):
    ctx = _ctx(tmp_path, 20.0)
    ctx.as_of = D(2026, 4, 30)
    view = build_ce_view(ctx, [])
    # 108,00 + 10,80 (0,3 h) + 3,60 (0,1 h)
    assert view["sommaire"]["fonds_depenses_valeur"] == pytest.approx(122.40)
    assert view["sommaire"]["fonds_restants_valeur"] == pytest.approx(-22.40)


def test_surcharge_parameter_from_toml(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[remboursement]\nmajoration_pct = 12.5\n[syndicat]\nnom = \"SEESOCQ\"\n", encoding="utf-8")
    p = load_params(cfg)
    assert p.majoration_pct == 12.5 and p.facteur_majoration == 1.125 and p.nom_syndicat == "SEESOCQ"
    cfg.write_text("[remboursement]\nmajoration_pct = -5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="majoration_pct"):
        load_params(cfg)


def test_art_3_messages_say_the_surcharge_is_included(tmp_path):
    ctx = _ctx(tmp_path, 1.02)
    [crossing] = [f for f in regle_3_2_budget_depasse(ctx) if "au-delà du budget" in f.message]
    text = crossing.message.replace("\xa0", " ").replace("\u202f", " ")
    assert "Avec les 9,09 $ de cette libération, majoration de l'Employeur de 1,02 % comprise" in text
    assert "100,01 $" in text and "dépassement de 0,01 $" in text
    ctx = _ctx(tmp_path / "zero", 0.0)
    assert all("majoration" not in f.message for f in regle_3_2_budget_depasse(ctx))

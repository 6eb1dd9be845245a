"""Art. 2 (rates), 3 (bank and union funds) and 4.4 (another paying body), from real workbooks."""
from __future__ import annotations

import dataclasses

from builders import D, context_for, form
from syndic_batch.rules import art_2, art_3, art_4_4

MEMBERS = [
    {"matricule": "1001", "nom": "Amélie Tremblay", "debut_contrat": D(2020, 1, 1), "fin_contrat": None, "taux_horaire": 30.0},
    {"matricule": "2001", "nom": "Gilles Pelletier", "debut_contrat": D(2026, 1, 1), "fin_contrat": D(2026, 6, 30), "taux_horaire": 25.0},
    {"matricule": "2001", "nom": "Gilles Pelletier", "debut_contrat": D(2026, 3, 1), "fin_contrat": None, "taux_horaire": 35.0},
    {"matricule": "2002", "nom": "Hélène Morin", "debut_contrat": D(2024, 1, 1), "fin_contrat": D(2025, 6, 30), "taux_horaire": 22.0},
    {"matricule": "2003", "nom": "Irène Lavoie", "debut_contrat": D(2026, 6, 1), "fin_contrat": None, "taux_horaire": 27.0},
    {"matricule": "2004", "nom": "Jacques Roy", "debut_contrat": None, "fin_contrat": None, "taux_horaire": 29.0},
]


def _plain(findings):
    """The findings with their messages' non-breaking spaces (Babel's ``120,00 $``) as plain spaces."""
    return [dataclasses.replace(f, message=f.message.replace("\xa0", " ").replace("\u202f", " "))
            for f in findings]


def _by_row(findings):
    return {f.row: f for f in _plain(findings)}


# ---------------------------------------------------------------- art. 2

def test_2_1_unknown_member_and_member_without_contract(tmp_path):
    ctx = context_for(tmp_path, [form(), form(matricule="9999"), form(matricule="2004"), form(matricule=None)],
                      members=MEMBERS)
    found = _by_row(art_2.regle_2_1_membre_inconnu(ctx))
    assert sorted(found) == [3, 4]                      # Excel rows; the clean row 2 and the empty matricule are silent
    f = found[3]
    assert (f.article, f.rule, f.severity, f.column) == ("2.1", "membre-inconnu", "erreur", "Matricule")
    assert "Le matricule « 9999 » n'est pas au registre des membres (art. 2.1)" in f.message
    assert "« 2004 » est au registre, mais aucun de ses contrats" in found[4].message


def test_2_1_activity_before_the_first_contract(tmp_path):
    ctx = context_for(tmp_path, [form(matricule="2003", date_activite=D(2026, 3, 2)), form()], members=MEMBERS)
    found = _plain(art_2.regle_2_1_avant_premier_contrat(ctx))
    assert [(f.row, f.rule, f.severity, f.column) for f in found] == \
        [(2, "avant-premier-contrat", "avertissement", "Date de l'activité")]
    assert "Le 2 mars 2026" in found[0].message and "premier contrat (27,00 $)" in found[0].message


def test_2_declared_rate_names_the_contract_rule(tmp_path):
    rows = [
        form(taux_declare=30.005),                                                   # at the tolerance: silent
        form(taux_declare=28.0),                                                     # 2.1
        form(matricule="2001", date_activite=D(2026, 4, 1), taux_declare=25.0),      # 2.2
        form(matricule="2002", date_activite=D(2026, 3, 2), taux_declare=23.5),      # 2.3
        form(matricule="9999", taux_declare=10.0),                                   # no rate: art. 2.1's
        form(taux_declare=None),
    ]
    found = _by_row(art_2.regle_2_taux_declare(ctx := context_for(tmp_path, rows, members=MEMBERS)))
    assert sorted(found) == [3, 4, 5]
    assert [(found[r].article, found[r].severity, found[r].column) for r in (3, 4, 5)] == [
        ("2.1", "avertissement", "Taux horaire déclaré ($)"),
        ("2.2", "avertissement", "Taux horaire déclaré ($)"),
        ("2.3", "avertissement", "Taux horaire déclaré ($)")]
    assert found[3].message.startswith("Taux horaire déclaré 28,00 $, mais le taux retenu est 30,00 $ (art. 2.1)")
    assert "35,00 $ (art. 2.2), le plus élevé des taux des contrats en vigueur" in found[4].message
    assert "22,00 $ (art. 2.3), celui du dernier contrat" in found[5].message
    assert all(f.rule == "taux-declare-different" for f in found.values())
    assert ctx.rates.loc[0, "taux"] == 30.0


# ---------------------------------------------------------------- art. 3

BANK = [{"date_renouvellement": D(2026, 1, 1), "heures_allouees": 10.0, "budget_fonds": 100.0}]
ROWS_3 = [
    form(date_decision=D(2026, 3, 20), heures_demandees=4.0),                         # row 2: crosses the bank
    form(date_decision=D(2026, 3, 10), heures_demandees=6.0),                         # row 3
    form(date_decision=D(2026, 3, 10), heures_demandees=3.0, heures_accordees=3.0),   # row 4
    form(date_decision=D(2026, 3, 25), heures_demandees=3.0, heures_accordees=2.0),   # row 5: crosses the budget
    form(date_decision=D(2026, 3, 26), heures_demandees=1.0),                         # row 6: after the budget
    form(decision_ce="Refusée", heures_demandees=8.0),                                # row 7: not counted
]


def test_3_1_rows_charged_to_union_funds(tmp_path):
    ctx = context_for(tmp_path, ROWS_3, bank=BANK)
    found = _by_row(art_3.regle_3_1_banque_depassee(ctx))
    assert sorted(found) == [2, 5, 6]
    assert {(f.article, f.rule, f.severity) for f in found.values()} == {("3.1", "banque-depassee", "info")}
    assert found[2].message == (
        "Cette libération dépasse la banque de l'année du 1er janvier 2026 au 31 décembre 2026 (art. 3.1) : "
        "1 h sont imputées à la banque et 3 h aux fonds syndicaux (90,00 $, art. 3.2).")
    assert found[2].column == "Heures demandées"          # no Heures accordées on that row
    assert found[5].column == "Heures accordées"
    assert "est épuisée (art. 3.1) : les 2 h de cette libération sont imputées aux fonds syndicaux (60,00 $" in found[5].message


def test_3_2_budget_crossed_and_later_rows(tmp_path):
    ctx = context_for(tmp_path, ROWS_3, bank=BANK)
    found = _by_row(art_3.regle_3_2_budget_depasse(ctx))
    assert sorted(found) == [5, 6]
    assert {(f.article, f.rule, f.severity) for f in found.values()} == {("3.2", "budget-depasse", "erreur")}
    assert ("atteignent 150,00 $, au-delà du budget de 100,00 $ (dépassement de 50,00 $, art. 3.2)"
            in found[5].message)
    assert "(100,00 $) est déjà dépassé (art. 3.2) : les 30,00 $ de cette libération" in found[6].message


def test_3_silent_within_bank_and_budget(tmp_path):
    ctx = context_for(tmp_path, [form(heures_demandees=8.0), form(heures_demandees=2.0)], bank=BANK)
    assert art_3.regle_3_1_banque_depassee(ctx) == []
    assert art_3.regle_3_2_budget_depasse(ctx) == []
    assert art_3.regle_3_1_aucune_banque(ctx) == []


def test_3_1_no_bank_year_for_the_date(tmp_path):
    rows = [form(date_activite=D(2025, 12, 31), date_reception=D(2026, 1, 5)),
            form(date_activite=D(2025, 12, 31), decision_ce="Refusée"),   # not adopted: not charged, silent
            form()]
    ctx = context_for(tmp_path, rows, bank=BANK)
    found = _plain(art_3.regle_3_1_aucune_banque(ctx))
    assert [(f.row, f.article, f.rule, f.severity, f.column) for f in found] == \
        [(2, "3.1", "aucune-banque", "erreur", "Date de l'activité")]
    assert "le 31 décembre 2025 n'est compris dans aucune année" in found[0].message


# ---------------------------------------------------------------- art. 4.4

def _payer(**kw):
    base = dict(heures_demandees=4.0, organisme_payeur="Fondation X", decision_ce=None, date_decision=None)
    base.update(kw)
    return form(**base)


def test_4_4_top_up_arithmetic(tmp_path):
    # 4 h × 30 $ = 120 $; the body pays 50 $ -> top-up 70 $ = 2,33 h
    ctx = context_for(tmp_path, [_payer(montant_organisme_payeur=50.0), form()])
    found = _plain(art_4_4.regle_4_4_organisme_payeur(ctx))
    assert [(f.row, f.article, f.rule, f.severity, f.column) for f in found] == [
        (2, "4.4", "complement-organisme-payeur", "avertissement", "Montant versé par l'organisme payeur ($)")]
    assert found[0].message == (
        "L'organisme payeur « Fondation X » verse 50,00 $ pour une libération qui vaut 120,00 $ "
        "(4 h × 30,00 $) ; le CE peut octroyer au plus le complément de 70,00 $, soit 2,33 h (art. 4.4).")
    assert art_4_4.regle_4_4_complement_depasse(ctx) == []     # not decided yet


def test_4_4_body_pays_at_least_the_value(tmp_path):
    ctx = context_for(tmp_path, [_payer(montant_organisme_payeur=120.0), _payer(montant_organisme_payeur=150.0),
                                 _payer(montant_organisme_payeur=119.99)])
    found = _by_row(art_4_4.regle_4_4_organisme_payeur(ctx))
    assert [(r, found[r].rule, found[r].severity) for r in sorted(found)] == [
        (2, "organisme-payeur-paie-tout", "erreur"), (3, "organisme-payeur-paie-tout", "erreur"),
        (4, "complement-organisme-payeur", "avertissement")]
    assert found[2].column == "Organisme payeur"
    assert "verse 150,00 $, soit au moins ce que vaut la libération (4 h × 30,00 $ = 120,00 $)" in found[3].message


def test_4_4_adopted_hours_above_the_top_up(tmp_path):
    adopted = dict(decision_ce="Adoptée", date_decision=D(2026, 3, 10), montant_organisme_payeur=50.0)
    ctx = context_for(tmp_path, [_payer(**adopted, heures_accordees=2.33),   # within the top-up: silent
                                 _payer(**adopted, heures_accordees=3.0),
                                 _payer(**adopted)])                           # empty: the 4 h asked
    found = _by_row(art_4_4.regle_4_4_complement_depasse(ctx))
    assert sorted(found) == [3, 4]
    assert (found[3].article, found[3].rule, found[3].severity, found[3].column) == \
        ("4.4", "complement-depasse", "erreur", "Heures accordées")
    assert found[4].column == "Heures demandées"
    assert found[3].message.startswith("3 h accordées, mais l'organisme payeur « Fondation X » verse "
                                       "déjà 50,00 $ (art. 4.4) ; le complément permis est de 70,00 $, soit 2,33 h.")


def test_4_4_silent_without_body_or_amount(tmp_path):
    ctx = context_for(tmp_path, [form(), _payer(montant_organisme_payeur=None),
                                 form(montant_organisme_payeur=20.0)])
    assert art_4_4.regle_4_4_organisme_payeur(ctx) == []
    assert art_4_4.regle_4_4_complement_depasse(ctx) == []

"""Art. 5.1 (the form duly filled in) and the reference-data checks."""
from __future__ import annotations

from builders import D, context_for, form
from syndic_batch.rules.art_5_1 import (regle_5_1_champs_conditionnels, regle_5_1_champs_obligatoires,
                                        regle_5_1_heures_hors_limites, regle_5_1_valeurs_illisibles)
from syndic_batch.rules.donnees_reference import regle_calendrier_lisible, regle_registre_lisible


def _where(findings):
    return [(f.row, f.column, f.rule, f.severity, f.article) for f in findings]


def test_required_fields_fire_on_empty_and_stay_silent_on_clean(tmp_path):
    ctx = context_for(tmp_path, [form(), form(categorie=None), form(date_reception="  ")])
    out = regle_5_1_champs_obligatoires(ctx)
    assert _where(out) == [(3, "Catégorie", "champ-obligatoire", "erreur", "5.1"),
                           (4, "Date de réception", "champ-obligatoire", "erreur", "5.1")]
    assert "« Catégorie » vide" in out[0].message


def test_unreadable_date_and_number(tmp_path):
    ctx = context_for(tmp_path, [form(date_activite="3 septembre 2026", heures_demandees="3,5"),
                                 form(date_activite="32/13/2026"), form(heures_demandees="trois")])
    out = regle_5_1_valeurs_illisibles(ctx)
    assert _where(out) == [(3, "Date de l'activité", "date-illisible", "erreur", "5.1"),
                           (4, "Heures demandées", "nombre-illisible", "erreur", "5.1")]
    assert "« 32/13/2026 »" in out[0].message and "« trois »" in out[1].message


def test_hours_bounds_zero_and_over_24_fire_24_is_fine(tmp_path):
    ctx = context_for(tmp_path, [form(heures_demandees=24), form(heures_demandees=0),
                                 form(heures_demandees=24.5), form(heures_demandees=0.25)])
    out = regle_5_1_heures_hors_limites(ctx)
    assert [f.row for f in out] == [3, 4]
    assert "24,5 h" in out[1].message


def test_conditional_fields_congres_organisme_and_payer_amount(tmp_path):
    ctx = context_for(tmp_path, [
        form(categorie="Congrès", organisme=None),
        form(categorie="Congrès", organisme="CSN"),
        form(organisme_payeur="FTQ", montant_organisme_payeur=None),
        form(organisme_payeur="FTQ", montant_organisme_payeur=50),
    ])
    out = regle_5_1_champs_conditionnels(ctx)
    assert [(f.row, f.column) for f in out] == [(2, "Organisme"),
                                               (4, "Montant versé par l'organisme payeur ($)")]


def test_reference_data_checks(tmp_path):
    members = [
        {"matricule": "1001", "nom": "A", "debut_contrat": D(2020, 1, 1), "taux_horaire": 30.0},
        {"matricule": "1002", "nom": "B", "debut_contrat": "hier", "taux_horaire": 30.0},
        {"matricule": "1003", "nom": "C", "debut_contrat": D(2021, 1, 1), "fin_contrat": D(2020, 1, 1),
         "taux_horaire": 30.0},
    ]
    calendar = [{"date": D(2026, 3, 10), "instance": "CE"}, {"date": D(2026, 3, 11), "instance": "Party"}]
    ctx = context_for(tmp_path, [form()], members=members, calendar=calendar)
    reg = regle_registre_lisible(ctx)
    assert [(f.sheet, f.row, f.column) for f in reg] == [("Membres", 3, "Début du contrat"),
                                                         ("Membres", 4, "Fin du contrat")]
    cal = regle_calendrier_lisible(ctx)
    assert [(f.row, f.severity) for f in cal] == [(3, "avertissement")]

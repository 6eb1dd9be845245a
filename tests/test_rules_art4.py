"""Articles 4.1, 4.2, 4.3 and 4.5, on real workbooks read by read_inbox."""
from __future__ import annotations

import dataclasses

from builders import D, context_for, form, inbox, write_forms

from syndic_batch.config import DEFAULT_PARAMS
from syndic_batch.context import Context
from syndic_batch.read.inbox import read_inbox
from syndic_batch.rules.art_4_1 import (regle_4_1_categorie, regle_4_1_deplacement_300_km,
                                        regle_4_1_trois_par_reunion)
from syndic_batch.rules.art_4_2 import regle_4_2_octroi_exceptionnel
from syndic_batch.rules.art_4_3 import regle_4_3_congres
from syndic_batch.rules.art_4_5 import regle_4_5_huit_heures_par_jour


def rows_of(findings):
    return sorted(f.row for f in findings)


def two_files(tmp_path, first_rows, second_rows, params=DEFAULT_PARAMS):
    """An inbox with two monthly forms workbooks (the second in a sub-folder)."""
    root = inbox(tmp_path, first_rows, name="formulaires-2026-03.xlsx")
    write_forms(root / "fevrier" / "formulaires-2026-02.xlsx", second_rows)
    return Context(read_inbox(root, params), params, D(2026, 4, 30))


# ---------------------------------------------------------------- 4.1 category

def test_unknown_category_is_an_error_on_the_category_cell(tmp_path):
    ctx = context_for(tmp_path, [form(categorie="Souper de Noël"), form()])
    [f] = regle_4_1_categorie(ctx)
    assert (f.article, f.rule, f.severity, f.row, f.column) == (
        "4.1", "categorie-inconnue", "erreur", 2, "Catégorie")
    assert f.message.startswith("Catégorie « Souper de Noël » inconnue (art. 4.1)")
    assert "Réunion du CRQ-03" in f.message  # the list to choose from


def test_known_categories_are_compared_folded_and_any_congress_is_known(tmp_path):
    ctx = context_for(tmp_path, [
        form(categorie="reunion du conseil executif"),
        form(categorie="RÉUNION DU CRQ 03"),
        form(categorie="Congrès", organisme="Syndicat canadien de la fonction publique"),
        form(categorie="Assemblée générale"),
        form(categorie=None),  # empty: art. 5.1's
    ])
    assert regle_4_1_categorie(ctx) == []


def test_category_list_comes_from_params(tmp_path):
    params = dataclasses.replace(DEFAULT_PARAMS, categories_liberables=("Représentation",))
    ctx = context_for(tmp_path, [form(), form(categorie="Représentation")], params=params)
    assert rows_of(regle_4_1_categorie(ctx)) == [2]


# ---------------------------------------------------------------- 4.1 travel

def test_travel_under_300_km_or_without_distance_fires_exactly_300_is_silent(tmp_path):
    ctx = context_for(tmp_path, [
        form(categorie="Déplacement", distance_km=299),        # row 2: fires
        form(categorie="Déplacement", distance_km=300),        # row 3: silent (exactly 300)
        form(categorie="Déplacement", distance_km="320 km"),   # row 4: silent
        form(categorie="deplacement"),                          # row 5: no distance, fires
        form(categorie="Déplacement", distance_km="loin"),     # row 6: unreadable, art. 5.1's
        form(categorie="Représentation", distance_km=12),      # row 7: not a travel
    ])
    found = regle_4_1_deplacement_300_km(ctx)
    assert rows_of(found) == [2, 5]
    by_row = {f.row: f for f in found}
    assert all((f.article, f.rule, f.severity, f.column) ==
               ("4.1", "deplacement-moins-de-300-km", "erreur", "Distance (km)") for f in found)
    assert by_row[2].message.startswith("Déplacement de 299 km : ")
    assert "au moins 300 km (art. 4.1)" in by_row[2].message
    assert by_row[5].message.startswith("Aucune distance indiquée pour ce déplacement")


def test_travel_threshold_comes_from_params(tmp_path):
    params = dataclasses.replace(DEFAULT_PARAMS, distance_min_km=250.0)
    ctx = context_for(tmp_path, [form(categorie="Déplacement", distance_km=260),
                                 form(categorie="Déplacement", distance_km=240)], params=params)
    [f] = regle_4_1_deplacement_300_km(ctx)
    assert f.row == 3 and "au moins 250 km" in f.message


# ---------------------------------------------------------------- 4.1 three per meeting

def crqca(matricule, received, **kw):
    return form(matricule=matricule, categorie="Réunion du CRQCA", date_activite=D(2026, 3, 5),
                date_reception=received, **kw)


def test_three_members_at_one_meeting_are_silent(tmp_path):
    ctx = context_for(tmp_path, [crqca("1001", D(2026, 3, 6)), crqca("1002", D(2026, 3, 7)),
                                 crqca("1003", D(2026, 3, 8))])
    assert regle_4_1_trois_par_reunion(ctx) == []


def test_fourth_member_by_reception_date_is_an_error(tmp_path):
    # In file order 1004 comes first, but it was received last: it loses its place.
    ctx = context_for(tmp_path, [
        crqca("1004", D(2026, 3, 20)),   # row 2
        crqca("1001", D(2026, 3, 6)),    # row 3
        crqca("1002", D(2026, 3, 7)),    # row 4
        crqca("1003", D(2026, 3, 8)),    # row 5
        form(matricule="1005", categorie="Réunion du CRQCA", date_activite=D(2026, 3, 6)),  # other day
    ])
    [f] = regle_4_1_trois_par_reunion(ctx)
    assert (f.article, f.rule, f.severity, f.row, f.column) == (
        "4.1", "trois-par-reunion", "erreur", 2, "Catégorie")
    assert f.message.startswith("4e personne à la réunion du CRQCA du 5 mars 2026 : au plus 3 personnes")
    assert "Amélie Tremblay (1001), Benoît Gagnon (1002) et Chloé Roy (1003)" in f.message


def test_same_member_twice_counts_once(tmp_path):
    ctx = context_for(tmp_path, [
        crqca("1001", D(2026, 3, 6)), crqca("1002", D(2026, 3, 7)), crqca("1003", D(2026, 3, 8)),
        crqca("1001", D(2026, 3, 9), heures_demandees=2.0),   # same member again: still 3 people
    ])
    assert regle_4_1_trois_par_reunion(ctx) == []


def test_same_reunion_text_links_days_and_categories_are_separate(tmp_path):
    ctx = context_for(tmp_path, [
        form(matricule="1001", categorie="Réunion du CRQ-03", date_activite=D(2026, 3, 5),
             reunion="Conseil régional de mars", date_reception=D(2026, 3, 10)),
        form(matricule="1002", categorie="Réunion du CRQ-03", date_activite=D(2026, 3, 5),
             date_reception=D(2026, 3, 11)),  # same day and category: same meeting
        form(matricule="1003", categorie="Réunion du CRQ-03", date_activite=D(2026, 3, 6),
             reunion="conseil regional de MARS", date_reception=D(2026, 3, 12)),
        form(matricule="1004", categorie="Réunion du CRQ-03", date_activite=D(2026, 3, 6),
             reunion="Conseil régional de mars", date_reception=D(2026, 3, 13)),  # row 5: 4th
        form(matricule="1005", categorie="Réunion du CRQCA", date_activite=D(2026, 3, 5),
             date_reception=D(2026, 3, 9)),  # another body's meeting
    ])
    [f] = regle_4_1_trois_par_reunion(ctx)
    assert f.row == 5
    assert f.message.startswith("4e personne à la réunion « Conseil régional de mars »")


def test_meeting_size_comes_from_params(tmp_path):
    rows = [crqca(m, D(2026, 3, 5 + i)) for i, m in enumerate(["1001", "1002", "1003", "1004", "1005"])]
    params = dataclasses.replace(DEFAULT_PARAMS, max_personnes_reunion=4)
    found = regle_4_1_trois_par_reunion(context_for(tmp_path, rows, params=params))
    assert rows_of(found) == [6] and found[0].message.startswith("5e personne")


# ---------------------------------------------------------------- 4.2

def test_exceptional_activities_by_decision(tmp_path):
    ctx = context_for(tmp_path, [
        form(categorie="Assemblée générale", decision_ce=None, date_decision=None),       # 2
        form(categorie="Assemblée sectorielle"),                                          # 3 adopted, no just.
        form(categorie="Activité sociale ou militante", justification="Responsable du service d'ordre"),  # 4
        form(categorie="Assemblée générale", decision_ce="Refusée"),                      # 5 silent
        form(categorie="Assemblée générale", decision_ce="En dépôt"),                     # 6 info
        form(categorie="Réunion du Conseil syndical", decision_ce=None),                  # 7 silent
    ])
    found = {f.row: f for f in regle_4_2_octroi_exceptionnel(ctx)}
    assert sorted(found) == [2, 3, 4, 6]
    assert all(f.article == "4.2" and f.rule == "octroi-exceptionnel" for f in found.values())
    assert (found[2].severity, found[2].column) == ("avertissement", "Décision du CE")
    assert found[2].message.startswith("« Assemblée générale » : activité qui n'est généralement pas libérée (art. 4.2)")
    assert "participation active et soutenue" in found[2].message
    assert "octroi exceptionnel du CE requis" in found[2].message
    assert (found[3].severity, found[3].column) == ("erreur", "Justification")
    assert "adoptée sans justification" in found[3].message
    assert (found[4].severity, found[4].column) == ("info", "Justification")
    assert (found[6].severity, found[6].column) == ("info", "Décision du CE")
    assert "mise en dépôt" in found[6].message


# ---------------------------------------------------------------- 4.3

def test_congress_of_listed_bodies_points_to_the_congress_allowance(tmp_path):
    ctx = context_for(tmp_path, [
        form(categorie="Congrès", organisme="FTQ"),                                   # 2
        form(categorie="congres", organisme="afpc quebec"),                           # 3
        form(categorie="Congrès", organisme="FTQ-Construction"),                      # another body
        form(categorie="Congrès", organisme=None),                                    # art. 5.1's
        form(categorie="Formation syndicale", organisme="FTQ"),                       # not a congress
    ])
    found = regle_4_3_congres(ctx)
    assert rows_of(found) == [2, 3]
    f = found[0]
    assert (f.article, f.rule, f.severity, f.column) == ("4.3", "congres-non-liberable", "erreur", "Organisme")
    assert f.message.startswith("Congrès organisé par « FTQ » : ")
    assert "allocation de congrès (Règlement concernant les indemnités syndicales)" in f.message
    assert "AFPC, AFPC-Québec, FTQ et CQSU (art. 4.3)" in f.message


def test_congress_bodies_come_from_params(tmp_path):
    params = dataclasses.replace(DEFAULT_PARAMS, organismes_congres=("CSN",))
    ctx = context_for(tmp_path, [form(categorie="Congrès", organisme="FTQ"),
                                 form(categorie="Congrès", organisme="CSN")], params=params)
    assert rows_of(regle_4_3_congres(ctx)) == [3]


# ---------------------------------------------------------------- 4.5

def test_exactly_eight_hours_a_day_is_silent(tmp_path):
    ctx = context_for(tmp_path, [form(heures_demandees=5.0), form(heures_demandees=3.0, categorie="Représentation"),
                                 form(matricule="1002", heures_demandees=7.0)])
    assert regle_4_5_huit_heures_par_jour(ctx) == []


def test_eight_and_a_quarter_hours_over_two_files_fires_on_each_row(tmp_path):
    ctx = two_files(tmp_path, [form(heures_demandees=5.0)],
                    [form(heures_demandees=3.25, categorie="Représentation", justification="Urgence : grief")])
    found = regle_4_5_huit_heures_par_jour(ctx)
    assert sorted((f.file, f.row, f.severity) for f in found) == [
        ("fevrier/formulaires-2026-02.xlsx", 2, "avertissement"),   # justified
        ("formulaires-2026-03.xlsx", 2, "erreur"),                  # not justified
    ]
    for f in found:
        assert (f.article, f.rule, f.column) == ("4.5", "heures-par-jour", "Heures demandées")
        assert f.message.startswith(
            "Le membre 1001 cumule 8,25 h de libération le 2 mars 2026 (2 lignes dans 2 fichiers) : "
            "personne ne peut être libéré plus de 8 h par jour (art. 4.5).")
    by_sev = {f.severity: f for f in found}
    assert "le CE doit décider" in by_sev["avertissement"].message
    assert "ajoutez la justification ou réduisez les heures" in by_sev["erreur"].message


def test_hours_granted_fewer_count_and_refused_rows_count_nothing(tmp_path):
    ctx = context_for(tmp_path, [
        # member 1001: 6 h asked, 4 granted + 3 h = 7 h: silent
        form(heures_demandees=6.0, heures_accordees=4.0), form(heures_demandees=3.0, categorie="Représentation"),
        # member 1002: 5 h refused + 5 h adopted: silent
        form(matricule="1002", heures_demandees=5.0, decision_ce="Refusée"),
        form(matricule="1002", heures_demandees=5.0, categorie="Représentation"),
        # member 1003: undecided rows count the hours asked: 9 h fires
        form(matricule="1003", heures_demandees=6.0, decision_ce=None),
        form(matricule="1003", heures_demandees=3.0, categorie="Représentation", decision_ce=None),
    ])
    found = regle_4_5_huit_heures_par_jour(ctx)
    assert rows_of(found) == [6, 7]
    assert "cumule 9 h de libération" in found[0].message
    assert "(2 lignes dans 1 fichier)" in found[0].message


def test_daily_limit_comes_from_params(tmp_path):
    rows = [form(heures_demandees=5.0), form(heures_demandees=3.25, categorie="Représentation")]
    assert rows_of(regle_4_5_huit_heures_par_jour(context_for(tmp_path / "a", rows))) == [2, 3]
    params = dataclasses.replace(DEFAULT_PARAMS, max_heures_par_jour=10.0)
    assert regle_4_5_huit_heures_par_jour(context_for(tmp_path / "b", rows, params=params)) == []

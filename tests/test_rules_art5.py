"""Articles 5.2, 5.3, 5.4 and 5.5, on real workbooks read by read_inbox.

The default calendar (builders.DEFAULT_CALENDAR) has CE meetings on 10 February,
10 March and 14 April 2026, a CS on 20 March and an AG on 15 December.
"""
from __future__ import annotations

import dataclasses

from builders import D, context_for, form

from syndic_batch.config import DEFAULT_PARAMS
from syndic_batch.rules.art_5_2 import regle_5_2_presentation_au_ce
from syndic_batch.rules.art_5_3 import regle_5_3_decision_connue, regle_5_3_heures_accordees
from syndic_batch.rules.art_5_4 import regle_5_4_depot_apres_adoption
from syndic_batch.rules.art_5_5 import regle_5_5_delai_trois_mois


def rows_of(findings):
    return sorted(f.row for f in findings)


def undecided(received, **kw):
    return form(decision_ce=None, date_decision=None, date_reception=received, **kw)


# ---------------------------------------------------------------- 5.2

def test_undecided_form_received_before_a_past_ce_meeting(tmp_path):
    ctx = context_for(tmp_path, [
        undecided(D(2026, 3, 5)),                          # 2: should have gone to 10 March
        undecided(D(2026, 3, 10)),                         # 3: received on the day: 14 April
        undecided(D(2026, 4, 20)),                         # 4: no CE meeting after it yet
        form(date_reception=D(2026, 3, 5)),                # 5: decided
        form(date_reception=D(2026, 3, 5), decision_ce="En dépôt"),   # 6: dealt with
    ], as_of=D(2026, 4, 30))
    found = {f.row: f for f in regle_5_2_presentation_au_ce(ctx)}
    assert sorted(found) == [2, 3]
    f = found[2]
    assert (f.article, f.rule, f.severity, f.column) == (
        "5.2", "non-presentee-au-ce", "avertissement", "Décision du CE")
    assert f.message.startswith("Demande reçue le 5 mars 2026 et toujours sans décision du CE : elle aurait "
                                "dû être présentée à la réunion du CE du 10 mars 2026 (art. 5.2).")
    assert "réunion du CE du 14 avril 2026 (art. 5.2)" in found[3].message


def test_meeting_not_yet_passed_or_not_a_ce_is_silent(tmp_path):
    # as of 14 April, the 14 April CE has not passed; the CS of 20 March is not a CE.
    ctx = context_for(tmp_path, [undecided(D(2026, 3, 15))], as_of=D(2026, 4, 14))
    assert regle_5_2_presentation_au_ce(ctx) == []
    ctx = context_for(tmp_path / "b", [undecided(D(2026, 3, 15))], as_of=D(2026, 4, 15))
    [f] = regle_5_2_presentation_au_ce(ctx)
    assert "réunion du CE du 14 avril 2026" in f.message


# ---------------------------------------------------------------- 5.3

def test_decision_outside_the_vocabulary(tmp_path):
    ctx = context_for(tmp_path, [form(decision_ce="Oui"), form(decision_ce="adoptee"),
                                 form(decision_ce="EN DEPOT"), undecided(D(2026, 3, 5))])
    [f] = regle_5_3_decision_connue(ctx)
    assert (f.article, f.rule, f.severity, f.row, f.column) == (
        "5.3", "decision-inconnue", "erreur", 2, "Décision du CE")
    assert f.message.startswith("Décision du CE « Oui » non reconnue")
    assert "« Adoptée », « Refusée » ou « En dépôt »" in f.message


def test_hours_granted_above_hours_asked(tmp_path):
    ctx = context_for(tmp_path, [form(heures_accordees=5.0), form(heures_accordees=3.5),
                                 form(heures_accordees=2.0), form()])
    [f] = regle_5_3_heures_accordees(ctx)
    assert (f.article, f.rule, f.severity, f.row, f.column) == (
        "5.3", "heures-accordees-superieures", "avertissement", 2, "Heures accordées")
    assert f.message.startswith("Heures accordées (5 h) supérieures aux heures demandées (3,5 h)")


# ---------------------------------------------------------------- 5.4

def test_deposit_of_a_row_not_adopted(tmp_path):
    ctx = context_for(tmp_path, [
        form(decision_ce="Refusée", date_depot=D(2026, 3, 20)),                 # 2
        undecided(D(2026, 3, 5), date_depot=D(2026, 3, 20)),                   # 3
        form(decision_ce="Refusée"),                                           # no deposit
        form(decision_ce="Oui", date_depot=D(2026, 3, 20)),                    # art. 5.3's
    ])
    found = {f.row: f for f in regle_5_4_depot_apres_adoption(ctx)}
    assert sorted(found) == [2, 3]
    assert all((f.article, f.rule, f.severity, f.column) ==
               ("5.4", "depot-sans-adoption", "erreur", "Date du dépôt à l'Employeur") for f in found.values())
    assert found[2].message.startswith(
        "Dépôt à l'Employeur du 20 mars 2026 alors que la décision du CE est « Refusée »")
    assert "le CE n'a pas encore décidé de cette demande" in found[3].message


def test_deposit_before_the_decision(tmp_path):
    ctx = context_for(tmp_path, [
        form(date_decision=D(2026, 3, 10), date_depot=D(2026, 3, 9)),    # 2: before
        form(date_decision=D(2026, 3, 10), date_depot=D(2026, 3, 10)),   # same day: fine
        form(date_decision=D(2026, 3, 10), date_depot=D(2026, 3, 25)),   # after: fine
    ])
    [f] = regle_5_4_depot_apres_adoption(ctx)
    assert (f.rule, f.row) == ("depot-avant-decision", 2)
    assert "avant l'adoption par le CE le 10 mars 2026" in f.message


# ---------------------------------------------------------------- 5.5

def test_three_calendar_months_31_january_to_30_april(tmp_path):
    ctx = context_for(tmp_path, [
        form(date_activite=D(2026, 1, 31), date_reception=D(2026, 4, 30), date_decision=D(2026, 5, 5)),
        form(date_activite=D(2026, 1, 31), date_reception=D(2026, 5, 1), date_decision=D(2026, 5, 5)),
        form(date_activite=D(2026, 1, 10), date_reception=D(2026, 4, 15), date_decision=D(2026, 5, 5)),
        form(date_activite=D(2026, 1, 10), date_reception=None),
    ])
    found = {f.row: f for f in regle_5_5_delai_trois_mois(ctx)}
    assert sorted(found) == [3, 4]
    assert all((f.article, f.rule, f.severity, f.column) ==
               ("5.5", "delai-reception", "erreur", "Date de réception") for f in found.values())
    assert found[3].message.startswith("Demande reçue 3 mois et 1 jour après l'activité (art. 5.5) : hors délai.")
    assert "au plus tard le 30 avril 2026" in found[3].message
    assert found[4].message.startswith("Demande reçue 3 mois et 5 jours après l'activité (art. 5.5) : hors délai.")


def test_reception_delay_comes_from_params(tmp_path):
    rows = [form(date_activite=D(2026, 1, 31), date_reception=D(2026, 5, 1))]
    assert rows_of(regle_5_5_delai_trois_mois(context_for(tmp_path / "a", rows))) == [2]
    params = dataclasses.replace(DEFAULT_PARAMS, mois_max_reception=4)
    assert regle_5_5_delai_trois_mois(context_for(tmp_path / "b", rows, params=params)) == []

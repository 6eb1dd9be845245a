"""The plan checks (rules/plan.py) on the seed plan read from a real inbox."""
from __future__ import annotations

import copy
import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

import make_plan  # noqa: E402
from make_plan import EXAMPLE_STATUSES, write_seed_plan  # noqa: E402

from builders import form, inbox  # noqa: E402
from syndic_batch.config import DEFAULT_PARAMS  # noqa: E402
from syndic_batch.context import Context  # noqa: E402
from syndic_batch.plan.model import parse_year, year_bounds  # noqa: E402
from syndic_batch.read.inbox import read_inbox  # noqa: E402
from syndic_batch.rules.registry import ALL_RULES  # noqa: E402
from syndic_batch.rules import plan as rules  # noqa: E402

D = dt.date
PLAN_FILE = "plan/plan-d-action.xlsx"


def plan_context(tmp_path, statuses=EXAMPLE_STATUSES, as_of=D(2026, 4, 30), seed=None, layout="per-axis"):
    root = inbox(tmp_path, [form()])
    write_seed_plan(root / PLAN_FILE, statuses, layout=layout, seed=seed)
    return Context(read_inbox(root, DEFAULT_PARAMS), DEFAULT_PARAMS, as_of)


def where(findings):
    return [(f.sheet, f.row, f.column) for f in findings]


def with_statuses(**changes):
    statuses = copy.deepcopy(EXAMPLE_STATUSES)
    for number, entry in changes.items():
        statuses[number.replace("_", ".")] = entry
    return statuses


def fixed_seed():
    """The seed with its inconsistencies corrected: goals numbered like their axis,
    no action text repeated."""
    seed = copy.deepcopy(make_plan.SEED)
    seed[2] = (seed[2][0], seed[2][1].replace("3.1 Soutenir", "3. Soutenir"), seed[2][2])
    seed[3] = (seed[3][0], seed[3][1].replace("4.1 Développer", "4. Développer"), seed[3][2])
    objectives = seed[3][2][0]
    objectives[1] = (objectives[1][0], objectives[1][1].replace(
        "b. inciter les membres à faire part au CA des luttes et actions à soutenir",
        "b. relayer les appels à la solidarité"))
    objectives[2] = (objectives[2][0], "a. déléguer des membres aux rencontres intersyndicales.")
    return seed


def test_plan_rules_are_registered():
    assert all(r in ALL_RULES for r in rules.RULES)


def test_no_plan_no_finding(tmp_path):
    root = inbox(tmp_path, [form()])
    ctx = Context(read_inbox(root), DEFAULT_PARAMS, D(2026, 4, 30))
    assert [f for r in rules.RULES for f in r(ctx)] == []


# ---------------------------------------------------------------- numbering

def test_numerotation_fires_on_the_seed_goals_3_1_and_4_1(tmp_path):
    found = rules.regle_plan_numerotation(plan_context(tmp_path))
    assert where(found) == [("Axe 3", 4, "BUTS"), ("Axe 4", 4, "BUTS")]
    f = found[0]
    assert (f.article, f.rule, f.severity, f.file, f.column_index) == (
        None, "plan-numerotation", "avertissement", PLAN_FILE, 1)
    assert "axe 3 : le but « Soutenir toute action" in f.message
    assert "est numéroté « 3.1 », comme un objectif ; un but porte le numéro de son axe (« 3 »)" in f.message


def test_numerotation_silent_on_a_corrected_plan(tmp_path):
    assert rules.regle_plan_numerotation(plan_context(tmp_path, seed=fixed_seed())) == []


def test_numerotation_fires_on_an_objective_out_of_sequence(tmp_path):
    seed = fixed_seed()
    objectives = seed[1][2][0]
    objectives[2] = (objectives[2][0].replace("2.3 Maintenir", "2.4 Maintenir"), objectives[2][1])
    found = rules.regle_plan_numerotation(plan_context(tmp_path, seed=seed))
    assert where(found) == [("Axe 2", 6, "OBJECTIFS")]
    assert "l'objectif « Maintenir un lien constant" in found[0].message
    assert "est numéroté « 2.4 » ; à sa place dans l'axe, il devrait porter le numéro « 2.3 »" in found[0].message


# ---------------------------------------------------------------- missing status

def test_statut_manquant_waits_for_the_year_to_begin(tmp_path):
    # 2019-2020 begins on 1 September 2019: the day before, nothing is missing
    assert rules.regle_plan_statut_manquant(plan_context(tmp_path, as_of=D(2019, 8, 31))) == []


def test_statut_manquant_fires_when_the_year_has_begun(tmp_path):
    found = rules.regle_plan_statut_manquant(plan_context(tmp_path, as_of=D(2019, 9, 1)))
    # only 1.3 b; 1.1, 1.5, 4.1 and 3.3 a need none after Réalisé in 2018-2019
    assert where(found) == [("Axe 1", 6, "2019-2020")]
    f = found[0]
    assert (f.rule, f.severity, f.column_index) == ("plan-statut-manquant", "avertissement", 5)
    assert f.message == ("Plan d'action, année 2019-2020 (commencée le 1er septembre 2019) : aucun statut pour "
                         "l'action 1.3 b. Inscrivez Réalisé, En cours, Non débuté, Reporté, Abandonné ou Continu.")


def test_statut_manquant_names_every_action_of_the_cell(tmp_path):
    statuses = with_statuses(**{"1_2": {"2018-2019": "En cours"}})
    found = rules.regle_plan_statut_manquant(plan_context(tmp_path, statuses, as_of=D(2019, 9, 1)))
    assert ("Axe 1", 5, "2019-2020") in where(found)
    msg = next(f.message for f in found if f.row == 5)
    assert "aucun statut pour les actions 1.2 a, 1.2 b." in msg


# ---------------------------------------------------------------- unknown status

def test_statut_inconnu_fires_on_en_attente(tmp_path):
    found = rules.regle_plan_statut_inconnu(plan_context(tmp_path))
    assert where(found) == [("Axe 3", 5, "2019-2020")]
    f = found[0]
    assert (f.rule, f.severity) == ("plan-statut-inconnu", "erreur")
    assert "année 2019-2020 : statut inconnu « En attente » pour l'action 3.2 c." in f.message


def test_statut_inconnu_silent_when_every_status_is_known(tmp_path):
    statuses = with_statuses(**{"3_2": {"2018-2019": "Continu", "2019-2020": "a. Continu; b. continu; c. en cours",
                                        "2020-2021": "Continu"}})
    assert rules.regle_plan_statut_inconnu(plan_context(tmp_path, statuses)) == []


# ---------------------------------------------------------------- plan over

def test_non_complete_silent_while_the_last_year_runs(tmp_path):
    assert rules.regle_plan_non_complete(plan_context(tmp_path, as_of=D(2021, 8, 31))) == []


def test_non_complete_fires_once_the_last_year_is_over(tmp_path):
    found = rules.regle_plan_non_complete(plan_context(tmp_path, as_of=D(2021, 9, 1)))
    assert where(found) == [("Axe 1", 7, "2020-2021"), ("Axe 1", 13, "2020-2021"), ("Axe 2", 5, "2020-2021"),
                            ("Axe 3", 5, "2020-2021"), ("Axe 4", 5, "2020-2021")]
    assert {f.severity for f in found} == {"avertissement"}
    by_row = {(f.sheet, f.row): f.message for f in found}
    assert by_row[("Axe 2", 5)] == (
        "Plan d'action terminé le 31 août 2021 (dernière année 2020-2021) : l'action 2.2 a (dernier statut : "
        "Non débuté en 2019-2020) n'est ni réalisée, ni abandonnée, ni continue. Inscrivez son statut final "
        "(Réalisé, Abandonné ou Continu).")
    assert "l'action 3.2 c (dernier statut : En cours en 2020-2021)" in by_row[("Axe 3", 5)]


# ---------------------------------------------------------------- remark

def test_remarque_requise_fires_on_reporte_without_remark(tmp_path):
    found = rules.regle_plan_remarque_requise(plan_context(tmp_path))
    assert where(found) == [("Axe 1", 7, "REMARQUES")]
    assert (found[0].severity, found[0].column_index) == ("avertissement", 7)
    assert "aucune remarque n'explique le statut de l'action 1.4 b (Reporté en 2020-2021)" in found[0].message


def test_remarque_for_another_letter_does_not_count(tmp_path):
    entry = dict(EXAMPLE_STATUSES["1.4"], remarque="a. Fait par la secrétaire.")
    found = rules.regle_plan_remarque_requise(plan_context(tmp_path, with_statuses(**{"1_4": entry})))
    assert where(found) == [("Axe 1", 7, "REMARQUES")]


def test_remarque_requise_silent_with_a_remark(tmp_path):
    entry = dict(EXAMPLE_STATUSES["1.4"], remarque="b. Faute de ressources.")
    assert rules.regle_plan_remarque_requise(plan_context(tmp_path, with_statuses(**{"1_4": entry}))) == []


# ---------------------------------------------------------------- duplicates

def test_doublon_fires_on_the_seed_repeated_actions(tmp_path):
    found = rules.regle_plan_doublon(plan_context(tmp_path, layout="one-sheet"))
    assert [(f.row, f.column, f.severity, f.rule) for f in found] == [
        (48, "ACTIONS", "info", "plan-doublon"), (49, "ACTIONS", "info", "plan-doublon")]
    assert ("l'action 4.2 b « inciter les membres à faire part au CA des luttes et actions à soutenir » "
            "reprend l'action 2.3 b de l'objectif 2.3") in found[0].message
    assert "l'action 4.3 a « déterminer notre niveau d'intervention et notre contribution » reprend l'action 4.2 c" \
        in found[1].message


def test_doublon_silent_on_distinct_actions(tmp_path):
    assert rules.regle_plan_doublon(plan_context(tmp_path, seed=fixed_seed())) == []


# ---------------------------------------------------------------- years

def test_plan_years():
    assert parse_year("2018-2019") == (2018, 2019)
    assert parse_year("2018-19") == (2018, 2019)
    assert parse_year("2018-2020") is None
    assert year_bounds("2020-2021") == (D(2020, 9, 1), D(2021, 9, 1))
    assert year_bounds("2020-2021", 4) == (D(2020, 4, 1), D(2021, 4, 1))

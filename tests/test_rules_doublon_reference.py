"""Checks without an article: ``doublon`` and ``reference-plan-inconnue``."""
from __future__ import annotations

from builders import D, context_for, form, inbox, write_forms

from syndic_batch.config import DEFAULT_PARAMS
from syndic_batch.context import Context
from syndic_batch.plan.model import Action, Axis, CellRef, Goal, Objective, Plan
from syndic_batch.read.inbox import read_inbox
from syndic_batch.rules.doublon import regle_doublon
from syndic_batch.rules.reference_plan import regle_reference_plan


# ---------------------------------------------------------------- doublon

def test_duplicate_across_two_monthly_workbooks_flags_the_later_received(tmp_path):
    # The March workbook sorts after the February one, but its row was received first:
    # the February row is the later one.
    root = inbox(tmp_path, [form(categorie="Représentation", date_reception=D(2026, 3, 4))],
                 name="formulaires-2026-03.xlsx")
    write_forms(root / "archives" / "formulaires-2026-02.xlsx",
                [form(), form(categorie="REPRESENTATION", date_reception=D(2026, 3, 20))], sheet="Février")
    ctx = Context(read_inbox(root, DEFAULT_PARAMS), DEFAULT_PARAMS, D(2026, 4, 30))
    [f] = regle_doublon(ctx)
    assert (f.article, f.rule, f.severity, f.file, f.sheet, f.row, f.column) == (
        None, "doublon", "avertissement", "archives/formulaires-2026-02.xlsx", "Février", 3, "Heures demandées")
    assert f.message.startswith(
        "Doublon possible : même membre, même date (2 mars 2026), même catégorie et mêmes heures (3,5 h) "
        "que la ligne 2 de la feuille « Formulaires » du fichier « formulaires-2026-03.xlsx ».")


def test_duplicates_in_one_file_name_the_first_row_and_differences_are_silent(tmp_path):
    ctx = context_for(tmp_path, [
        form(),                                   # 2: first
        form(heures_demandees=3.0),               # other hours
        form(matricule="1002"),                   # other member
        form(date_activite=D(2026, 3, 3)),        # other date
        form(categorie="Représentation"),         # other category
        form(),                                   # 7: duplicate of 2
        form(),                                   # 8: duplicate of 2
    ])
    found = regle_doublon(ctx)
    assert sorted(f.row for f in found) == [7, 8]
    assert all("que la ligne 2 de la feuille « Formulaires »" in f.message for f in found)


def test_same_reception_date_then_file_then_row_decides_the_later(tmp_path):
    root = inbox(tmp_path, [form()], name="b.xlsx")
    # another sheet name: byte-identical workbooks would be one copy read once (classeur-en-double)
    write_forms(root / "a.xlsx", [form()], sheet="Mars")
    ctx = Context(read_inbox(root, DEFAULT_PARAMS), DEFAULT_PARAMS, D(2026, 4, 30))
    [f] = regle_doublon(ctx)
    assert (f.file, f.row) == ("b.xlsx", 2)
    assert "du fichier « a.xlsx »" in f.message


# ---------------------------------------------------------------- reference-plan-inconnue

def _cell(row, column="OBJECTIFS"):
    return CellRef("plan.xlsx", "Plan", row, 2, column)


def small_plan() -> Plan:
    objective = Objective("1.2", "Augmenter la participation", _cell(5), [
        Action("a", "Tenir des assemblées", _cell(5, "ACTIONS")),
        Action("b", "Publier un bulletin", _cell(5, "ACTIONS")),
    ])
    goal = Goal("1", "Mobiliser les membres", _cell(4, "BUTS"), [objective])
    return Plan([Axis("1", "ORGANISATION SYNDICALE", _cell(3), [goal])], ["2025-2026"], ["plan.xlsx"])


def test_reference_naming_nothing_of_the_plan(tmp_path):
    ctx = context_for(tmp_path, [
        form(reference_plan="1.2"), form(reference_plan="1.2 b"), form(reference_plan="Obj. 1.2.a"),
        form(reference_plan="1.2 d"),          # 5: no action d
        form(reference_plan="9.9"),            # 6: no objective 9.9
        form(reference_plan="voir CE"),        # 7: not a reference
        form(),                                # no reference
    ])
    ctx.data.plan = small_plan()
    found = {f.row: f for f in regle_reference_plan(ctx)}
    assert sorted(found) == [5, 6, 7]
    assert all((f.article, f.rule, f.severity, f.column) ==
               (None, "reference-plan-inconnue", "avertissement", "Référence au plan d'action")
               for f in found.values())
    assert "« 1.2 d » ne correspond à aucune action : l'objectif 1.2 n'a pas d'action « d »" in found[5].message
    assert "« 9.9 » ne correspond à aucun objectif du plan d'action (aucun objectif 9.9)" in found[6].message
    assert "« voir CE » n'est pas lisible" in found[7].message


def test_no_plan_in_the_inbox_gives_one_info_only(tmp_path):
    ctx = context_for(tmp_path, [form(), form(reference_plan="1.2"), form(reference_plan="9.9"),
                                 form(reference_plan="2.1 a")])
    assert ctx.data.plan is None
    [f] = regle_reference_plan(ctx)
    assert (f.severity, f.row, f.column) == ("info", 3, "Référence au plan d'action")
    assert f.message.startswith("Aucun plan d'action dans la boîte de réception : les références au plan "
                                "d'action de 3 lignes n'ont pas été vérifiées.")


def test_no_reference_no_finding_even_without_plan(tmp_path):
    assert regle_reference_plan(context_for(tmp_path, [form()])) == []

"""The action-plan reader on the seed grid built as a real workbook (examples/make_plan.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

from make_plan import EXAMPLE_STATUSES, write_seed_plan  # noqa: E402

from builders import form, inbox  # noqa: E402
from syndic_batch.plan.model import normalise_status  # noqa: E402
from syndic_batch.plan.reader import read_plan_workbook, split_actions, split_per_letter  # noqa: E402
from syndic_batch.read.inbox import read_inbox  # noqa: E402


def read(path: Path):
    names = load_workbook(path).sheetnames
    return read_plan_workbook(path, "plan/plan.xlsx", names)


@pytest.fixture(params=["per-axis", "one-sheet"])
def seed_plan(request, tmp_path):
    path = write_seed_plan(tmp_path / "plan.xlsx", EXAMPLE_STATUSES, layout=request.param)
    plan, findings = read(path)
    return request.param, plan, findings


def test_seed_counts_4_axes_4_goals_15_objectives_32_actions(seed_plan):
    _layout, plan, findings = seed_plan
    assert findings == []
    assert [a.number for a in plan.axes] == ["1", "2", "3", "4"]
    assert [g.number for a in plan.axes for g in a.goals] == ["1", "2", "3.1", "4.1"]
    assert [o.number for _a, _g, o in plan.objectives()] == [
        "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3"]
    assert len(plan.actions()) == 32
    assert [len(o.actions) for _a, _g, o in plan.objectives()] == [1, 2, 2, 2, 1, 3, 1, 1, 3, 4, 3, 2, 3, 3, 1]
    assert plan.years == ["2018-2019", "2019-2020", "2020-2021"]
    assert plan.axes[2].title == "DÉFENSE DES DROITS ET DES CONDITIONS DE TRAVAIL DE NOS MEMBRES"


def test_page_two_objectives_belong_to_goal_one(seed_plan):
    _layout, plan, _f = seed_plan
    goal = plan.axes[0].goals[0]
    assert goal.text == "Assurer le bon fonctionnement du SEESOCQ et son développement"
    assert [o.number for o in goal.objectives] == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]


def test_html_remnants_removed_and_letters_kept(seed_plan):
    _layout, plan, _f = seed_plan
    by_ref = {(o.number, x.letter): x.text for _a, _g, o, x in plan.actions()}
    assert by_ref[("1.6", "a")] == "réfléchir sur la répartition du travail et la composition du CA"
    assert by_ref[("1.6", "c")] == ("maintenir une banque de ressources pour les besoins ponctuels "
                                    "(application, négociation, recrutement)")
    assert by_ref[("3.1", "d")] == ("mettre à jour le comparatif des unités du secteur primaire-secondaire "
                                    "et mettre en place un comparatif pour les autres secteurs")
    # "etc.)" inside an action does not split it
    assert by_ref[("4.2", "a")] == ("identifier par les instances du SEESOCQ les activités à venir "
                                    "(1er mai, projets de loi, etc.)")
    assert not any("<" in t or ">" in t or "style" in t for t in by_ref.values())


def test_cells_are_remembered_per_axis_layout(tmp_path):
    plan, _f = read(write_seed_plan(tmp_path / "plan.xlsx", EXAMPLE_STATUSES))
    goal1 = plan.axes[0].goals[0]
    assert (goal1.cell.sheet, goal1.cell.row, goal1.cell.column_index, goal1.cell.column) == ("Axe 1", 4, 1, "BUTS")
    obj16 = goal1.objectives[5]
    # page 2 of AXE 1: title row 9, upper header 10, header 11, 1.5 on row 12, 1.6 on row 13
    assert (obj16.cell.row, obj16.cell.column) == (13, "OBJECTIFS")
    action = obj16.actions[2]
    assert (action.cell.sheet, action.cell.row, action.cell.column_index, action.cell.column) == ("Axe 1", 13, 3, "ACTIONS")
    ys = action.statuses["2019-2020"]
    assert (ys.cell.row, ys.cell.column_index, ys.cell.column) == (13, 5, "2019-2020")
    assert action.remark_cell.column == "REMARQUES" and action.remark_cell.column_index == 7
    assert plan.axes[3].cell.sheet == "Axe 4" and plan.axes[3].cell.row == 1


def test_goal_merged_down_in_the_fixture(tmp_path):
    path = write_seed_plan(tmp_path / "plan.xlsx")
    ws = load_workbook(path)["Axe 1"]
    assert "A4:A7" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["C13"].value.startswith("<p>a. réfléchir")
    assert load_workbook(path)["Axe 3"]["C4"].value.startswith('<ul style="list-style-type: none"> a. faire')


def test_statuses_per_row_and_per_letter(seed_plan):
    _layout, plan, _f = seed_plan
    act = {(o.number, x.letter): x for _a, _g, o, x in plan.actions()}
    s = lambda ref, year: act[ref].statuses[year]  # noqa: E731
    # one status per letter: "a. En cours; b. Non débuté"
    assert (s(("1.2", "a"), "2018-2019").status, s(("1.2", "b"), "2018-2019").status) == ("En cours", "Non débuté")
    # a letter without an entry in a per-letter cell has no status: "a. Réalisé" for 1.3 a and b
    assert s(("1.3", "a"), "2019-2020").status == "Réalisé"
    assert (s(("1.3", "b"), "2019-2020").status, s(("1.3", "b"), "2019-2020").raw) == (None, None)
    # one status for the whole row
    assert {s(("1.4", x), "2018-2019").status for x in "ab"} == {"Non débuté"}
    # an unknown status keeps what was written
    assert (s(("3.2", "c"), "2019-2020").status, s(("3.2", "c"), "2019-2020").raw) == (None, "En attente")
    # an empty cell
    assert s(("1.1", "a"), "2020-2021").raw is None
    # remarks: per letter, or for the whole row
    assert act[("1.3", "b")].remark == "Le CA a jugé l'exercice trop coûteux."
    assert act[("1.3", "a")].remark is None
    assert act[("1.5", "a")].remark == "Décision de l'AG de juin 2019."


def test_goal_on_first_row_only_line_breaks_li_and_merged_status(tmp_path):
    """Another secretary's grid: no merged goal, actions without letters split on
    line breaks and <li>, a status merged down over two rows, a stray letter."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Plan"
    ws.append(["Plan d'action 2022-2025"])
    ws.append(["AXE 1 - Vie syndicale"])
    ws.append(["Buts", "Objectifs", "Actions", "2022-2023", "2023-2024", "Remarques"])
    ws.append(["1. Mobiliser", "1.1 Informer", "Publier un bulletin\nTenir un kiosque", "Réalisé", "a. Continu; c. Réalisé", None])
    ws.append([None, "1.2 Former", "<ul><li>Offrir une formation</li><li>Évaluer la formation</li></ul>", "En cours", None, "voir CE"])
    ws.append([None, "1.3 Accueillir", "a) Écrire aux nouveaux membres", None, None, None])
    ws.merge_cells("D5:D6")
    path = tmp_path / "autre.xlsx"
    wb.save(path)
    plan, findings = read_plan_workbook(path, "autre.xlsx", ["Plan"])
    assert [(a.number, a.title) for a in plan.axes] == [("1", "Vie syndicale")]
    goal = plan.axes[0].goals[0]
    assert (goal.number, goal.text) == ("1", "Mobiliser")
    assert [o.number for o in goal.objectives] == ["1.1", "1.2", "1.3"]
    o11, o12, o13 = goal.objectives
    assert [(x.letter, x.text) for x in o11.actions] == [("a", "Publier un bulletin"), ("b", "Tenir un kiosque")]
    assert [(x.letter, x.text) for x in o12.actions] == [("a", "Offrir une formation"), ("b", "Évaluer la formation")]
    assert [(x.letter, x.text) for x in o13.actions] == [("a", "Écrire aux nouveaux membres")]
    # the merged status D5:D6 applies to 1.3 too, on the merged range's first cell
    ys = o13.actions[0].statuses["2022-2023"]
    assert (ys.status, ys.cell.row) == ("En cours", 5)
    assert o12.actions[1].remark == "voir CE"
    assert [x.statuses["2023-2024"].status for x in o11.actions] == ["Continu", None]
    # "c. Réalisé" names an action the row does not have
    assert [(f.rule, f.severity, f.row, f.column) for f in findings] == [
        ("plan-numerotation", "avertissement", 4, "2023-2024")]
    assert "la lettre c" in findings[0].message and "a, b" in findings[0].message


@pytest.mark.parametrize("cell, expected", [
    ("a. x; b. y", [("a", "x"), ("b", "y")]),
    ("a) x\nb) y.", [("a", "x"), ("b", "y")]),
    ("<p>x</p><p>y</p>", [("a", "x"), ("b", "y")]),
    ("x; y; z", [("a", "x"), ("b", "y"), ("c", "z")]),
    ("a. voir c. plus bas; b. y", [("a", "voir c. plus bas"), ("b", "y")]),
    ("", []),
])
def test_split_actions(cell, expected):
    assert split_actions(cell) == expected


def test_status_spellings():
    assert [normalise_status(s) for s in ("réalisé", "Réalisée", "complétée", "EN COURS", "Non-débuté",
                                          "annulée", "À faire", "En attente", None)] == [
        "Réalisé", "Réalisé", "Réalisé", "En cours", "Non débuté", "Abandonné", "Non débuté", None, None]


def test_split_per_letter():
    assert split_per_letter("Réalisé") == ("Réalisé", None)
    assert split_per_letter("a. Réalisé; b. En cours") == (None, {"a": "Réalisé", "b": "En cours"})
    assert split_per_letter("b) Reporté") == (None, {"b": "Reporté"})
    assert split_per_letter(None) == (None, None)


def test_resolve_on_the_real_model(seed_plan):
    _layout, plan, _f = seed_plan
    axis, obj, action = plan.resolve("1.2 b")
    assert (axis.number, obj.number, action.letter, action.text) == ("1", "1.2", "b", "publication de certaines données")
    assert plan.resolve("1.2b")[2].letter == "b"
    axis, obj, action = plan.resolve("3.1")
    assert (axis.number, obj.number, action) == ("3", "3.1", None)  # the objective, not the goal numbered 3.1
    assert plan.resolve("1.2 z") is None
    assert plan.resolve("9.9") is None
    assert plan.resolve("plan") is None


def test_inbox_reader_finds_the_plan_in_a_subfolder(tmp_path):
    root = inbox(tmp_path, [form()])
    write_seed_plan(root / "plan" / "plan-2018-2021.xlsx", EXAMPLE_STATUSES, layout="one-sheet")
    data = read_inbox(root)
    assert data.plan is not None and len(data.plan.actions()) == 32
    assert data.plan.files == ["plan/plan-2018-2021.xlsx"]
    report = next(r for r in data.files if r.path == "plan/plan-2018-2021.xlsx")
    assert report.sheets == {"Plan d'action": "plan"}
    assert not [f for f in data.findings if f.file.startswith("plan/")]

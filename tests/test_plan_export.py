"""The plan's export (OUT/plan-d-action.xlsx) and its section of the AG report,
with the hours granted by axis, objective and action computed independently."""
from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

from make_plan import EXAMPLE_STATUSES, write_seed_plan  # noqa: E402

from builders import form, inbox  # noqa: E402
from syndic_batch.config import DEFAULT_PARAMS  # noqa: E402
from syndic_batch.context import Context  # noqa: E402
from syndic_batch.plan.progress import current_year, plan_section  # noqa: E402
from syndic_batch.read.inbox import read_inbox  # noqa: E402
from syndic_batch.write.plan_export import write_plan_export  # noqa: E402

D = dt.date
ADOPTEE = "Adoptée"
ROWS = [
    form(reference_plan="1.2 b", heures_demandees=3.5, date_activite=D(2026, 3, 2)),
    form(reference_plan="1.2", heures_demandees=2.0, date_activite=D(2026, 3, 3)),
    form(reference_plan="1.2b", heures_demandees=5.0, heures_accordees=4.0, date_activite=D(2026, 3, 4)),
    form(reference_plan="2.3 c", heures_demandees=3.0, decision_ce="Refusée", date_activite=D(2026, 3, 5)),
    form(reference_plan="9.9", heures_demandees=1.5, date_activite=D(2026, 3, 6)),
    form(heures_demandees=6.0, date_activite=D(2026, 3, 9)),
    form(reference_plan="4.3 a", heures_demandees=7.0, decision_ce=None, date_decision=None,
         date_activite=D(2026, 3, 10)),
    form(reference_plan="3.1", heures_demandees=2.5, date_activite=D(2026, 3, 11)),
    form(reference_plan="1.2 z", heures_demandees=1.0, date_activite=D(2026, 3, 12)),
]
# The seed's objectives and their number of actions (see test_plan_reader).
SEED_ACTIONS = dict(zip(["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3",
                         "4.1", "4.2", "4.3"], [1, 2, 2, 2, 1, 3, 1, 1, 3, 4, 3, 2, 3, 3, 1]))


def expected_hours(rows):
    """Hours granted by objective, action and axis, straight from the rows written."""
    by_obj, by_action, by_axis = {}, {}, {}
    unknown = without = total = 0.0
    for r in rows:
        if r.get("decision_ce") != ADOPTEE:
            continue
        h = r.get("heures_accordees") or r["heures_demandees"]
        total += h
        ref = r.get("reference_plan")
        if not ref:
            without += h
            continue
        m = re.fullmatch(r"(\d+\.\d+)\s*([a-z]?)", ref)
        number, letter = m[1], m[2]
        if number not in SEED_ACTIONS or (letter and ord(letter) - ord("a") >= SEED_ACTIONS[number]):
            unknown += h
            continue
        by_obj[number] = by_obj.get(number, 0.0) + h
        axis = number.split(".")[0]
        by_axis[axis] = by_axis.get(axis, 0.0) + h
        if letter:
            by_action[f"{number} {letter}"] = by_action.get(f"{number} {letter}", 0.0) + h
    return by_obj, by_action, by_axis, unknown, without, total


@pytest.fixture
def ctx(tmp_path):
    root = inbox(tmp_path, ROWS)
    write_seed_plan(root / "plan" / "plan.xlsx", EXAMPLE_STATUSES)
    return Context(read_inbox(root, DEFAULT_PARAMS), DEFAULT_PARAMS, D(2026, 4, 30))


def test_expected_hours_sanity():
    by_obj, by_action, by_axis, unknown, without, total = expected_hours(ROWS)
    assert by_obj == {"1.2": 9.5, "3.1": 2.5}
    assert by_action == {"1.2 b": 7.5}
    assert (unknown, without, total) == (2.5, 6.0, 20.5)


# ---------------------------------------------------------------- export

def test_export_one_row_per_action_with_filters_and_frozen_header(ctx, tmp_path):
    out = write_plan_export(ctx, tmp_path / "out" / "plan-d-action.xlsx")
    assert out == tmp_path / "out" / "plan-d-action.xlsx"
    assert [p.name for p in out.parent.iterdir()] == ["plan-d-action.xlsx"]  # no temporary file left
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header == ["Axe", "But", "Objectif", "Lettre", "Référence", "Action", "2018-2019", "2019-2020",
                      "2020-2021", "Remarque", "Heures accordées à l'action", "Heures accordées à l'objectif"]
    assert ws.max_row == 33
    assert ws.auto_filter.ref == "A1:L33"
    assert ws.freeze_panes == "A2"
    rows = {r[4]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 32
    r = rows["1.2 b"]
    assert r[:6] == ("1 – ORGANISATION SYNDICALE",
                     "1. Assurer le bon fonctionnement du SEESOCQ et son développement",
                     "1.2 Maintenir un portrait statistique de nos effectifs et dresser périodiquement un "
                     "bilan de la situation.", "b", "1.2 b", "publication de certaines données")
    assert r[6:9] == ("Non débuté", "En cours", "Réalisé")
    assert rows["3.2 c"][7] == "En attente"  # an unknown status is exported as written
    assert rows["1.3 b"][9] == "Le CA a jugé l'exercice trop coûteux."
    assert rows["3.1 a"][1].startswith("3.1 Soutenir")


def test_export_hours_by_action_and_objective(ctx, tmp_path):
    by_obj, by_action, _axis, *_ = expected_hours(ROWS)
    ws = load_workbook(write_plan_export(ctx, tmp_path / "plan-d-action.xlsx")).active
    for row in ws.iter_rows(min_row=2, values_only=True):
        ref = row[4]
        number = ref.split()[0]
        assert row[10] == pytest.approx(by_action.get(ref, 0.0)), ref
        assert row[11] == pytest.approx(by_obj.get(number, 0.0)), ref
    assert ws["K2"].number_format == "#,##0.00"


def test_export_status_cells_are_filled_by_status(ctx, tmp_path):
    ws = load_workbook(write_plan_export(ctx, tmp_path / "plan-d-action.xlsx")).active
    row = next(r for r in range(2, 34) if ws.cell(r, 5).value == "1.2 b")
    realise, en_cours = ws.cell(row, 9), ws.cell(row, 8)
    assert (realise.value, en_cours.value) == ("Réalisé", "En cours")
    assert realise.fill.fgColor.rgb != en_cours.fill.fgColor.rgb
    assert ws.cell(row, 1).fill.fill_type is None


def test_no_plan_no_export(tmp_path):
    root = inbox(tmp_path, ROWS)
    ctx = Context(read_inbox(root, DEFAULT_PARAMS), DEFAULT_PARAMS, D(2026, 4, 30))
    assert write_plan_export(ctx, tmp_path / "out" / "plan-d-action.xlsx") is None
    assert not (tmp_path / "out" / "plan-d-action.xlsx").exists()
    assert plan_section(ctx) is None


# ---------------------------------------------------------------- AG report section

def test_section_hours_by_axis_and_objective(ctx):
    by_obj, _action, by_axis, unknown, without, total = expected_hours(ROWS)
    s = plan_section(ctx)
    objectives = {l["objectif"].split()[0]: l["valeur"] for l in s["heures_objectifs"]}
    assert len(objectives) == 15
    assert objectives == pytest.approx({n: by_obj.get(n, 0.0) for n in SEED_ACTIONS})
    axes = [l["valeur"] for l in s["heures_axes"]]
    assert axes == pytest.approx([by_axis.get(a, 0.0) for a in "1234"])
    assert next(l["heures"] for l in s["heures_objectifs"] if l["objectif"].startswith("1.2 ")) == "9,5 h"
    assert (s["heures_reference_inconnue"], s["heures_sans_reference"], s["heures_total"]) == ("2,5 h", "6 h", "20,5 h")
    assert unknown == 2.5 and without == 6.0 and total == 20.5


def test_section_progress_for_the_current_year(ctx):
    s = plan_section(ctx)
    assert s["annee"] == "2020-2021"
    axe1 = {c["statut"]: c["nombre"] for c in s["progression"][0]["comptes"]}
    # 1.1 a, 1.2 a, 1.3 a and 1.5 a stay Réalisé from earlier years; 1.3 b Abandonné; 1.4 b Reporté
    assert axe1 == {"Réalisé": 8, "Continu": 0, "En cours": 1, "Non débuté": 0, "Reporté": 1, "Abandonné": 1,
                    "Sans statut": 0}
    assert s["progression"][0]["part_realisee"] == "80 %"  # 8 of the 10 not abandoned
    axe2 = {c["statut"]: c["nombre"] for c in s["progression"][1]["comptes"]}
    assert (axe2["Continu"], axe2["Sans statut"]) == (3, 1)  # 2.2 a has no 2020-2021 status
    assert s["total"]["total"] == 32
    assert s["total"]["part_realisee"] == "57 %"  # 17 of 30


def test_current_year_follows_the_date(ctx):
    plan = ctx.data.plan
    assert current_year(plan, Context(ctx.data, DEFAULT_PARAMS, D(2020, 3, 1))) == "2019-2020"
    assert current_year(plan, Context(ctx.data, DEFAULT_PARAMS, D(2017, 1, 1))) == "2018-2019"


def test_plan_partial_renders_statuses_coloured_and_labelled(ctx):
    from syndic_batch.write.reports import environment

    env = environment()  # the reports' own environment (its filters: bdi, coupe)
    html = env.get_template("_plan.html").render(plan=plan_section(ctx))
    assert html.count('role="img"') == 1
    assert '<title id="plan-graphique-titre">Avancement du plan d&#39;action par axe (2020-2021)</title>' in html
    assert re.search(r'<span class="statut statut-realise"><svg class="pastille"[^>]*><rect [^>]*fill="#2e7d32"/>'
                     r'</svg> Réalisé</span>', html)
    assert "« En attente » (statut inconnu)" in html
    assert re.search(r"Référence inconnue[^<]*</th><td class=\"nombre\">2,5 h</td>", html)
    assert "<script" not in html and 'style="' not in html
    # the seed's HTML remnants are text, never markup
    assert "&lt;p&gt;" not in html and "<p>a. réfléchir" not in html


# ---------------------------------------------------------------- printing (LibreOffice)

def test_export_rows_have_heights_for_their_wrapped_text_and_print_set_up(ctx, tmp_path):
    ws = load_workbook(write_plan_export(ctx, tmp_path / "plan-d-action.xlsx")).active
    widths = {c: ws.column_dimensions[c].width for c in "ABCF"}
    tallest = 0.0
    for r in range(2, ws.max_row + 1):
        height = ws.row_dimensions[r].height
        assert height is not None, r       # LibreOffice keeps 15 pt without one: the lines would overlap
        for c in "ABCF":
            text = ws[f"{c}{r}"].value or ""
            # at least one line per (width × 1.25) characters of the cell's text
            assert height >= 15 * (len(text) // int(widths[c] * 1.25)), (r, c, text)
            assert ws[f"{c}{r}"].alignment.wrap_text
        tallest = max(tallest, height)
    assert tallest >= 60        # the long objectives take several lines
    ps = ws.page_setup
    assert (ps.orientation, ps.paperSize, ps.fitToHeight) == ("landscape", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1"
    assert "Page &P de &N" in ws.oddFooter.center.text


def test_plan_text_that_looks_like_a_formula_stays_text(ctx, tmp_path):
    action = next(a for _ax, _g, _o, a in ctx.data.plan.actions())
    action.remark = "=SOMME(A1:A3)"
    ws = load_workbook(write_plan_export(ctx, tmp_path / "plan-d-action.xlsx")).active
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=SOMME(A1:A3)")
    assert cell.data_type == "s"


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice absent")
def test_libreoffice_prints_the_export_one_page_wide(ctx, tmp_path):
    import subprocess

    path = write_plan_export(ctx, tmp_path / "plan.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "plan.pdf"), "-"],
                          capture_output=True, text=True).stdout
    assert "Axe" in text and "l'objectif" in text and "Page 1 de" in text

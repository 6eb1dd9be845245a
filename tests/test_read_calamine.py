"""Reading on python-calamine: Excel's row and column numbers, types, what calamine
does not give (hidden rows, error cells, formulas without a value), other formats.

Workbooks are real: written with openpyxl (``builders``), straight as XML parts
(``hostile``) when the layout matters, or converted by LibreOffice (.xls, .ods).
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from builders import D, form, inbox, write_forms, write_register
from hostile import HEADER, cells, form_rows, form_values, write_xlsx
from syndic_batch.config import DEFAULT_PARAMS
from syndic_batch.context import Context
from syndic_batch.model import FEUILLE_MASQUEE, FORMULE_SANS_VALEUR, LIGNE_MASQUEE, VALEUR_ERREUR
from syndic_batch.read.inbox import read_inbox
from syndic_batch.rules.art_5_1 import regle_5_1_champs_obligatoires, regle_5_1_valeurs_illisibles
from syndic_batch.rules.registry import run_rules


def _ctx(root: Path) -> Context:
    return Context(read_inbox(root, DEFAULT_PARAMS), DEFAULT_PARAMS, D(2026, 4, 30))


def test_used_range_below_row_1_and_right_of_column_a_keeps_excel_numbers(tmp_path):
    """Title rows, then the header at C4: rows 5 and 6 are read as Excel rows 5 and 6,
    and each field's column is its Excel column."""
    root = tmp_path / "inbox"
    write_register(root / "registre.xlsx")
    sheet = [(2, cells(2, ["Formulaire de mars"], 3), "")]
    sheet += list(form_rows([form_values(), form_values(matricule="1002", heures_demandees=2.0)],
                            header_row=4, first_col=3))
    write_xlsx(root / "f.xlsx", [("Mars", sheet, "")])
    data = read_inbox(root)
    forms = data.forms
    assert list(forms["_row"]) == [5, 6]
    assert list(forms["matricule"]) == ["1001", "1002"]
    assert list(forms["heures_demandees"]) == [3.5, 2.0]
    src = data.sources[int(forms.loc[0, "_src"])]
    assert src.header_row == 4
    assert src.columns["matricule"] == (3, "Matricule")             # column C
    assert src.columns["heures_demandees"] == (11, "Heures demandées")  # column K = 3 + 8
    # a finding points at the Excel cell
    [f] = [f for f in run_rules(_ctx(root)) if f.rule == "membre-inconnu"] or [None]
    assert f is None  # both members are in the register: nothing to say


def test_integers_come_as_floats_and_are_read_as_text_or_numbers(tmp_path):
    """calamine gives 40123.0 for the matricule 40123: it is the text "40123";
    a date cell is a date, an hour count a number."""
    root = tmp_path / "inbox"
    write_register(root / "r.xlsx", members=[
        {"matricule": 40123, "nom": "Zoé", "debut_contrat": D(2020, 1, 1), "taux_horaire": 31}])
    write_forms(root / "f.xlsx", [form(matricule=40123, heures_demandees=7)])
    data = read_inbox(root)
    assert data.members.loc[0, "matricule"] == "40123"
    assert data.members.loc[0, "taux_horaire"] == 31.0
    assert data.forms.loc[0, "matricule"] == "40123"
    assert data.forms.loc[0, "heures_demandees"] == 7.0
    assert data.forms.loc[0, "date_activite"] == pd.Timestamp(2026, 3, 2)
    assert not [f for f in run_rules(_ctx(root)) if f.rule == "membre-inconnu"]


def test_hidden_rows_and_hidden_sheets_holding_rows_get_one_info_each(tmp_path):
    root = inbox(tmp_path, [form(), form(matricule="1002"), form(matricule="1003"), form(matricule="1004")])
    path = root / "formulaires-2026-03.xlsx"
    wb = load_workbook(path)
    ws = wb.active
    ws.row_dimensions[3].hidden = True
    ws.row_dimensions[4].hidden = True
    ws.row_dimensions[9].hidden = True            # hidden but empty: not read, not listed
    extra = wb.create_sheet("Archive")
    extra.sheet_state = "hidden"
    extra.append(HEADER)
    extra.append(form_values(matricule="1005", date_activite=D(2026, 3, 9)))
    wb.create_sheet("Vide").sheet_state = "hidden"  # hidden and empty: silent
    wb.save(path)
    data = read_inbox(root)
    assert len(data.forms) == 5  # hidden rows and sheets are read and checked like the others
    rows = [f for f in data.findings if f.rule == LIGNE_MASQUEE]
    assert [(f.file, f.sheet, f.row, f.severity) for f in rows] == [
        ("formulaires-2026-03.xlsx", "Formulaires", 3, "info")]
    assert "2 lignes masquées" in rows[0].message and "3 à 4" in rows[0].message
    assert "Afficher" in rows[0].message
    sheets = [f for f in data.findings if f.rule == FEUILLE_MASQUEE]
    assert [(f.sheet, f.severity) for f in sheets] == [("Archive", "info")]
    assert "masquée" in sheets[0].message and "1 ligne lue" in sheets[0].message


def test_a_clean_workbook_has_no_hidden_finding(tmp_path):
    data = read_inbox(inbox(tmp_path, [form()]))
    assert not [f for f in data.findings if f.rule in (LIGNE_MASQUEE, FEUILLE_MASQUEE)]


def test_merged_cells_are_read_from_calamine(tmp_path):
    """A matricule merged down over three rows, with the sheet's data starting at B."""
    root = tmp_path / "inbox"
    write_register(root / "registre.xlsx")
    rows = [form_values(date_activite=D(2026, 3, d)) for d in (2, 3, 4)]
    for r in rows[1:]:
        r[0] = None
    write_xlsx(root / "f.xlsx", [("F", list(form_rows(rows, first_col=2)),
                                  '<mergeCells count="1"><mergeCell ref="B2:B4"/></mergeCells>')])
    forms = read_inbox(root).forms
    assert list(forms["matricule"]) == ["1001"] * 3
    assert list(forms["_row"]) == [2, 3, 4]


def test_odd_values_become_findings_never_a_crash(tmp_path):
    """1E+26, ∞, NaN, a logical value, Excel errors and a formula without its value,
    each in a form; the clean row beside them stays silent."""
    root = tmp_path / "inbox"
    write_register(root / "registre.xlsx")
    rows = [
        form_values(),                                          # row 2: clean
        form_values(heures_demandees=1e26),                     # row 3
        form_values(heures_demandees=True),                     # row 4
        form_values(heures_demandees="#DIV/0!"),                # row 5
        form_values(matricule="#N/A"),                          # row 6
        form_values(heures_demandees="=A2*2"),                  # row 7: formula, no saved value
        form_values(date_activite="02/03/0226"),                # row 8: a year typed 0226
        form_values(taux_declare=float("inf")),                 # row 9
        form_values(heures_demandees=float("nan")),             # row 10
    ]
    sheet = list(form_rows(rows))
    sheet[8] = (9, sheet[8][1].replace("<v>inf</v>", "<v>INF</v>"), "")
    sheet[9] = (10, sheet[9][1].replace("<v>nan</v>", "<v>NaN</v>"), "")
    write_xlsx(root / "f.xlsx", [("F", sheet, "")])
    ctx = _ctx(root)
    findings = run_rules(ctx)  # no exception anywhere (Babel once crashed on 1e26)
    by_row = {}
    for f in findings:
        if f.file == "f.xlsx" and f.article == "5.1":
            by_row.setdefault(f.row, []).append((f.rule, f.column, f.message))
    assert 2 not in by_row
    assert by_row[3] == [("nombre-illisible", "Heures demandées",
                          "« 1E+26 » dans « Heures demandées » n'est pas un nombre plausible (hors de la plage "
                          "lisible) (art. 5.1) : corrigez la valeur.")]
    assert by_row[4][0][0] == "nombre-illisible" and "« VRAI »" in by_row[4][0][2]
    assert by_row[5] == [(VALEUR_ERREUR, "Heures demandées",
                          "« Heures demandées » contient l'erreur Excel #DIV/0! (division par zéro), pas une "
                          "valeur : corrigez la formule ou inscrivez la valeur (art. 5.1).")]
    assert by_row[6] == [(VALEUR_ERREUR, "Matricule",
                          "« Matricule » contient l'erreur Excel #N/A (valeur non disponible), pas une valeur : "
                          "corrigez la formule ou inscrivez la valeur (art. 5.1).")]
    assert by_row[7] == [(FORMULE_SANS_VALEUR, "Heures demandées",
                          "« Heures demandées » : formule sans valeur enregistrée : ouvrez le classeur dans "
                          "Excel ou LibreOffice et enregistrez-le (art. 5.1).")]
    assert [r[0] for r in by_row[8]] == ["date-illisible"]
    assert "date hors de la plage 1900–2199" in by_row[8][0][2]
    assert by_row[9][0][0] == "nombre-illisible" and "« ∞ »" in by_row[9][0][2]
    # NaN is no number anybody typed: an empty required field
    assert [r[0] for r in by_row[10]] == ["champ-obligatoire"]
    # never « vide » for an error cell or a formula without value
    empty = regle_5_1_champs_obligatoires(ctx)
    assert {f.row for f in empty} == {10}
    # the reports and every writer format these values without raising
    from syndic_batch import formatting
    assert formatting.hours(1e26) == "1,000 × 10^26 h"
    assert formatting.money(float("inf")) == "∞ $"


def test_register_error_cells_are_reference_data_findings(tmp_path):
    root = tmp_path / "inbox"
    write_register(root / "r.xlsx", members=[
        {"matricule": "1001", "nom": "A", "debut_contrat": D(2020, 1, 1), "taux_horaire": "#REF!"},
        {"matricule": "1002", "nom": "B", "debut_contrat": D(2020, 1, 1), "taux_horaire": 25.0}])
    wb = load_workbook(root / "r.xlsx")
    assert wb["Membres"]["E2"].data_type == "e"  # openpyxl wrote a real error cell
    findings = [f for f in run_rules(_ctx(root)) if f.rule == "donnee-de-reference"]
    assert [(f.row, f.column) for f in findings] == [(2, "Taux horaire ($)")]
    assert "#REF! (référence invalide)" in findings[0].message


def test_formula_without_value_written_by_openpyxl(tmp_path):
    """openpyxl saves formulas without their value: the cell is « formule sans valeur
    enregistrée », not « vide »; once LibreOffice has saved the workbook it is read."""
    root = inbox(tmp_path, [form(heures_demandees="=1+2")])
    wb = load_workbook(root / "formulaires-2026-03.xlsx")
    wb.active["I2"].data_type = "f"
    wb.active["I2"].value = "=1+2"
    wb.save(root / "formulaires-2026-03.xlsx")
    ctx = _ctx(root)
    found = [(f.rule, f.row) for f in regle_5_1_valeurs_illisibles(ctx)]
    assert found == [(FORMULE_SANS_VALEUR, 2)]
    assert not regle_5_1_champs_obligatoires(ctx)


# ---------------------------------------------------------------- other formats, saved by LibreOffice

def _soffice(src: Path, fmt: str, out: Path, profile: Path) -> Path:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.fail("LibreOffice (soffice) is needed to make the .xls and .ods fixtures")
    subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                    "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=180)
    return out / f"{src.stem}.{fmt}"


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """One form workbook (title row, header at row 2, a merged matricule, a hidden row)
    converted by LibreOffice to .xls and .ods."""
    base = tmp_path_factory.mktemp("lo")
    rows = [form(), form(date_activite=D(2026, 3, 3), matricule=None, nom=None),
            form(matricule="1002", heures_demandees=2.25, date_reception="05/03/2026")]
    src = write_forms(base / "src" / "mars.xlsx", rows, title_rows=["Formulaire de mars 2026"])
    wb = load_workbook(src)
    wb.active.merge_cells("A3:A4")
    wb.save(src)
    out = base / "out"
    return {fmt: _soffice(src, fmt, out, base / "profile") for fmt in ("xls", "ods")}


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_forms_are_read_with_excel_row_numbers(converted, fmt, tmp_path):
    root = tmp_path / "inbox"
    write_register(root / "registre.xlsx")
    shutil.copy(converted[fmt], root / f"mars.{fmt}")
    data = read_inbox(root)
    [report] = [r for r in data.files if r.path == f"mars.{fmt}"]
    assert report.readable and report.rows == 3 and report.sheets == {"Formulaires": "formulaires"}
    forms = data.forms
    assert list(forms["_row"]) == [3, 4, 5]
    assert list(forms["date_activite"]) == [pd.Timestamp(2026, 3, d) for d in (2, 3, 2)]
    assert list(forms["heures_demandees"]) == [3.5, 3.5, 2.25]
    assert list(forms["date_reception"]) == [pd.Timestamp(2026, 3, 5)] * 3
    # merged ranges: calamine gives them for .xls; for .ods they are read from content.xml:
    # either way the merged matricule spreads down
    assert list(forms["matricule"]) == ["1001", "1001", "1002"]
    assert not [f for f in data.findings if f.rule == "fichier-illisible"]


def test_ods_hidden_rows_hidden_sheets_and_merged_ranges_are_read_like_xlsx(tmp_path):
    """An .ods saved by LibreOffice: a hidden row holding a form row, a hidden sheet holding
    one, a merged matricule (A4:A5). The same findings and rows as the .xlsx it came from."""
    rows = [form(), form(matricule="1002"), form(matricule="1003"),
            form(matricule=None, nom=None, date_activite=D(2026, 3, 3))]
    src = write_forms(tmp_path / "src" / "mars.xlsx", rows)
    wb = load_workbook(src)
    ws = wb.active
    ws.row_dimensions[3].hidden = True
    ws.row_dimensions[40].hidden = True           # hidden but empty: silent
    ws.merge_cells("A4:A5")
    extra = wb.create_sheet("Archive")
    extra.sheet_state = "hidden"
    extra.append(HEADER)
    extra.append(form_values(matricule="1005", date_activite=D(2026, 3, 9)))
    wb.save(src)
    ods = _soffice(src, "ods", tmp_path / "lo", tmp_path / "profile")
    got = {}
    for path in (src, ods):
        root = tmp_path / path.suffix[1:]
        write_register(root / "registre.xlsx")
        shutil.copy(path, root / path.name)
        data = read_inbox(root)
        hidden = [(f.rule, f.sheet, f.row, f.message) for f in data.findings
                  if f.rule in (LIGNE_MASQUEE, FEUILLE_MASQUEE)]
        got[path.suffix] = (list(data.forms["_sheet"]), list(data.forms["_row"]),
                            list(data.forms["matricule"]), hidden)
    assert got[".ods"] == got[".xlsx"]
    sheets, numbers, matricules, hidden = got[".ods"]
    assert list(zip(sheets, numbers, matricules)) == [
        ("Formulaires", 2, "1001"), ("Formulaires", 3, "1002"), ("Formulaires", 4, "1003"),
        ("Formulaires", 5, "1003"), ("Archive", 2, "1005")]
    assert [h[:3] for h in hidden] == [(LIGNE_MASQUEE, "Formulaires", 3), (FEUILLE_MASQUEE, "Archive", None)]
    assert "1 ligne masquée" in hidden[0][3]


def test_ods_without_hidden_rows_or_merges_says_nothing(converted, tmp_path):
    from syndic_batch.read.package import scan_ods
    import zipfile

    with zipfile.ZipFile(converted["ods"]) as z:
        scans = scan_ods(z)
    assert list(scans) == ["Formulaires"]
    assert list(scans["Formulaires"].hidden_rows) == [] and scans["Formulaires"].merges == [(1, 3, 1, 4)]


def test_the_fast_scan_and_the_lxml_scan_agree(tmp_path):
    """A part with an XML comment goes through lxml; both passes find the same hidden
    rows, error cells, formulas without value and extent."""
    import zipfile

    from syndic_batch.read.package import scan_part

    rows = [form_values(), form_values(heures_demandees="#N/A"), form_values(heures_demandees="=1+1"),
            form_values(matricule="1002")]
    sheet = list(form_rows(rows, first_col=2, row_attrs={3: 'hidden="1"', 5: 'hidden="true"'}))
    sheet.append((40, cells(40, ["fin"], 30), ""))   # AD40: the last value
    plain = write_xlsx(tmp_path / "plain.xlsx", [("F", sheet, "")])
    commented = [(r, (xml or "") + ("<!-- note -->" if r == 2 else ""), a) for r, xml, a in sheet]
    odd = write_xlsx(tmp_path / "odd.xlsx", [("F", commented, "")])
    scans = []
    for path in (plain, odd):
        with zipfile.ZipFile(path) as z:
            scans.append(scan_part(z, "xl/worksheets/sheet1.xml"))
    fast, exact = scans
    assert fast.exact and not exact.exact
    for s in scans:
        assert list(s.hidden_rows) == [3, 5]
        assert (s.max_row, s.max_col) == (40, 30)
        assert {r: {c: (i.kind, i.code) for c, i in cols.items()} for r, cols in s.issues.items()} == {
            3: {10: ("erreur", "#N/A")}, 4: {10: ("formule", "")}}
    # and the reader gives the same rows from both
    for path in (plain, odd):
        box = tmp_path / path.stem
        box.mkdir()
        shutil.copy(path, box / path.name)
        data = read_inbox(box)
        assert list(data.forms["_row"]) == [2, 3, 4, 5]
        assert [f.rule for f in data.findings] == [LIGNE_MASQUEE]


def test_1904_date_system_and_time_cells(tmp_path):
    """A workbook saved in the 1904 date system (Excel for Mac) gives the same dates;
    a time typed in an hours cell (3:30) is 3,5 h."""
    import datetime as dt

    from python_calamine import CalamineWorkbook

    from builders import CORPUS
    from syndic_batch.read.workbook import sheet_rows

    for name in ("date_1904.xlsx", "date.xlsx"):  # the same dates, 1904 and 1900 systems
        wb = CalamineWorkbook.from_path(str(CORPUS / "calamine" / name))
        rows = list(sheet_rows(wb.get_sheet_by_index(0)))
        assert [(r, c0, v[0]) for r, c0, v in rows[:2]] == [(1, 0, dt.date(2021, 1, 1)), (2, 0, dt.date(2021, 1, 2))]
    root = inbox(tmp_path, [form(heures_demandees=dt.time(3, 30))])
    assert list(read_inbox(root).forms["heures_demandees"]) == [3.5]

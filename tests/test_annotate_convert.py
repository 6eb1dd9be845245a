"""Annotated copies of .ods and .xls forms: converted to .xlsx (write/convert.py).

The forms are real: a forms workbook written with openpyxl, saved as .ods and .xls by
LibreOffice (one ``soffice`` call per format), then annotated like any input.
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from builders import CORPUS, form, write_forms
from syndic_batch.model import AVERTISSEMENT, CONTENU_NON_CONSERVE, ERREUR, INFO, Finding
from syndic_batch.read.fields import FORM_FIELDS
from syndic_batch.write.annotate import annotate_workbook, annotated_name

COL = {f.key: i for i, f in enumerate(FORM_FIELDS, start=1)}


@pytest.fixture(scope="module")
def forms(tmp_path_factory) -> dict[str, Path]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) n'est pas installé : pas de formulaire .ods/.xls à convertir")
    root = tmp_path_factory.mktemp("ods-xls")
    src = write_forms(root / "mars.xlsx", [form(), form(heures_demandees=10, description="=1+1"),
                                            form(matricule="1002", nom="Benoît Gagnon")])
    profile = (root / "profile").as_uri()
    out = {}
    for fmt in ("ods", "xls"):
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt,
                        "--outdir", str(root / fmt), str(src)], capture_output=True, timeout=180, check=True)
        out[fmt] = root / fmt / f"mars.{fmt}"
        assert out[fmt].exists()
    return out


def _findings(rel: str) -> list[Finding]:
    return [
        Finding("4.5", "heures-par-jour", ERREUR, rel, "Formulaires", 3, "Heures demandées",
                "10 h ce jour-là.", column_index=COL["heures_demandees"], matricule="1001",
                nom="Amélie Tremblay"),
        Finding(None, "doublon", AVERTISSEMENT, rel, "Formulaires", 4, None, "Doublon.",
                matricule="1002", nom="Benoît Gagnon"),
        Finding("5.1", "champ-obligatoire", INFO, rel, "Formulaires", 4, "Organisme", "Organisme vide.",
                column_index=COL["organisme"]),
    ]


@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_an_ods_or_xls_form_is_annotated_as_an_xlsx(forms, fmt, tmp_path):
    rel = f"formulaires/mars.{fmt}"
    assert annotated_name(rel) == f"formulaires/mars.{fmt}.xlsx"
    dst = tmp_path / "annotes" / annotated_name(rel)
    result = annotate_workbook(forms[fmt], dst, rel, _findings(rel))
    assert result.path == dst and dst.exists()
    assert [(f.rule, f.severity, f.file, f.sheet) for f in result] == [
        (CONTENU_NON_CONSERVE, INFO, rel, None)]
    assert result[0].message == (
        f"Ce classeur « .{fmt} » est recopié au format Excel (.xlsx) pour être annoté : la copie "
        "reprend ses valeurs, mais ni sa mise en forme, ni ses formules, ni ses commentaires ; "
        "consultez l'original.")

    wb = load_workbook(dst)
    assert wb.sheetnames == ["Formulaires", "Constats"]
    ws = wb["Formulaires"]
    # values at their Excel place, text stays text
    assert ws["A1"].value == "Matricule" and ws["A2"].value == "1001"
    assert ws["I3"].value == 10 and ws["E3"].value == "=1+1" and ws["E3"].data_type == "s"
    assert ws["C2"].value == dt.datetime(2026, 3, 2) and ws["C2"].is_date
    # marks, comments and boxes
    assert ws["I3"].fill.fgColor.rgb.endswith("FFC7CE") and ws["I3"].border.left.style == "thick"
    assert ws["I3"].comment.text == "[ERREUR] Art. 4.5 — 10 h ce jour-là."
    assert ws["A4"].comment.text == "[AVERTISSEMENT] Contrôle « doublon » — Doublon."
    assert ws["G4"].value is None and ws["G4"].fill.fgColor.rgb.endswith("BDD7EE")
    assert ws["I2"].comment is None and ws["I2"].fill.fill_type is None
    # the Constats sheet: the note first, then the findings with member and link
    rows = [list(r) for r in wb["Constats"].iter_rows(values_only=True)]
    assert rows[0] == ["Gravité", "Article", "Règle", "Matricule", "Nom", "Feuille", "Cellule",
                       "Colonne", "Message"]
    assert rows[1][2] == CONTENU_NON_CONSERVE and rows[1][8] == result[0].message
    assert rows[2][:7] == ["Erreur", "4.5", "heures-par-jour", "1001", "Amélie Tremblay", "Formulaires", "I3"]
    assert rows[3][3:7] == ["1002", "Benoît Gagnon", "Formulaires", "A4"]
    assert wb["Constats"]["G3"].hyperlink.location == "'Formulaires'!I3"
    # calamine reads the same values in the copy as in the original
    a = CalamineWorkbook.from_path(str(forms[fmt])).get_sheet_by_name("Formulaires").to_python()
    b = CalamineWorkbook.from_path(str(dst)).get_sheet_by_name("Formulaires").to_python()
    assert [[v for v in r] for r in b][:4] == [[v for v in r] for r in a][:4]


def test_a_sheet_that_starts_below_row_1_keeps_its_excel_rows(tmp_path):
    """calamine's range starts at the first used cell: the copy puts it back in place."""
    src = CORPUS / "calamine/number_rows_repeated.ods"
    sheet = CalamineWorkbook.from_path(str(src)).get_sheet_by_name("Sheet3")
    assert sheet.start == (2, 0)
    first = sheet.to_python()[0][0]
    f = Finding(None, "doublon", AVERTISSEMENT, "n.ods", "Sheet3", 3, None, "Doublon.")
    result = annotate_workbook(src, tmp_path / "n.ods.xlsx", "n.ods", [f])
    ws = load_workbook(result.path)["Sheet3"]
    assert ws["A1"].value is None and ws["A3"].value == first
    assert ws["A3"].comment.text.endswith("Doublon.")


def test_hidden_sheets_stay_hidden(tmp_path):
    src = CORPUS / "sheetjs/sheet_visibility.ods"
    result = annotate_workbook(src, tmp_path / "v.ods.xlsx", "v.ods", [])
    wb = load_workbook(result.path)
    assert [(ws.title, ws.sheet_state) for ws in wb.worksheets][:3] == [
        ("Visible", "visible"), ("Hidden", "hidden"), ("VeryHidden", "hidden")]

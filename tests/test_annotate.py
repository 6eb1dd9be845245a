"""The annotated copies (write/annotate.py) and what they cannot keep (write/preserve.py).

Every test writes a real workbook (or copies one of ../shared/corpus to tmp_path),
annotates it, and reopens the copy with openpyxl or reads its XML.
"""
from __future__ import annotations

import importlib.util
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from builders import form, write_forms
from syndic_batch.model import AVERTISSEMENT, CONTENU_NON_CONSERVE, ERREUR, INFO, Finding
from syndic_batch.read.fields import FORM_FIELDS
from syndic_batch.write.annotate import COMMENT_SEPARATOR, annotate_workbook
from syndic_batch.write.preserve import what_would_be_lost

from builders import CORPUS  # noqa: E402
REL = "formulaires.xlsx"
COL = {f.key: i for i, f in enumerate(FORM_FIELDS, start=1)}  # field key -> column index
HEURES = COL["heures_demandees"]  # column I


def finding(severity=ERREUR, row=2, key="heures_demandees", article="4.5", rule="heures-par-jour",
            message="10 h ce jour-là", sheet="Formulaires", file=REL) -> Finding:
    col = COL[key] if key else None
    header = FORM_FIELDS[col - 1].label if col else None
    return Finding(article, rule, severity, file, sheet, row, header, message, column_index=col)


@pytest.fixture
def forms_book(tmp_path) -> Path:
    return write_forms(tmp_path / "in" / REL, [form(), form(heures_demandees=10), form(matricule="1002")])


def annotate(src: Path, findings, tmp_path: Path, rel: str = REL) -> tuple[Path, list[Finding]]:
    dst = tmp_path / "out" / "annotes" / rel
    dst.parent.mkdir(parents=True, exist_ok=True)
    return dst, annotate_workbook(src, dst, rel, findings)


def corpus_copy(tmp_path: Path, name: str) -> Path:
    dst = tmp_path / "in" / Path(name).name
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CORPUS / name, dst)
    return dst


def constats_rows(wb, name="Constats"):
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


# --- cells -------------------------------------------------------------------------

def test_flagged_cells_are_filled_framed_and_commented_by_severity(forms_book, tmp_path):
    fs = [finding(ERREUR, row=2), finding(AVERTISSEMENT, row=3, key="categorie", article=None,
                                          rule="doublon", message="Même ligne que la ligne 2."),
          finding(INFO, row=4, key="date_decision", article="3.1", rule="fonds-syndicaux",
                  message="Payée par les fonds syndicaux.")]
    dst, extra = annotate(forms_book, fs, tmp_path)
    assert extra == []
    ws = load_workbook(dst)["Formulaires"]

    err, warn, info = ws["I2"], ws["D3"], ws["R4"]
    assert err.fill.fgColor.rgb.endswith("FFC7CE") and err.border.left.style == "thick"
    assert warn.fill.fgColor.rgb.endswith("FFE699") and warn.border.top.style == "mediumDashed"
    assert info.fill.fgColor.rgb.endswith("BDD7EE") and info.border.bottom.style == "dotted"
    assert err.comment.text == "[ERREUR] Art. 4.5 — 10 h ce jour-là"
    assert warn.comment.text == "[AVERTISSEMENT] Contrôle « doublon » — Même ligne que la ligne 2."
    assert info.comment.text == "[INFO] Art. 3.1 — Payée par les fonds syndicaux."
    assert err.comment.author == "syndic-batch"
    with zipfile.ZipFile(dst) as z:  # openpyxl does not read the box size back: check the VML
        vml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    assert len(re.findall(r"width:380px;height:\d+px", vml)) == 3
    # a clean cell of a flagged row and a clean row are untouched
    for clean in (ws["H2"], ws["I3"], ws["I4"]):
        assert clean.fill.fill_type is None and clean.comment is None
        assert clean.border.left.style is None
    assert err.value == 3.5 and ws["I3"].value == 10  # values unchanged


def test_most_severe_finding_colours_the_cell_and_all_go_into_its_comment(forms_book, tmp_path):
    fs = [finding(INFO, message="Note d'information."),
          finding(ERREUR, article="5.1", rule="champ-obligatoire", message="Heures illisibles.")]
    dst, _ = annotate(forms_book, fs, tmp_path)
    cell = load_workbook(dst)["Formulaires"]["I2"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert cell.comment.text.split("\n") == [
        "[ERREUR] Art. 5.1 — Heures illisibles.", "[INFO] Art. 4.5 — Note d'information."]


def test_a_message_that_already_names_its_article_is_not_prefixed_twice(forms_book, tmp_path):
    f = finding(key="matricule", article="2.1", rule="membre-inconnu",
                message="Art. 2.1 : le matricule « 9999 » n'est pas au registre des membres.")
    dst, _ = annotate(forms_book, [f], tmp_path)
    wb = load_workbook(dst)
    assert wb["Formulaires"]["A2"].comment.text == (
        "[ERREUR] Art. 2.1 — Le matricule « 9999 » n'est pas au registre des membres.")
    assert wb["Constats"]["G2"].value == f.message  # the list keeps the message as written


def test_an_existing_comment_is_kept_before_ours(tmp_path):
    src = write_forms(tmp_path / "in" / REL, [form(), form()])
    wb = load_workbook(src)
    wb["Formulaires"]["I2"].comment = Comment("Vérifié avec la trésorière.", "Line")
    wb.save(src)
    dst, _ = annotate(src, [finding()], tmp_path)
    text = load_workbook(dst)["Formulaires"]["I2"].comment.text
    assert text == f"Vérifié avec la trésorière.\n{COMMENT_SEPARATOR}\n[ERREUR] Art. 4.5 — 10 h ce jour-là"


def test_corpus_comments_are_kept_on_cells_we_flag_and_on_the_others(tmp_path):
    src = corpus_copy(tmp_path, "sheetjs/comments_stress_test.xlsx")
    before = {c.coordinate: c.comment.text for row in load_workbook(src)["Sheet2"].iter_rows()
              for c in row if c.comment}
    assert before["A1"].startswith("Author:")
    f = Finding("4.1", "categorie-inconnue", ERREUR, "c.xlsx", "Sheet2", 1, "x", "Catégorie inconnue.",
                column_index=1)
    dst, _ = annotate(src, [f], tmp_path, rel="c.xlsx")
    after = {c.coordinate: c.comment.text for row in load_workbook(dst)["Sheet2"].iter_rows()
             for c in row if c.comment}
    assert after["A1"] == before["A1"].rstrip() + f"\n{COMMENT_SEPARATOR}\n[ERREUR] Art. 4.1 — Catégorie inconnue."
    assert {k: v for k, v in after.items() if k != "A1"} == {k: v for k, v in before.items() if k != "A1"}


def test_a_row_finding_marks_the_first_column_and_a_file_finding_only_the_constats(forms_book, tmp_path):
    row_f = finding(AVERTISSEMENT, key=None, row=3, article=None, rule="doublon", message="Doublon.")
    file_f = Finding(None, "feuille-non-reconnue", INFO, REL, None, None, None, "Feuille ignorée.")
    dst, _ = annotate(forms_book, [row_f, file_f], tmp_path)
    wb = load_workbook(dst)
    ws = wb["Formulaires"]
    assert ws["A3"].comment.text == "[AVERTISSEMENT] Contrôle « doublon » — Doublon."
    assert ws["A3"].fill.fgColor.rgb.endswith("FFE699")
    assert ws["A1"].comment is None and ws["A2"].comment is None
    rows = constats_rows(wb)
    assert rows[1][:7] == ["Info", None, "feuille-non-reconnue", None, None, None, "Feuille ignorée."]
    assert rows[1][7] is None and wb["Constats"]["H2"].hyperlink is None
    assert rows[2][4] == 3 and wb["Constats"]["H3"].hyperlink.location == "'Formulaires'!A3"


def test_a_finding_inside_merged_cells_marks_the_top_left_cell(tmp_path):
    src = write_forms(tmp_path / "in" / REL, [form(description="Colloque")] * 3)
    wb = load_workbook(src)
    wb["Formulaires"].merge_cells("E2:E4")
    wb.save(src)
    dst, _ = annotate(src, [finding(row=3, key="description", message="Description à préciser.")], tmp_path)
    wb = load_workbook(dst)
    ws = wb["Formulaires"]
    assert ws["E2"].comment.text.endswith("Description à préciser.")
    assert "E2:E4" in {str(r) for r in ws.merged_cells.ranges}
    assert wb["Constats"]["H2"].hyperlink.location == "'Formulaires'!E2"


def test_findings_of_other_files_are_ignored(forms_book, tmp_path):
    dst, _ = annotate(forms_book, [finding(file="autre.xlsx")], tmp_path)
    wb = load_workbook(dst)
    assert wb["Formulaires"]["I2"].comment is None
    assert constats_rows(wb)[1][0] == "Aucun constat"


# --- the Constats sheet ------------------------------------------------------------

def test_constats_sheet_lists_every_finding_sorted_with_links(forms_book, tmp_path):
    fs = [finding(INFO, row=4, key="date_decision", article="3.1", rule="fonds-syndicaux", message="Fonds."),
          finding(ERREUR, row=2, key="heures_demandees", message="=SOMME(A1:A9) tapé par le membre"),
          finding(AVERTISSEMENT, row=2, key="matricule", article="2.3", rule="taux-declare",
                  message="Taux déclaré 25,00 $ ; taux du contrat 30,00 $.")]
    dst, _ = annotate(forms_book, fs, tmp_path)
    wb = load_workbook(dst)
    assert wb.sheetnames == ["Formulaires", "Constats"]
    ws = wb["Constats"]
    rows = constats_rows(wb)
    assert rows[0] == ["Gravité", "Article", "Règle", "Feuille", "Ligne", "Colonne", "Constat", "Lien"]
    assert [r[:6] for r in rows[1:]] == [
        ["Avertissement", "2.3", "taux-declare", "Formulaires", 2, "Matricule"],
        ["Erreur", "4.5", "heures-par-jour", "Formulaires", 2, "Heures demandées"],
        ["Info", "3.1", "fonds-syndicaux", "Formulaires", 4, "Date de la décision"],
    ]
    assert [ws.cell(r, 8).hyperlink.location for r in (2, 3, 4)] == [
        "'Formulaires'!A2", "'Formulaires'!I2", "'Formulaires'!R4"]
    assert ws["H3"].value == "Aller à I2" and ws["H3"].font.underline == "single"
    assert ws["A3"].fill.fgColor.rgb.endswith("FFC7CE") and ws["A2"].fill.fgColor.rgb.endswith("FFE699")
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:H4"
    assert ws.column_dimensions["G"].width >= 60
    # a message that starts with "=" is text, not a formula
    assert ws["G3"].value == "=SOMME(A1:A9) tapé par le membre" and ws["G3"].data_type == "s"
    assert "<f>" not in _sheet_xml(dst, "Constats")


def test_no_finding_gives_aucun_constat(forms_book, tmp_path):
    dst, extra = annotate(forms_book, [], tmp_path)
    wb = load_workbook(dst)
    assert extra == [] and constats_rows(wb) == [
        ["Gravité", "Article", "Règle", "Feuille", "Ligne", "Colonne", "Constat", "Lien"],
        ["Aucun constat", None, None, None, None, None, None, None]]


def test_a_sheet_already_named_constats_is_left_alone(tmp_path):
    src = write_forms(tmp_path / "in" / REL, [form()])
    wb = load_workbook(src)
    wb.create_sheet("Constats")["A1"] = "Notes de la trésorière"
    wb.save(src)
    dst, _ = annotate(src, [finding()], tmp_path)
    wb = load_workbook(dst)
    assert wb.sheetnames == ["Formulaires", "Constats", "Constats (syndic-batch)"]
    assert wb["Constats"]["A1"].value == "Notes de la trésorière" and wb["Constats"].max_row == 1
    assert wb["Constats (syndic-batch)"]["G2"].value == "10 h ce jour-là"


def test_links_quote_sheet_names_with_apostrophes(tmp_path):
    src = write_forms(tmp_path / "in" / REL, [form()], sheet="Avril d'été")
    dst, _ = annotate(src, [finding(sheet="Avril d'été")], tmp_path)
    wb = load_workbook(dst)
    assert wb["Constats"]["H2"].hyperlink.location == "'Avril d''été'!I2"
    assert wb["Avril d'été"]["I2"].comment is not None


# --- what stays as it was ----------------------------------------------------------

def _sheet_xml(path: Path, title: str) -> str:
    """The XML of the worksheet named ``title`` in an openpyxl-written file."""
    with zipfile.ZipFile(path) as z:
        names = re.findall(r'<sheet [^>]*name="([^"]+)"', z.read("xl/workbook.xml").decode())
        return z.read(f"xl/worksheets/sheet{names.index(title) + 1}.xml").decode()


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    src = write_forms(tmp_path / "in" / REL, [form()])
    wb = load_workbook(src)
    ws = wb["Formulaires"]
    typed = {"E2": '=HYPERLINK("http://x")', "F2": "+33 6 12 34 56 78", "N2": "-5 h", "G2": "@moi"}
    for coord, text in typed.items():
        ws[coord].value = text
        ws[coord].data_type = "s"  # what Excel stores when a member types it as text
    ws["U1"], ws["U2"] = "Total", "=SUM(I2:I2)"
    wb.save(src)
    dst, _ = annotate(src, [finding(row=2, key="description", message="Texte suspect.")], tmp_path)
    ws = load_workbook(dst)["Formulaires"]
    for coord, text in typed.items():
        assert (ws[coord].value, ws[coord].data_type) == (text, "s")
    assert (ws["U2"].value, ws["U2"].data_type) == ("=SUM(I2:I2)", "f")
    formulas = re.findall(r"<f>(.*?)</f>", _sheet_xml(dst, "Formulaires"))
    assert formulas == ["SUM(I2:I2)"]


def test_the_copy_keeps_styles_validation_panes_widths_names_and_sheet_order(tmp_path):
    src = write_forms(tmp_path / "in" / REL, [form(), form()])
    wb = load_workbook(src)
    ws = wb["Formulaires"]
    ws.freeze_panes = "B2"
    ws.column_dimensions["D"].width = 41
    ws["C2"].number_format = "yyyy-mm-dd"
    ws["B2"].font = Font(bold=True, color="FF0000")
    dv = DataValidation(type="list", formula1='"Adoptée,Refusée,En dépôt"', allow_blank=True)
    dv.add("P2:P100")
    ws.add_data_validation(dv)
    ws.conditional_formatting.add("I2:I100", CellIsRule(operator="greaterThan", formula=["8"],
                                                         font=Font(color="9C0006")))
    wb.defined_names["Heures"] = DefinedName("Heures", attr_text="Formulaires!$I$2:$I$100")
    notes = wb.create_sheet("Notes")
    notes.sheet_state = "hidden"
    wb.create_sheet("Résumé")["A1"] = "=COUNTA(Formulaires!A:A)"
    wb.save(src)

    dst, extra = annotate(src, [finding(row=2, key="heures_demandees"),
                                finding(row=3, key="decision_ce", severity=AVERTISSEMENT)], tmp_path)
    assert extra == []
    wb = load_workbook(dst)
    ws = wb["Formulaires"]
    assert wb.sheetnames == ["Formulaires", "Notes", "Résumé", "Constats"]
    assert wb["Notes"].sheet_state == "hidden"
    assert ws.freeze_panes == "B2" and ws.column_dimensions["D"].width == 41
    assert ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["B2"].font.b and ws["B2"].font.color.rgb.endswith("FF0000")
    [dv] = ws.data_validations.dataValidation
    assert dv.formula1 == '"Adoptée,Refusée,En dépôt"' and str(dv.sqref) == "P2:P100"
    [cf] = list(ws.conditional_formatting)
    assert str(cf.sqref) == "I2:I100" and cf.rules[0].formula == ["8"]
    assert wb.defined_names["Heures"].attr_text == "Formulaires!$I$2:$I$100"
    assert wb["Résumé"]["A1"].value == "=COUNTA(Formulaires!A:A)"
    assert [c.value for c in ws[1]][:3] == ["Matricule", "Nom", "Date de l'activité"]


def test_corpus_frozen_panes_merged_cells_and_rich_text_survive(tmp_path):
    freeze = corpus_copy(tmp_path, "sheetjs/freeze.xlsx")
    panes = {ws.title: ws.freeze_panes for ws in load_workbook(freeze).worksheets}
    assert any(panes.values())
    dst, _ = annotate(freeze, [], tmp_path, rel="freeze.xlsx")
    assert {ws.title: ws.freeze_panes for ws in load_workbook(dst).worksheets if ws.title != "Constats"} == panes

    merged = corpus_copy(tmp_path, "sheetjs/merge_cells.xlsx")
    ranges = {ws.title: sorted(map(str, ws.merged_cells.ranges)) for ws in load_workbook(merged).worksheets}
    dst, _ = annotate(merged, [], tmp_path, rel="merge.xlsx")
    assert {ws.title: sorted(map(str, ws.merged_cells.ranges))
            for ws in load_workbook(dst).worksheets if ws.title != "Constats"} == ranges

    rich = corpus_copy(tmp_path, "sheetjs/rich_text_stress.xlsx")
    dst, _ = annotate(rich, [], tmp_path, rel="rich.xlsx")
    runs = lambda p: sum(zipfile.ZipFile(p).read(n).count(b"<rPr>") for n in zipfile.ZipFile(p).namelist()
                         if n.endswith(".xml") and "sheet" in n.lower() or "sharedStrings" in n)
    assert runs(rich) > 0 and runs(dst) >= runs(rich)


def test_macros_of_an_xlsm_are_kept(tmp_path):
    src = corpus_copy(tmp_path, "calamine/vba.xlsm")
    dst, extra = annotate(src, [], tmp_path, rel="vba.xlsm")
    assert extra == []
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst) as b:
        assert b.read("xl/vbaProject.bin") == a.read("xl/vbaProject.bin")
        assert "macroEnabled" in b.read("[Content_Types].xml").decode()


# --- what the copy cannot keep (preserve.py), checked against the real round trip --

def _parts(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as z:
        return {n.replace("\\", "/") for n in z.namelist()}


def test_pictures_are_reported_exactly_when_the_copy_loses_them(tmp_path):
    """openpyxl keeps pictures only when Pillow is installed: the finding follows suit."""
    src = corpus_copy(tmp_path, "calamine/picture.xlsx")
    dst, extra = annotate(src, [], tmp_path, rel="picture.xlsx")
    media = [p for p in _parts(dst) if p.startswith("xl/media/")]
    if importlib.util.find_spec("PIL") is not None:
        assert extra == [] and len(media) == 2
        return
    assert media == []
    assert [(f.rule, f.severity, f.article, f.file, f.sheet, f.row) for f in extra] == [
        (CONTENU_NON_CONSERVE, AVERTISSEMENT, None, "picture.xlsx", "Sheet1", None),
        (CONTENU_NON_CONSERVE, AVERTISSEMENT, None, "picture.xlsx", "Sheet2", None)]
    assert extra[0].message == ("La feuille « Sheet1 » contient 1 image, que la copie annotée ne "
                                "reprend pas ; consultez l'original.")
    # ... and the Constats sheet of the copy says so
    assert [r[6] for r in constats_rows(load_workbook(dst))[1:]] == [f.message for f in extra]


def test_pictures_are_reported_when_pillow_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr("syndic_batch.write.preserve._pillow_installed", lambda: False)
    assert what_would_be_lost(CORPUS / "calamine/picture.xlsx") == [
        ("Sheet1", "La feuille « Sheet1 » contient 1 image, que la copie annotée ne reprend pas ; "
                   "consultez l'original."),
        ("Sheet2", "La feuille « Sheet2 » contient 1 image, que la copie annotée ne reprend pas ; "
                   "consultez l'original.")]


def test_pictures_in_cells_are_reported_and_lost(tmp_path):
    src = corpus_copy(tmp_path, "sheetjs/metadata_2019.xlsx")
    dst, extra = annotate(src, [], tmp_path, rel="m.xlsx")
    assert [f.message for f in extra] == [
        "La feuille « Sheet1 » contient 8 images (ou valeurs enrichies) placées dans des cellules, "
        "que la copie annotée ne reprend pas ; consultez l'original."]
    assert not any(p.startswith("xl/richData/") for p in _parts(dst))


def test_shapes_are_reported(tmp_path):
    src = corpus_copy(tmp_path, "sheetjs/Attendance.xlsx")
    dst, extra = annotate(src, [], tmp_path, rel="a.xlsx")
    assert [f.message for f in extra] == [
        "La feuille « Attendance - Attendance » contient 3 formes (zones de texte, flèches…), que la "
        "copie annotée ne reprend pas ; consultez l'original."]
    assert not any("drawing" in p for p in _parts(dst))


def test_threaded_comments_are_reported_and_their_text_kept_as_a_note(tmp_path):
    src = corpus_copy(tmp_path, "sheetjs/threaded_comments_none.xlsx")
    dst, extra = annotate(src, [], tmp_path, rel="t.xlsx")
    assert [f.message for f in extra] == [
        "La feuille « Sheet1 » contient 1 commentaire à fil de discussion (2 réponses) : la copie "
        "annotée n'en garde que le texte, sous forme de note ; consultez l'original."]
    assert not any("threadedComment" in p for p in _parts(dst))
    assert "Test3" in load_workbook(dst)["Sheet1"]["E5"].comment.text


def test_macro_and_dialog_sheets_are_reported(tmp_path):
    src = corpus_copy(tmp_path, "sheetjs/BlankSheetTypes.xlsm")
    dst, extra = annotate(src, [], tmp_path, rel="b.xlsm")
    assert [(f.sheet, f.message) for f in extra] == [
        ("Macro1", "La feuille de macros Excel 4.0 « Macro1 » devient une feuille ordinaire dans la "
                   "copie annotée : ses macros n'y fonctionnent pas ; consultez l'original."),
        ("Dialog1", "La feuille de dialogue « Dialog1 » devient une feuille ordinaire, sans ses "
                    "contrôles, dans la copie annotée ; consultez l'original.")]
    parts = _parts(dst)
    assert not any(p.startswith(("xl/macrosheets/", "xl/dialogsheets/")) for p in parts)
    assert {"Macro1", "Dialog1"} <= set(load_workbook(dst).sheetnames)


def test_excel_2010_extensions_are_reported_but_harmless_ones_are_not(tmp_path):
    src = write_forms(tmp_path / "in" / REL, [form()])
    ext = ('<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
           'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
           '<x14:dataValidations count="0"/></ext></extLst></worksheet>')
    patched = tmp_path / "in" / "x14.xlsx"
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(patched, "w") as b:
        for item in a.infolist():
            data = a.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", ext.encode())
            b.writestr(item, data)
    assert what_would_be_lost(src) == []
    dst, extra = annotate(patched, [], tmp_path, rel="x14.xlsx")
    assert [f.message for f in extra] == [
        "La feuille « Formulaires » contient des éléments d'Excel 2010 ou plus récent (validations "
        "de données étendues) : la copie annotée ne les reprend pas ; consultez l'original."]
    assert "extLst" not in _sheet_xml(dst, "Formulaires")
    # a Mac page-layout extension (mx:PLV) carries nothing: no finding
    assert what_would_be_lost(CORPUS / "sheetjs/cell_style_simple.xlsx") == []


def test_charts_and_pivot_tables_are_kept_so_not_reported(tmp_path):
    src = corpus_copy(tmp_path, "sheetjs/pivot_table_test.xlsm")
    dst, extra = annotate(src, [], tmp_path, rel="p.xlsm")
    assert extra == []
    parts = _parts(dst)
    assert sum(p.startswith("xl/charts/chart") for p in parts) == 2
    assert sum(p.startswith("xl/pivotTables/pivotTable") for p in parts) == 3


def test_a_strict_open_xml_workbook_is_reported(tmp_path):
    src = corpus_copy(tmp_path, "sheetjs/sheet_visibility_strict.xlsx")
    dst, extra = annotate(src, [], tmp_path, rel="s.xlsx")
    assert len(extra) == 1 and "« Open XML strict »" in extra[0].message
    assert load_workbook(dst).sheetnames == ["Constats"]


def test_a_workbook_openpyxl_cannot_load_whole_gets_a_values_only_copy(tmp_path):
    src = corpus_copy(tmp_path, "calamine/pivots.xlsx")
    with pytest.raises(Exception):
        load_workbook(src)
    dst, extra = annotate(src, [], tmp_path, rel="pivots.xlsx")
    assert [f.message for f in extra] == [
        "Le classeur n'a pas pu être recopié avec sa mise en forme (TypeError) : la copie annotée "
        "n'en reprend que les valeurs et les formules ; consultez l'original."]
    ro = load_workbook(src, read_only=True)
    expected = [list(r) for r in ro["DataSheet"].iter_rows(values_only=True)]
    ro.close()
    got = [list(r) for r in load_workbook(dst)["DataSheet"].iter_rows(values_only=True)]
    assert got == expected and len(got) > 5


# --- atomic writing ----------------------------------------------------------------

def test_a_failed_save_leaves_no_partial_copy(forms_book, tmp_path, monkeypatch):
    def broken_save(self, filename):
        Path(filename).write_bytes(b"PK partial")
        raise RuntimeError("interrupted")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    dst, extra = annotate(forms_book, [finding()], tmp_path)
    assert not dst.exists()
    assert list(dst.parent.iterdir()) == []
    assert [f.message for f in extra] == [
        "La copie annotée de ce classeur n'a pas pu être produite (RuntimeError) : ses constats "
        "figurent dans constats.json et les rapports ; consultez l'original."]


def test_a_disk_error_is_raised_and_an_older_copy_is_left_whole(forms_book, tmp_path, monkeypatch):
    dst = tmp_path / "out" / "annotes" / REL
    dst.parent.mkdir(parents=True)
    dst.write_bytes(b"previous run")

    def full_disk(self, filename):
        Path(filename).write_bytes(b"PK partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", full_disk)
    with pytest.raises(OSError):
        annotate_workbook(forms_book, dst, REL, [finding()])
    assert dst.read_bytes() == b"previous run"
    assert [p.name for p in dst.parent.iterdir()] == [REL]


def test_row_findings_do_not_rescan_the_sheet_for_each_finding(tmp_path, monkeypatch):
    """``Worksheet.min_column`` walks every cell: with 100 000 rows it must run once per sheet."""
    src = write_forms(tmp_path / "in" / REL, [form()] * 300)
    calls = []
    original = openpyxl.worksheet.worksheet.Worksheet.min_column

    def counting(ws):
        calls.append(ws.title)
        return original.fget(ws)

    monkeypatch.setattr(openpyxl.worksheet.worksheet.Worksheet, "min_column", property(counting))
    fs = [finding(AVERTISSEMENT, key=None, row=r, article=None, rule="doublon", message="Doublon.")
          for r in range(2, 302)]
    dst, _ = annotate(src, fs, tmp_path)
    assert calls.count("Formulaires") == 1
    monkeypatch.undo()
    ws = load_workbook(dst)["Formulaires"]
    assert all(ws.cell(r, 1).comment is not None for r in range(2, 302))

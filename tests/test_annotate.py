"""The annotated copies (write/annotate.py, made by patching the package, xlsx_patch.py).

Every test writes a real workbook (or copies one of ../shared/corpus to tmp_path),
annotates it, and reopens the copy with openpyxl or reads its XML. The whole corpus is
in test_annotate_corpus.py; the .ods/.xls conversions in test_annotate_convert.py.
"""
from __future__ import annotations

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

from builders import CORPUS  # noqa: E402
REL = "formulaires.xlsx"
COL = {f.key: i for i, f in enumerate(FORM_FIELDS, start=1)}  # field key -> column index
HEURES = COL["heures_demandees"]  # column I


def finding(severity=ERREUR, row=2, key="heures_demandees", article="4.5", rule="heures-par-jour",
            message="10 h ce jour-là", sheet="Formulaires", file=REL, **member) -> Finding:
    col = COL[key] if key else None
    header = FORM_FIELDS[col - 1].label if col else None
    return Finding(article, rule, severity, file, sheet, row, header, message, column_index=col, **member)


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
    assert wb["Constats"]["I2"].value == f.message  # the list keeps the message as written


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
    assert rows[1] == ["Info", None, "feuille-non-reconnue", None, None, None, None, None, "Feuille ignorée."]
    assert wb["Constats"]["G2"].hyperlink is None
    assert rows[2][6] == "A3" and wb["Constats"]["G3"].hyperlink.location == "'Formulaires'!A3"


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
    assert wb["Constats"]["G2"].hyperlink.location == "'Formulaires'!E2"


def test_findings_of_other_files_are_ignored(forms_book, tmp_path):
    dst, _ = annotate(forms_book, [finding(file="autre.xlsx")], tmp_path)
    wb = load_workbook(dst)
    assert wb["Formulaires"]["I2"].comment is None
    assert constats_rows(wb)[1][0] == "Aucun constat"


# --- the Constats sheet ------------------------------------------------------------

HEADERS = ["Gravité", "Article", "Règle", "Matricule", "Nom", "Feuille", "Cellule", "Colonne", "Message"]


def test_constats_sheet_lists_every_finding_with_its_member_and_a_link(forms_book, tmp_path):
    fs = [finding(INFO, row=4, key="date_decision", article="3.1", rule="fonds-syndicaux", message="Fonds.",
                  matricule="1002", nom="Benoît Gagnon"),
          finding(ERREUR, row=2, key="heures_demandees", message="=SOMME(A1:A9) tapé par le membre",
                  matricule="1001", nom="Amélie Tremblay"),
          finding(AVERTISSEMENT, row=2, key="matricule", article="2.3", rule="taux-declare",
                  message="Taux déclaré 25,00 $ ; taux du contrat 30,00 $.", matricule="1001",
                  nom="Amélie Tremblay")]
    dst, _ = annotate(forms_book, fs, tmp_path)
    wb = load_workbook(dst)
    assert wb.sheetnames == ["Formulaires", "Constats"]
    ws = wb["Constats"]
    rows = constats_rows(wb)
    assert rows[0] == HEADERS
    assert [r[:8] for r in rows[1:]] == [
        ["Avertissement", "2.3", "taux-declare", "1001", "Amélie Tremblay", "Formulaires", "A2", "Matricule"],
        ["Erreur", "4.5", "heures-par-jour", "1001", "Amélie Tremblay", "Formulaires", "I2", "Heures demandées"],
        ["Info", "3.1", "fonds-syndicaux", "1002", "Benoît Gagnon", "Formulaires", "R4", "Date de la décision"],
    ]
    # each link leads to a cell that is marked and commented
    for r in (2, 3, 4):
        link = ws.cell(r, 7).hyperlink.location
        sheet, _, coord = link.rpartition("!")
        assert sheet == "'Formulaires'" and wb["Formulaires"][coord].comment is not None
    assert ws["G3"].value == "I2" and ws["G3"].font.underline == "single"
    assert ws["A3"].fill.fgColor.rgb.endswith("FFC7CE") and ws["A2"].fill.fgColor.rgb.endswith("FFE699")
    assert ws["A3"].border.left.style == "thick"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:I4"
    assert ws.column_dimensions["I"].width >= 60 and ws.column_dimensions["E"].width >= 20
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    # a message that starts with "=" is text, not a formula
    assert ws["I3"].value == "=SOMME(A1:A9) tapé par le membre" and ws["I3"].data_type == "s"
    assert "<f>" not in _sheet_xml(dst, "Constats")


def test_a_hidden_sheet_is_named_in_the_link(tmp_path):
    src = write_forms(tmp_path / "in" / REL, [form()])
    wb = load_workbook(src)
    wb.create_sheet("Accueil", 0)
    wb["Formulaires"].sheet_state = "hidden"
    wb.save(src)
    dst, _ = annotate(src, [finding()], tmp_path)
    assert load_workbook(dst)["Constats"]["G2"].value == "I2 (feuille masquée)"


def test_no_finding_gives_aucun_constat(forms_book, tmp_path):
    dst, extra = annotate(forms_book, [], tmp_path)
    wb = load_workbook(dst)
    assert extra == [] and constats_rows(wb) == [HEADERS, ["Aucun constat"] + [None] * 8]


def test_a_sheet_already_named_constats_is_left_alone(tmp_path):
    src = write_forms(tmp_path / "in" / REL, [form()])
    wb = load_workbook(src)
    wb.create_sheet("Constats")["A1"] = "Notes de la trésorière"
    wb.save(src)
    dst, _ = annotate(src, [finding()], tmp_path)
    wb = load_workbook(dst)
    assert wb.sheetnames == ["Formulaires", "Constats", "Constats (syndic-batch)"]
    assert wb["Constats"]["A1"].value == "Notes de la trésorière" and wb["Constats"].max_row == 1
    assert wb["Constats (syndic-batch)"]["I2"].value == "10 h ce jour-là"


def test_links_quote_sheet_names_with_apostrophes(tmp_path):
    src = write_forms(tmp_path / "in" / REL, [form()], sheet="Avril d'été")
    dst, _ = annotate(src, [finding(sheet="Avril d'été")], tmp_path)
    wb = load_workbook(dst)
    assert wb["Constats"]["G2"].hyperlink.location == "'Avril d''été'!I2"
    assert wb["Avril d'été"]["I2"].comment is not None


# --- what stays as it was ----------------------------------------------------------

def _sheet_xml(path: Path, title: str) -> str:
    """The XML of the worksheet named ``title``."""
    from syndic_batch.write.xlsx_package import Package
    pkg = Package(path)
    try:
        [part] = [s.part for s in pkg.sheets() if s.name == title]
        return pkg.read(part).decode()
    finally:
        pkg.close()


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


# --- the package is patched: what openpyxl used to drop is kept ----------------------

def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n.replace("\\", "/"): z.read(n) for n in z.namelist()}


def _first_cell(path: Path, sheet: str) -> Finding:
    return Finding("4.1", "categorie-inconnue", ERREUR, "c.xlsx", sheet, 1, "x", "Catégorie inconnue.",
                   column_index=1)


@pytest.mark.parametrize("name, sheet, kept", [
    ("calamine/picture.xlsx", "Sheet1", ("xl/media/", "xl/drawings/drawing")),
    ("sheetjs/metadata_2019.xlsx", "Sheet1", ("xl/richData/", "xl/metadata.xml")),
    ("sheetjs/Attendance.xlsx", "Attendance - Attendance", ("xl/drawings/drawing",)),
    ("sheetjs/threaded_comments_none.xlsx", "Sheet1", ("xl/threadedComments/", "xl/persons/")),
    ("sheetjs/pivot_table_test.xlsm", None, ("xl/pivotTables/", "xl/pivotCache/", "xl/charts/",
                                             "xl/vbaProject.bin")),
    ("calamine/pivots.xlsx", None, ("xl/pivotTables/", "xl/pivotCache/")),
])
def test_pictures_shapes_threads_pivots_and_extensions_are_kept_byte_for_byte(tmp_path, name, sheet, kept):
    src = corpus_copy(tmp_path, name)
    first = sheet or load_workbook(src, read_only=True).sheetnames[0] if name != "calamine/pivots.xlsx" \
        else "DataSheet"
    dst, extra = annotate(src, [_first_cell(src, first)], tmp_path, rel="c.xlsx")
    assert extra == []
    before, after = _parts(src), _parts(dst)
    found = [p for p in before if p.startswith(kept)]
    assert found and all(after[p] == before[p] for p in found)


def test_threaded_comments_stay_and_our_note_is_added_beside_them(tmp_path):
    src = corpus_copy(tmp_path, "sheetjs/threaded_comments_none.xlsx")
    f = Finding(None, "doublon", AVERTISSEMENT, "t.xlsx", "Sheet1", 5, "x", "Doublon.", column_index=5)
    dst, extra = annotate(src, [f], tmp_path, rel="t.xlsx")
    assert extra == []
    text = load_workbook(dst)["Sheet1"]["E5"].comment.text
    assert "Test3" in text and text.endswith("[AVERTISSEMENT] Contrôle « doublon » — Doublon.")


def test_excel_2010_extensions_are_kept(tmp_path):
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
    dst, extra = annotate(patched, [finding(file="x14.xlsx")], tmp_path, rel="x14.xlsx")
    assert extra == []
    xml = _sheet_xml(dst, "Formulaires")
    # the comments' drawing goes before the extensions, as the schema orders them
    assert xml.index("<legacyDrawing") < xml.index("<extLst>") and "x14:dataValidations" in xml


def test_macro_and_dialog_sheets_are_kept_and_their_findings_listed(tmp_path):
    src = corpus_copy(tmp_path, "sheetjs/BlankSheetTypes.xlsm")
    fs = [Finding(None, "doublon", AVERTISSEMENT, "b.xlsm", "Macro1", 2, None, "Doublon.")]
    dst, extra = annotate(src, fs, tmp_path, rel="b.xlsm")
    assert [(f.rule, f.sheet, f.message) for f in extra] == [
        (CONTENU_NON_CONSERVE, "Macro1", "La feuille « Macro1 » est une feuille de macros : ses "
         "constats ne peuvent pas y être marqués dans la copie annotée ; ils figurent dans la "
         "feuille Constats.")]
    before, after = _parts(src), _parts(dst)
    assert all(after[p] == before[p] for p in before if p.startswith(("xl/macrosheets/", "xl/dialogsheets/")))
    rows = constats_rows(load_workbook(dst, read_only=False), name=load_workbook(dst).sheetnames[-1])
    assert [r[6] for r in rows[1:]] == [None, "ligne 2"]


def test_a_strict_open_xml_workbook_is_annotated_in_its_own_namespaces(tmp_path):
    src = corpus_copy(tmp_path, "sheetjs/sheet_visibility_strict.xlsx")
    f = Finding(None, "doublon", AVERTISSEMENT, "s.xlsx", "Visible", 1, None, "Doublon.")
    dst, extra = annotate(src, [f], tmp_path, rel="s.xlsx")
    assert extra == []
    from python_calamine import CalamineWorkbook
    book = CalamineWorkbook.from_path(str(dst))
    assert book.sheet_names[-1] == "Constats"
    assert book.get_sheet_by_name("Constats").to_python()[1][8] == "Doublon."
    xml = _sheet_xml(dst, "Visible")
    assert 'xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"' in xml and "<legacyDrawing" in xml


def test_unusual_part_paths_and_prefixes_are_followed(tmp_path):
    wtf = corpus_copy(tmp_path, "sheetjs/wtf_path.xlsx")
    f = Finding(None, "doublon", AVERTISSEMENT, "w.xlsx", "SheetJS", 2, None, "Doublon.", column_index=2)
    dst, extra = annotate(wtf, [f], tmp_path, rel="w.xlsx")
    assert extra == []
    parts = _parts(dst)
    assert "wtf/worksheets/sheet1.xml" in parts and "xl/workbook.xml" not in parts
    assert "[AVERTISSEMENT]" in parts["wtf/comments1.xml"].decode()
    assert b'<c r="B2"' in parts["wtf/worksheets/sheet1.xml"]

    odd = corpus_copy(tmp_path, "calamine/nonstandard-xml-ns-prefix.xlsx")
    f = Finding(None, "doublon", AVERTISSEMENT, "n.xlsx", "Sheet1", 2, None, "Doublon.", column_index=2)
    dst, extra = annotate(odd, [f], tmp_path, rel="n.xlsx")
    ws = load_workbook(dst)["Sheet1"]
    assert ws["B2"].value == 3 and ws["B2"].fill.fgColor.rgb.endswith("FFE699")
    assert ws["B2"].comment.text.endswith("Doublon.")


# --- cells: derived styles, new cells, boxes -----------------------------------------

def test_a_flagged_cell_keeps_its_number_format_font_and_alignment(tmp_path):
    from openpyxl.styles import Alignment
    src = write_forms(tmp_path / "in" / REL, [form(), form()])
    wb = load_workbook(src)
    ws = wb["Formulaires"]
    ws["C2"].number_format = "d mmmm yyyy"
    ws["C2"].font = Font(bold=True, italic=True, color="FF0000")
    ws["C2"].alignment = Alignment(horizontal="right", vertical="top")
    ws["C3"].number_format = "d mmmm yyyy"
    wb.save(src)
    fs = [finding(ERREUR, row=2, key="date_activite"), finding(INFO, row=3, key="date_activite")]
    dst, _ = annotate(src, fs, tmp_path)
    ws = load_workbook(dst)["Formulaires"]
    c2, c3 = ws["C2"], ws["C3"]
    assert c2.number_format == "d mmmm yyyy" and c3.number_format == "d mmmm yyyy"
    assert c2.font.b and c2.font.i and c2.font.color.rgb.endswith("FF0000")
    assert (c2.alignment.horizontal, c2.alignment.vertical) == ("right", "top")
    assert c2.fill.fgColor.rgb.endswith("FFC7CE") and c2.border.left.style == "thick"
    assert c3.fill.fgColor.rgb.endswith("BDD7EE") and c3.border.left.style == "dotted"
    assert not c3.font.b
    # cells not flagged keep their format (same style index as before)
    assert ws["D2"].fill.fill_type is None and ws["C4"].value is None


def test_missing_cells_and_rows_are_created_in_order(tmp_path):
    src = write_forms(tmp_path / "in" / REL, [form(), form(), form()])
    wb = load_workbook(src)
    ws = wb["Formulaires"]
    for col in range(1, 22):
        ws.cell(3, col).value = None  # row 3 gone from the file
    wb.save(src)
    fs = [finding(ERREUR, row=2, key="organisme"),          # an empty spot in an existing row
          finding(AVERTISSEMENT, row=3, key="description"),  # a row that does not exist
          finding(INFO, row=9, key="categorie")]             # below the last row
    dst, extra = annotate(src, fs, tmp_path)
    assert extra == []
    xml = _sheet_xml(dst, "Formulaires")
    rows = [int(r) for r in re.findall(r'<row r="(\d+)"', xml)]
    assert rows == sorted(rows) and {3, 9} <= set(rows)
    row2 = re.search(r'<row r="2".*?</row>', xml).group(0)
    cols = re.findall(r'<c r="([A-Z]+)2"', row2)
    assert "G" in cols and cols == sorted(cols, key=lambda c: (len(c), c))
    ws = load_workbook(dst)["Formulaires"]
    assert ws["G2"].fill.fgColor.rgb.endswith("FFC7CE") and ws["G2"].value is None
    assert ws["E3"].comment.text.startswith("[AVERTISSEMENT]") and ws["D9"].comment is not None
    assert ws["F2"].value is None and ws["H2"].value is None and ws["A2"].value == "1001"


def _box_heights(path: Path) -> dict[str, int]:
    """Height in pixels of each note's box, by cell (from the VML drawing)."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            if n.endswith(".vml"):
                vml = z.read(n).decode("latin-1")
                for shape in (m.group(0) for m in re.finditer(r"<(\w+):shape\b.*?</\1:shape>", vml, re.S)):
                    h = re.search(r"height:(\d+)px", shape)
                    r = re.search(r"<(?:\w+:)?Row>(\d+)", shape)
                    c = re.search(r"<(?:\w+:)?Column>(\d+)", shape)
                    out[f"{chr(65 + int(c.group(1)))}{int(r.group(1)) + 1}"] = int(h.group(1))
    return out


def test_comment_boxes_grow_with_their_text(forms_book, tmp_path):
    fs = [finding(row=2, message="Court."), finding(row=3, message="Un long constat. " * 40),
          finding(row=4, message="Premier."), finding(row=4, rule="autre", message="Deuxième.")]
    dst, _ = annotate(forms_book, fs, tmp_path)
    h = _box_heights(dst)
    assert h["I2"] < h["I4"] < h["I3"]
    with zipfile.ZipFile(dst) as z:
        vml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    anchors = [list(map(int, a.split(","))) for a in re.findall(r"<x:Anchor>(.*?)</x:Anchor>", vml)]
    spans = sorted(a[6] - a[2] for a in anchors)  # rows each box spans
    assert spans[0] < spans[-1]


def test_an_existing_box_is_resized_when_our_text_is_added(tmp_path):
    src = write_forms(tmp_path / "in" / REL, [form(), form()])
    wb = load_workbook(src)
    wb["Formulaires"]["I2"].comment = Comment("Vu.", "Line", width=100, height=40)
    wb.save(src)
    dst, _ = annotate(src, [finding(message="Un long constat. " * 30)], tmp_path)
    assert _box_heights(dst)["I2"] > 40
    comment = load_workbook(dst)["Formulaires"]["I2"].comment
    assert comment.author == "Line" and comment.text.startswith("Vu.\n" + COMMENT_SEPARATOR)


def test_untouched_parts_are_copied_raw(forms_book, tmp_path):
    src = write_forms(tmp_path / "in" / REL, [form(), form()])
    wb = load_workbook(src)
    wb.create_sheet("Notes")["A1"] = "Rien à signaler"
    wb.save(src)
    dst, _ = annotate(src, [finding()], tmp_path)
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst) as b:
        before = {i.filename: i for i in a.infolist()}
        after = {i.filename: i for i in b.infolist()}
        for name in ("xl/worksheets/sheet2.xml", "xl/theme/theme1.xml", "docProps/core.xml"):
            i, j = before[name], after[name]
            assert (j.CRC, j.compress_size, j.compress_type) == (i.CRC, i.compress_size, i.compress_type)
        rewritten = {n for n in before if b.read(n) != a.read(n)}
    assert rewritten == {"xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                         "[Content_Types].xml", "xl/styles.xml"}


# --- atomic writing ----------------------------------------------------------------

def test_a_failed_patch_gives_a_converted_copy_and_says_so(forms_book, tmp_path, monkeypatch):
    def broken(*args):
        args[1].write(b"<partial")
        raise RuntimeError("interrupted")

    monkeypatch.setattr("syndic_batch.write.xlsx_patch.rewrite", broken)
    dst, extra = annotate(forms_book, [finding()], tmp_path)
    assert [f.message for f in extra] == [
        "Le classeur n'a pas pu être recopié tel quel (RuntimeError) : la copie annotée n'en "
        "reprend que les valeurs, sans mise en forme, formules ni commentaires ; consultez "
        "l'original."]
    ws = load_workbook(dst)["Formulaires"]
    assert ws["I2"].value == 3.5 and ws["I2"].comment.text.startswith("[ERREUR]")
    assert [p.name for p in dst.parent.iterdir()] == [REL]


def test_a_copy_that_cannot_be_written_at_all_leaves_no_file(forms_book, tmp_path, monkeypatch):
    def broken(*args):
        Path(args[1]).write_bytes(b"PK partial")
        raise RuntimeError("interrupted")

    monkeypatch.setattr("syndic_batch.write.xlsx_patch.patch", broken)
    monkeypatch.setattr("syndic_batch.write.convert.convert", broken)
    dst = tmp_path / "out" / "annotes" / REL
    dst.parent.mkdir(parents=True)
    result = annotate_workbook(forms_book, dst, REL, [finding()])
    assert result.path is None and not dst.exists() and list(dst.parent.iterdir()) == []
    assert result[-1].message == (
        "La copie annotée de ce classeur n'a pas pu être produite (RuntimeError) : ses constats "
        "figurent dans constats.json et les rapports ; consultez l'original.")


def test_a_disk_error_is_raised_and_an_older_copy_is_left_whole(forms_book, tmp_path, monkeypatch):
    dst = tmp_path / "out" / "annotes" / REL
    dst.parent.mkdir(parents=True)
    dst.write_bytes(b"previous run")

    def full_disk(*args):
        Path(args[1]).write_bytes(b"PK partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("syndic_batch.write.xlsx_patch.patch", full_disk)
    with pytest.raises(OSError):
        annotate_workbook(forms_book, dst, REL, [finding()])
    assert dst.read_bytes() == b"previous run"
    assert [p.name for p in dst.parent.iterdir()] == [REL]


def test_row_findings_mark_the_first_column_of_the_used_range(tmp_path):
    src = write_forms(tmp_path / "in" / REL, [form()] * 300)
    fs = [finding(AVERTISSEMENT, key=None, row=r, article=None, rule="doublon", message="Doublon.")
          for r in range(2, 302)]
    dst, _ = annotate(src, fs, tmp_path)
    ws = load_workbook(dst)["Formulaires"]
    assert all(ws.cell(r, 1).comment is not None for r in range(2, 302))
    assert _box_heights(dst)["A2"] > 0


def test_rows_after_the_last_flagged_row_are_passed_on_byte_for_byte(tmp_path):
    """A form followed by thousands of rows of styled empty cells (a range formatted by
    mistake) and a few odd rows: past the last flagged row the sheet's bytes are copied
    as they are, up to the end of sheetData; what follows it (merged ranges) too."""
    from hostile import cells, col_letter, form_rows, form_values, write_xlsx

    def rows():
        yield from form_rows([form_values(), form_values(heures_demandees=10), form_values(matricule="1002")])
        for r in range(5, 5005):
            yield r, "".join(f'<c r="{col_letter(c)}{r}" s="1"/>' for c in range(1, 20)), 's="1" customFormat="1"'
        yield 5005, cells(5005, ["fin", 2.5]) + '<c r="C5005"><f>B5005*2</f><v>5</v></c>', 'hidden="1"'
    src = write_xlsx(tmp_path / "in" / REL, [("Formulaires", rows(),
                                             '<mergeCells count="1"><mergeCell ref="N2:N3"/></mergeCells>')])
    dst, extra = annotate(src, [finding(row=3)], tmp_path)
    assert extra == []
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst) as b:
        before, after = a.read("xl/worksheets/sheet1.xml"), b.read("xl/worksheets/sheet1.xml")
    def span(xml, start, end):
        return xml[xml.index(start):xml.index(end)]
    assert span(after, b'<row r="4"', b"</sheetData>") == span(before, b'<row r="4"', b"</sheetData>")
    assert span(after, b"</sheetData>", b"<legacyDrawing") == span(before, b"</sheetData>", b"</worksheet>")
    assert b'<mergeCell ref="N2:N3"/>' in after
    ws = load_workbook(dst)["Formulaires"]
    assert ws["I3"].comment is not None and ws["I3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["A5005"].value == "fin" and ws["C5005"].value == "=B5005*2"
    assert ws.row_dimensions[5005].hidden and ws["A5004"].value is None


def test_the_article_prefix_is_removed_from_comment_lines_only_when_it_names_the_article():
    from syndic_batch.model import ERREUR, Finding
    from syndic_batch.write.marks import comment_line

    def line(article, message):
        return comment_line(Finding(article, "r", ERREUR, "f.xlsx", "S", 2, None, message))

    assert line("4.5", "Art. 4.5 : le total dépasse 8 h") == "[ERREUR] Art. 4.5 — Le total dépasse 8 h"
    assert line("4.5", "Art.4.5 — dépassement") == "[ERREUR] Art. 4.5 — Dépassement"
    assert line("4.5", "art. 4.5 : minuscule") == "[ERREUR] Art. 4.5 — Art. 4.5 : minuscule"
    assert line("4.5", "Art. 4.1 : autre article") == "[ERREUR] Art. 4.5 — Art. 4.1 : autre article"
    assert line("4.5", "Art. 4.5 sans séparateur") == "[ERREUR] Art. 4.5 — Art. 4.5 sans séparateur"
    assert line(None, "Sans article") == "[ERREUR] Contrôle « r » — Sans article"


def test_small_written_parts_are_stored_and_the_copy_still_opens(tmp_path):
    import zipfile

    from openpyxl import load_workbook

    from syndic_batch.model import ERREUR, Finding
    from syndic_batch.write.annotate import annotate_workbook
    from syndic_batch.write.xlsx_package import STORE_MAX

    src = write_forms(tmp_path / "f.xlsx", [form()])
    dst = tmp_path / "out" / "f.xlsx"
    annotate_workbook(src, dst, "f.xlsx", [Finding("4.5", "r", ERREUR, "f.xlsx", "Formulaires", 2, "Heures",
                                                   "Art. 4.5 : trop d'heures", column_index=7)])
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst) as b:
        original = {i.filename: i for i in a.infolist()}
        for info in b.infolist():
            if info.filename in original and b.read(info) == a.read(info.filename):
                continue  # copied as it was
            # written by the patch: stored when small, deflated otherwise; the flagged sheet is
            # streamed, always deflated
            small = info.file_size <= STORE_MAX and info.filename != "xl/worksheets/sheet1.xml"
            expected = zipfile.ZIP_STORED if small else zipfile.ZIP_DEFLATED
            assert info.compress_type == expected, info.filename
        assert b.read("[Content_Types].xml") != a.read("[Content_Types].xml")
        assert b.getinfo("[Content_Types].xml").compress_type == zipfile.ZIP_STORED
        assert b.testzip() is None
    wb = load_workbook(dst)
    assert wb["Formulaires"]["G2"].comment.text == "[ERREUR] Art. 4.5 — Trop d'heures"

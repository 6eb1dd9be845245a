"""The blank templates (syndic_batch.modeles, templates/formulaires/) and
``syndic-batch modeles``: forms a member fills alone, read back by the batch."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from builders import D, write_register
from syndic_batch import modeles
from syndic_batch.config import DEFAULT_PARAMS
from syndic_batch.context import Context
from syndic_batch.pipeline import check_stage
from syndic_batch.read.fields import (BANK_FIELDS, CALENDAR_FIELDS, FORM_FIELDS, MEMBER_FIELDS, STATEMENT_FIELDS)
from syndic_batch.read.inbox import read_inbox
from syndic_batch.text import fold

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates" / "formulaires"
EXAMPLE_REGISTER = REPO / "examples" / "inbox" / "registre" / "registre-des-membres.xlsx"
LETTERS = {f.key: chr(ord("A") + i) for i, f in enumerate(FORM_FIELDS)}
TREASURY = ["date_reception", "decision_ce", "heures_accordees", "date_decision", "date_depot"]
LAST = 1 + modeles.DATA_ROWS   # last formatted and checked row of the blank form


def cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "syndic_batch", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def form_ws():
    wb = load_workbook(TEMPLATES / "formulaire-liberations.xlsx")
    return wb, wb["Formulaire"]


def _validations(ws) -> dict[str, object]:
    return {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in ws.data_validations.dataValidation}


# ---------------------------------------------------------------- the blank form

def test_required_columns_are_marked_and_still_recognised(form_ws):
    _wb, ws = form_ws
    headers = [c.value for c in ws[1]]
    assert headers == [f.label + (" *" if f.required else "") for f in FORM_FIELDS]
    assert "Matricule *" in headers and "Nom" in headers and "Heures demandées *" in headers
    for f, h in zip(FORM_FIELDS, headers):
        assert fold(h) in f.accepted, h       # the reader folds the star away
        colour = ws.cell(1, headers.index(h) + 1).fill.fgColor.rgb
        if f.key in TREASURY:
            assert colour == "FF595959", h     # grey: the treasury's
        elif f.required:
            assert colour == "FF9C1C1C", h     # red: required
        else:
            assert colour == "FF1F4E79", h


def test_treasury_columns_grey_and_locked_member_columns_unlocked(form_ws):
    _wb, ws = form_ws
    assert ws.protection.sheet is True and not ws.protection.password   # protected, no password
    for key, letter in LETTERS.items():
        for row in (2, LAST):
            cell = ws[f"{letter}{row}"]
            if key in TREASURY:
                assert cell.protection.locked is True and cell.fill.fgColor.rgb == "FFD9D9D9", (key, row)
            else:
                assert cell.protection.locked is False and cell.fill.fill_type is None, (key, row)
    assert ws[f"A{LAST + 1}"].protection.locked is True   # no format past the checked rows


def test_every_column_has_an_input_message_and_checks_on_the_formatted_rows(form_ws):
    _wb, ws = form_ws
    dvs = _validations(ws)
    assert set(dvs) == set(LETTERS.values())
    for key, letter in LETTERS.items():
        dv = dvs[letter]
        assert str(dv.sqref) == f"{letter}2:{letter}{LAST}", key
        assert dv.showInputMessage and dv.promptTitle and len(dv.prompt) > 20, key
    hours = dvs[LETTERS["heures_demandees"]]
    assert hours.type == "custom" and hours.formula1 == "AND(ISNUMBER(I2),I2>0,I2<=24)"
    assert "plus de 0 h et au plus 24 h" in hours.prompt
    distance = dvs[LETTERS["distance_km"]]
    assert (distance.type, distance.operator, distance.formula1) == ("decimal", "greaterThanOrEqual", "0")
    date = dvs[LETTERS["date_activite"]]
    assert date.type == "date" and date.operator in (None, "between")
    categories = dvs[LETTERS["categorie"]]
    assert categories.type == "list" and categories.formula1.startswith("Instructions!$A$")
    decisions = dvs[LETTERS["decision_ce"]]
    assert decisions.type == "list" and decisions.errorStyle == "warning"
    # the formats cover the same rows as the checks
    for key in ("date_activite", "date_reception", "date_depot"):
        assert ws[f"{LETTERS[key]}2"].number_format == ws[f"{LETTERS[key]}{LAST}"].number_format == "yyyy-mm-dd"
    assert ws[f"{LETTERS['heures_demandees']}{LAST}"].number_format == "0.0#"


def test_lists_point_at_the_instructions_values(form_ws):
    wb, ws = form_ws
    dvs = _validations(ws)
    for key, expected in (("categorie", DEFAULT_PARAMS.categories_connues), ("decision_ce", DEFAULT_PARAMS.decisions)):
        sheet, rng = dvs[LETTERS[key]].formula1.split("!")
        cells = wb[sheet][rng.replace("$", "")]
        assert [r[0].value for r in cells] == list(expected)


def test_identity_columns_frozen_and_one_page_wide(form_ws):
    _wb, ws = form_ws
    assert ws.freeze_panes == "C2"     # header row, Matricule and Nom stay in view
    ps = ws.page_setup
    assert (ps.orientation, ps.paperSize, ps.fitToHeight) == ("landscape", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$1:$1"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text


def test_instructions_sheet_has_heights_and_documents_the_protection(form_ws):
    wb, _ws = form_ws
    ins = wb["Instructions"]
    n = len(modeles.form_instructions(DEFAULT_PARAMS))
    texts = [(r, ins.cell(r, 1).value) for r in range(1, n + 1) if ins.cell(r, 1).value]
    joined = " ".join(t for _r, t in texts)
    assert "Révision > Ôter la protection" in joined and "sans mot de passe" in joined
    assert "astérisque" in joined and "art. 5.1" in joined and "300 km" in joined
    for r, t in texts[1:]:
        height = ins.row_dimensions[r].height
        width = ins.column_dimensions["A"].width
        assert height is not None and height >= 15 * max(1, len(t) // int(width * 1.25)), (r, t)
    long_row = next(r for r, t in texts if len(t) > 200)
    assert ins.row_dimensions[long_row].height >= 45


@pytest.mark.parametrize("name, sheet", [("registre-des-membres.xlsx", "Membres"),
                                         ("banque-et-calendrier.xlsx", "Banque"),
                                         ("releve-employeur.xlsx", "Relevé")])
def test_other_templates_have_instructions_and_print_set_up(name, sheet):
    wb = load_workbook(TEMPLATES / name)
    assert "Instructions" in wb.sheetnames
    assert len(wb["Instructions"]["A3"].value) > 50
    ws = wb[sheet]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 1
    assert ws.print_title_rows == "$1:$1"
    assert all(dv.promptTitle for dv in ws.data_validations.dataValidation)


def test_committed_templates_are_the_builders(tmp_path):
    modeles.build_templates(tmp_path)
    for name in modeles.TEMPLATE_NAMES:
        a = load_workbook(TEMPLATES / name)
        b = load_workbook(tmp_path / name)
        assert a.sheetnames == b.sheetnames
        for s in a.sheetnames:
            assert [[c.value for c in r] for r in a[s].iter_rows()] == [[c.value for c in r] for r in b[s].iter_rows()]


def test_build_is_deterministic(tmp_path):
    a = modeles.build_templates(tmp_path / "a")
    b = modeles.build_templates(tmp_path / "b")
    for x, y in zip(a, b):
        assert hashlib.sha256(x.read_bytes()).digest() == hashlib.sha256(y.read_bytes()).digest(), x.name


# ---------------------------------------------------------------- round trips through the reader

def _fill_form(path: Path, rows: list[dict], first_row: int = 2) -> None:
    """What a member does: open the form, type rows in, save (openpyxl)."""
    wb = load_workbook(path)
    ws = wb["Formulaire"]
    for i, values in enumerate(rows):
        for key, v in values.items():
            ws[f"{LETTERS[key]}{first_row + i}"] = v
    wb.save(path)


def test_a_filled_template_round_trips_through_read_inbox(tmp_path):
    root = tmp_path / "inbox"
    write_register(root / "registre.xlsx")
    form = root / "mars.xlsx"
    shutil.copyfile(TEMPLATES / "formulaire-liberations.xlsx", form)
    _fill_form(form, [
        {"matricule": "1001", "nom": "Amélie Tremblay", "date_activite": dt.datetime(2026, 3, 2),
         "categorie": "Réunion du Conseil exécutif", "heures_demandees": 3.5, "distance_km": 12,
         "date_reception": dt.datetime(2026, 3, 5), "decision_ce": "Adoptée", "date_decision": dt.datetime(2026, 3, 10)},
        {"matricule": "1002", "date_activite": dt.datetime(2026, 3, 3), "categorie": "Formation syndicale",
         "heures_demandees": 30, "date_reception": dt.datetime(2026, 3, 5)},
    ])
    data = read_inbox(root, DEFAULT_PARAMS)
    assert data.files[0].sheets == {"Formulaire": "formulaires", "Instructions": "inconnue"}
    forms = data.forms
    assert list(forms["matricule"]) == ["1001", "1002"] and list(forms["_row"]) == [2, 3]
    assert forms["heures_demandees"].tolist() == [3.5, 30.0]
    assert forms["date_activite"].iloc[0] == dt.datetime(2026, 3, 2)
    findings = check_stage(Context(data, DEFAULT_PARAMS, D(2026, 3, 31)))
    on_rows = {(f.row, f.rule) for f in findings if f.file == "mars.xlsx" and f.row}
    # the 30 h row is flagged, the clean row and the 498 empty formatted rows are not
    assert (3, "heures-hors-limites") in on_rows
    assert all(r == 3 for r, _rule in on_rows), on_rows
    assert next(f for f in findings if f.rule == "heures-hors-limites").column == "Heures demandées *"


def test_register_bank_and_statement_templates_round_trip(tmp_path):
    root = tmp_path / "inbox"
    root.mkdir()
    for name in ("registre-des-membres.xlsx", "banque-et-calendrier.xlsx", "releve-employeur.xlsx"):
        shutil.copyfile(TEMPLATES / name, root / name)
    wb = load_workbook(root / "registre-des-membres.xlsx")
    wb["Membres"].append(["1001", "Amélie Tremblay", dt.datetime(2020, 1, 1), None, 30.0])
    wb.save(root / "registre-des-membres.xlsx")
    wb = load_workbook(root / "banque-et-calendrier.xlsx")
    wb["Banque"]["A2"], wb["Banque"]["B2"], wb["Banque"]["C2"] = dt.datetime(2026, 1, 1), 500, 5000
    wb["Calendrier"]["A2"], wb["Calendrier"]["B2"] = dt.datetime(2026, 2, 10), "CE"
    wb.save(root / "banque-et-calendrier.xlsx")
    wb = load_workbook(root / "releve-employeur.xlsx")
    for c, v in zip("ABCD", ["1001", dt.datetime(2026, 3, 2), 3.5, 105.0]):
        wb["Relevé"][f"{c}2"] = v
    wb.save(root / "releve-employeur.xlsx")
    data = read_inbox(root, DEFAULT_PARAMS)
    assert data.members["matricule"].tolist() == ["1001"] and data.members["taux_horaire"].tolist() == [30.0]
    assert data.bank["heures_allouees"].tolist() == [500.0]
    assert data.calendar["instance"].tolist() == ["CE"]
    assert data.statements["montant"].tolist() == [105.0]
    assert {f.rule for f in data.findings} == {"feuille-non-reconnue"}


# ---------------------------------------------------------------- one form per member

def test_slug_and_file_names():
    assert modeles.slug("Geneviève Tremblay") == "genevieve-tremblay"
    assert modeles.slug("Jean-François  Côté (CE)") == "jean-francois-cote-ce"
    assert modeles.member_form_name("40123", "Geneviève Tremblay") == "formulaire-40123-genevieve-tremblay.xlsx"
    assert modeles.member_form_name("40123", None) == "formulaire-40123-membre.xlsx"


@pytest.fixture(scope="module")
def member_forms(tmp_path_factory):
    out = tmp_path_factory.mktemp("modeles") / "formulaires"
    proc = cli("modeles", "--registre", str(EXAMPLE_REGISTER), "--out", str(out))
    return proc, out


def test_modeles_writes_one_form_per_member_of_a_real_register(member_forms):
    proc, out = member_forms
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 15                       # 15 members, 18 contracts
    assert "formulaire-40123-genevieve-tremblay.xlsx" in names
    assert "formulaire-40258-jean-francois-cote.xlsx" in names
    assert "15 formulaire(s) écrit(s)" in proc.stdout


def test_member_form_has_identity_filled_and_locked(member_forms):
    _proc, out = member_forms
    wb = load_workbook(out / "formulaire-40187-mathieu-gagnon.xlsx")
    ws = wb["Formulaire"]
    last = 1 + modeles.MEMBER_FORM_ROWS
    for r in (2, 50, last):
        assert (ws[f"A{r}"].value, ws[f"B{r}"].value) == ("40187", "Mathieu Gagnon")
        assert ws[f"A{r}"].data_type == "s"
        assert ws[f"A{r}"].protection.locked and ws[f"B{r}"].protection.locked
        assert ws[f"C{r}"].protection.locked is False
    assert ws[f"A{last + 1}"].value is None
    assert ws.protection.sheet is True and ws.freeze_panes == "C2"
    assert "40187 Mathieu Gagnon" in ws.oddHeader.left.text


def test_member_forms_read_as_no_rows_until_filled(member_forms, tmp_path):
    _proc, out = member_forms
    root = tmp_path / "inbox"
    shutil.copytree(out, root / "formulaires")
    shutil.copyfile(EXAMPLE_REGISTER, root / "registre.xlsx")
    data = read_inbox(root, DEFAULT_PARAMS)
    assert len(data.forms) == 0                   # 100 pre-filled lines per form, none used
    assert {f.rule for f in data.findings} == {"feuille-non-reconnue"}
    form = root / "formulaires" / "formulaire-40211-sophie-bouchard.xlsx"
    _fill_form(form, [{"date_activite": dt.datetime(2026, 11, 2), "categorie": "Fonctions du Conseil exécutif",
                       "heures_demandees": 4.0, "date_reception": dt.datetime(2026, 11, 3)}], first_row=5)
    data = read_inbox(root, DEFAULT_PARAMS)
    assert data.forms[["matricule", "nom", "_row"]].values.tolist() == [["40211", "Sophie Bouchard", 5]]
    findings = check_stage(Context(data, DEFAULT_PARAMS, D(2026, 11, 23)))
    assert not [f for f in findings if f.rule == "champ-obligatoire"]


def test_modeles_without_register_writes_the_blank_templates(tmp_path):
    proc = cli("modeles", "--out", str(tmp_path / "vierges"))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "vierges").iterdir()) == sorted(modeles.TEMPLATE_NAMES)


@pytest.mark.parametrize("make, fragment", [
    (lambda d: d / "absent.xlsx", "n'existe pas"),
    (lambda d: (d / "notes.txt").write_text("x") and d / "notes.txt", "n'est pas un classeur Excel"),
    (lambda d: (d / "abime.xlsx").write_bytes(b"PK\x03\x04 pas un zip") and d / "abime.xlsx", "illisible"),
    (lambda d: shutil.copyfile(REPO / "examples" / "inbox" / "registre" / "banque-et-calendrier.xlsx",
                               d / "banque.xlsx"), "n'est un registre des membres"),
])
def test_a_bad_register_exits_2_in_french(tmp_path, make, fragment):
    reg = make(tmp_path)
    proc = cli("modeles", "--registre", str(reg), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert fragment in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_a_register_without_members_exits_2(tmp_path):
    reg = write_register(tmp_path / "registre.xlsx", members=[])
    proc = cli("modeles", "--registre", str(reg), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "aucun membre" in proc.stderr


# ---------------------------------------------------------------- as LibreOffice prints them

@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"), reason="LibreOffice absent")
def test_libreoffice_prints_the_form_one_page_wide(tmp_path):
    shutil.copyfile(TEMPLATES / "formulaire-liberations.xlsx", tmp_path / "f.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "f.xlsx")], capture_output=True, timeout=180)
    first_page = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "f.pdf"), "-"],
                                capture_output=True, text=True).stdout
    # the first and the last column are on the first page, with the footer
    assert "Matricule" in first_page and "Employeur" in first_page and "Page 1 de" in first_page

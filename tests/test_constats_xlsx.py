"""OUT/constats.xlsx: every finding of the run in one printable, filterable sheet,
with the member and a link to the flagged cell of the annotated copy."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from builders import D, DEFAULT_MEMBERS, form, inbox
from syndic_batch.model import ERREUR, INFO, Finding
from syndic_batch.pipeline import run
from syndic_batch.write.constats_xlsx import annotated_name, cell_link, write_constats_xlsx

HEADER = ["Gravité", "Article", "Règle", "Matricule", "Nom", "Fichier", "Feuille", "Ligne", "Colonne", "Message"]
LABELS = {"erreur": "Erreur", "avertissement": "Avertissement", "info": "Info"}
FORMULA_NAME = "=HYPERLINK(\"http://x\",\"clic\")"


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("constats")
    members = DEFAULT_MEMBERS + [{"matricule": "1006", "nom": FORMULA_NAME, "debut_contrat": D(2020, 1, 1),
                                  "fin_contrat": None, "taux_horaire": 30.0}]
    root = inbox(tmp, [
        form(reference_plan="1.2"),                                # no plan in the inbox: one info
        form(heures_demandees=25, date_activite=D(2026, 3, 3)),     # 5.1, row 3
        form(matricule="9999", nom="Inconnu", date_activite=D(2026, 3, 4)),   # 2.1, row 4
        form(matricule="1006", nom="autre", categorie="Colloque", date_activite=D(2026, 3, 5),
             description="x" * 900),                               # 4.1, row 5, a formula-like register name
    ], members=members)
    out = tmp / "out"
    res = run(root, out, D(2026, 3, 31))
    ws = load_workbook(out / "constats.xlsx").active
    return res, out, ws


def test_one_row_per_finding_in_the_order_of_constats_json(result):
    _res, out, ws = result
    constats = json.loads((out / "constats.json").read_text(encoding="utf-8"))
    assert ws.title == "Constats"
    assert [c.value for c in ws[1]] == HEADER
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(constats) == 4
    for r, c in zip(rows, constats):
        assert r[0] == LABELS[c["severity"]]
        assert (r[1] or None, r[2], r[5], r[6] or None, r[7], r[8] or None, r[9]) == (
            c["article"], c["rule"], c["file"], c["sheet"], c["row"], c["column"], c["message"])


def test_member_and_name_are_the_registers(result):
    _res, _out, ws = result
    by_rule = {r[2]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert by_rule["heures-hors-limites"][3:5] == ("1001", "Amélie Tremblay")
    assert by_rule["membre-inconnu"][3:5] == ("9999", "Inconnu")      # not in the register: the form's name
    assert by_rule["categorie-inconnue"][3:5] == ("1006", FORMULA_NAME)


def test_member_text_stays_text(result):
    _res, _out, ws = result
    cell = next(c for c in ws["E"] if c.value == FORMULA_NAME)
    assert cell.data_type == "s"


def test_filters_frozen_header_links_and_colours(result):
    _res, _out, ws = result
    n = ws.max_row
    assert ws.auto_filter.ref == f"A1:J{n}"
    assert ws.freeze_panes == "A2"
    row = next(r for r in range(2, n + 1) if ws.cell(r, 3).value == "heures-hors-limites")
    link = ws.cell(row, 6).hyperlink
    assert link.target.replace("\\", "/") == "annotes/formulaires-2026-03.xlsx"
    assert link.location == "'Formulaires'!I3"     # Heures demandées, row 3
    fills = {ws.cell(r, 1).value: ws.cell(r, 1).fill.fgColor.rgb for r in range(2, n + 1)}
    assert fills["Erreur"] == "FFFFC7CE" and fills["Info"] == "FFBDD7EE"
    assert ws.cell(row, 2).fill.fill_type is None


def test_wrapped_message_gets_a_row_height_and_the_sheet_prints_one_page_wide(result):
    _res, _out, ws = result
    for r in range(2, ws.max_row + 1):
        message = ws.cell(r, 10).value
        height = ws.row_dimensions[r].height
        assert height is not None and height >= 15 * max(1, len(message) // 90), (r, message)
    assert ws.cell(2, 10).alignment.wrap_text
    ps = ws.page_setup
    assert (ps.orientation, ps.paperSize, ps.fitToHeight) == ("landscape", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    assert "Page &P de &N" in ws.oddFooter.center.text


def test_links_name_the_annotated_copy():
    f = Finding("5.1", "x", ERREUR, "formulaires/mars.xlsx", "L'été", 12, "Heures", "m", column_index=2)
    assert cell_link(f) == "external:annotes/formulaires/mars.xlsx#'L''été'!B12"
    g = Finding(None, "x", INFO, "formulaires/avril.ods", "Feuille1", 7, None, "m")
    assert cell_link(g) == "external:annotes/formulaires/avril.ods.xlsx#'Feuille1'!A7"
    assert annotated_name("a/b.XLSM") == "a/b.XLSM" and annotated_name("a/b.xls") == "a/b.xls.xlsx"
    unreadable = Finding(None, "fichier-illisible", ERREUR, "abime.xlsx", None, None, None, "m")
    assert cell_link(unreadable, annotated={"autre.xlsx"}) is None
    assert cell_link(unreadable) == "external:annotes/abime.xlsx"


def test_no_finding_says_so(tmp_path):
    path = write_constats_xlsx([], tmp_path / "constats.xlsx")
    ws = load_workbook(path).active
    assert [c.value for c in ws[1]] == HEADER and ws["A2"].value == "Aucun constat."
    assert [p.name for p in tmp_path.iterdir()] == ["constats.xlsx"]   # no temporary file left


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"), reason="LibreOffice absent")
def test_libreoffice_prints_every_column_on_the_first_page(result, tmp_path):
    _res, out, _ws = result
    shutil.copyfile(out / "constats.xlsx", tmp_path / "c.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "c.xlsx")], capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "c.pdf"), "-"],
                          capture_output=True, text=True).stdout
    assert "Gravité" in text and "Message" in text and "Page 1 de" in text


def test_on_the_examples_statement_and_form_findings_name_their_member(tmp_path):
    from pathlib import Path

    inbox_dir = Path(__file__).resolve().parent.parent / "examples" / "inbox"
    run(inbox_dir, tmp_path / "out", D(2026, 11, 23))
    ws = load_workbook(tmp_path / "out" / "constats.xlsx").active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    ecart = [r for r in rows if r[2] == "rapprochement-ecart"]
    assert ecart and all(r[3] and r[4] for r in ecart)                 # the statement's rows: member known
    assert ("40123", "Geneviève Tremblay") in {(r[3], r[4]) for r in ecart}
    on_form_rows = [r for r in rows if r[5].startswith("formulaires/") and r[7] and r[2] != "feuille-non-reconnue"]
    assert on_form_rows and all(r[3] for r in on_form_rows)
    assert all(r[3] is None for r in rows if r[2] == "feuille-non-reconnue")


# ---------------------------------------------------------------- reuse (issue 8, incremental runs)

FINDINGS = [
    Finding("5.1", "heures-hors-limites", ERREUR, "formulaires/mars.xlsx", "Formulaires", 3, "Heures demandées",
            "25 h demandées : au plus 24 h par jour (art. 5.1).", column_index=9, matricule="1001",
            nom="Amélie Tremblay"),
    Finding(None, "reference-plan", INFO, "formulaires/avril.xlsx", "Formulaires", 7, None, "Aucun plan d'action.",
            matricule="1002", nom=FORMULA_NAME),
]
ANNOTATED = {"formulaires/mars.xlsx", "formulaires/avril.xlsx"}


@pytest.fixture
def constats_writes(monkeypatch):
    import syndic_batch.write.constats_xlsx as module

    calls = []
    workbook = module.Workbook

    def counting(*a, **kw):
        calls.append(a[0])
        return workbook(*a, **kw)

    monkeypatch.setattr(module, "Workbook", counting)
    return calls


def test_same_findings_copy_the_previous_workbook(tmp_path, constats_writes):
    first = write_constats_xlsx(FINDINGS, tmp_path / "a" / "constats.xlsx", ANNOTATED)
    second = write_constats_xlsx(list(FINDINGS), tmp_path / "b" / "constats.xlsx", set(ANNOTATED), previous=first)
    assert len(constats_writes) == 1 and second.read_bytes() == first.read_bytes()
    assert [p.name for p in second.parent.iterdir()] == ["constats.xlsx"]


def _rows_and_links(path):
    ws = load_workbook(path).active
    return ([r for r in ws.iter_rows(min_row=2, values_only=True)],
            [(ws.cell(r, 6).hyperlink.location if ws.cell(r, 6).hyperlink else None) for r in range(2, ws.max_row + 1)])


@pytest.mark.parametrize("change", ["message", "copie-annotee", "colonne", "illisible"])
def test_a_changed_finding_or_link_rewrites_the_findings_workbook(tmp_path, constats_writes, change):
    from dataclasses import replace as changed

    first = write_constats_xlsx(FINDINGS, tmp_path / "a" / "constats.xlsx", ANNOTATED)
    findings, annotated = list(FINDINGS), set(ANNOTATED)
    if change == "message":
        findings[1] = changed(findings[1], message="Un autre message.")
    elif change == "copie-annotee":          # avril.xlsx has no annotated copy any more: no link
        annotated = {"formulaires/mars.xlsx"}
    elif change == "colonne":                # the flagged cell moved: another link
        findings[0] = changed(findings[0], column_index=10)
    else:
        first.write_bytes(b"pas un classeur")
    second = write_constats_xlsx(findings, tmp_path / "b" / "constats.xlsx", annotated, previous=first)
    assert len(constats_writes) == 2
    rows, links = _rows_and_links(second)
    assert [r[9] for r in rows] == [f.message for f in findings]
    expected = {"message": ["'Formulaires'!I3", "'Formulaires'!A7"], "copie-annotee": ["'Formulaires'!I3", None],
                "colonne": ["'Formulaires'!J3", "'Formulaires'!A7"], "illisible": ["'Formulaires'!I3", "'Formulaires'!A7"]}
    assert links == expected[change]

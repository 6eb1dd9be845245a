"""The workbooks built from nothing (write/xlsx_write.py): what a member typed stays
the text they typed, links survive odd file names, a large sheet is streamed, dates
are Excel's, and ``constats.json`` is the indented JSON it always was."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook

from syndic_batch.model import AVERTISSEMENT, ERREUR, INFO, Finding
from syndic_batch.write import xlsx_write
from syndic_batch.write.constats import dumps as constats_dumps
from syndic_batch.write.constats_xlsx import write_constats_xlsx
from syndic_batch.write.xlsx_write import PART_DATE, Properties, Workbook, excel_serial

TRICKY = [
    "=HYPERLINK(\"http://x\",\"clic\")",     # a formula: stays text
    "<r><t>x</t></r>",                        # XlsxWriter wrote this raw into the XML (shown « x »)
    "Tom & Jerry <3",
    "  espaces autour  ",
    "contrôle\x01\x1f fin",
    "_x0041_ littéral",
    "12345",                                   # a number typed as text: stays text
    "ligne 1\nligne 2",
    "😀 Émile",
]


def _finding(i: int, nom: str, file: str = "formulaires/mars.xlsx") -> Finding:
    return Finding("5.1", "heures-hors-limites", (ERREUR, AVERTISSEMENT, INFO)[i % 3], file, "L'été & co",
                   i + 2, "Heures", f"message {nom}", column_index=3, matricule=nom, nom=nom)


def test_member_text_stays_exactly_the_text_typed(tmp_path):
    findings = [_finding(i, t) for i, t in enumerate(TRICKY)]
    path = write_constats_xlsx(findings, tmp_path / "constats.xlsx", {"formulaires/mars.xlsx"})
    ws = load_workbook(path).active
    for r, text in enumerate(TRICKY, start=2):
        for col in (4, 5):                       # Matricule, Nom
            cell = ws.cell(r, col)
            assert cell.data_type == "s", (r, text)
            # openpyxl shows Excel's _xHHHH_ escapes as they are stored
            expected = text.replace("_x0041_", "_x005F_x0041_").replace("\x01", "_x0001_").replace("\x1f", "_x001F_")
            assert cell.value == expected, (r, cell.value)
        assert ws.cell(r, 10).value == "message " + expected
    assert ws.cell(2, 6).hyperlink.location == "'L''été & co'!C2"
    # clean: a cell whose text needs nothing special is written as is
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
        assert all(i.date_time == PART_DATE for i in z.infolist())
    assert '<t xml:space="preserve">  espaces autour  </t>' in sheet
    assert "<t>heures-hors-limites</t>" in sheet and "<f>" not in sheet


def test_a_file_name_with_hash_and_spaces_keeps_its_link(tmp_path):
    odd = "formulaires/mars #2 [copie].xlsx"
    path = write_constats_xlsx([_finding(0, "Amélie", odd)], tmp_path / "constats.xlsx", {odd})
    link = load_workbook(path).active.cell(2, 6).hyperlink
    assert link.target == "annotes\\formulaires\\mars%20%232%20%5bcopie%5d.xlsx"
    assert link.location == "'L''été & co'!C2"
    clean = write_constats_xlsx([_finding(0, "Amélie")], tmp_path / "c2.xlsx", {"formulaires/mars.xlsx"})
    assert load_workbook(clean).active.cell(2, 6).hyperlink.target == "annotes\\formulaires\\mars.xlsx"


def test_a_large_sheet_is_streamed_and_reads_back_the_same(tmp_path, monkeypatch):
    findings = [_finding(i, f"Membre {i}") for i in range(300)]
    small = write_constats_xlsx(findings, tmp_path / "a.xlsx", {"formulaires/mars.xlsx"})
    monkeypatch.setattr(xlsx_write, "STREAM_ABOVE", 2000)        # a few rows, then streamed
    streamed = write_constats_xlsx(findings, tmp_path / "b.xlsx", {"formulaires/mars.xlsx"})
    a, b = load_workbook(small).active, load_workbook(streamed).active
    assert [list(r) for r in a.iter_rows(values_only=True)] == [list(r) for r in b.iter_rows(values_only=True)]
    assert b.max_row == 301 and b.cell(301, 5).value == "Membre 299"
    with zipfile.ZipFile(small) as z1, zipfile.ZipFile(streamed) as z2:
        assert z1.read("xl/worksheets/sheet1.xml") == z2.read("xl/worksheets/sheet1.xml")


def test_dates_are_excel_serials_as_xlsxwriter_wrote_them():
    assert excel_serial(dt.datetime(2026, 3, 1)) == 46082.0          # =DATE(2026;3;1) in Excel
    assert excel_serial(dt.date(1900, 3, 1)) == 61.0                 # after Excel's 29 February 1900
    assert excel_serial(dt.datetime(1900, 2, 28)) == 59.0
    assert excel_serial(dt.datetime(2026, 3, 1, 12)) == 46082.5


def test_styles_are_added_once_and_the_workbook_opens(tmp_path):
    path = tmp_path / "w.xlsx"
    wb = Workbook(path, Properties(title="Essai & co", author="syndic-batch", custom={"k": "v"}))
    money = wb.styles.add(num_format='#,##0.00 "$"', valign="top")
    assert wb.styles.add(num_format='#,##0.00 "$"', valign="top") == money
    date = wb.styles.add(num_format="yyyy-mm-dd")
    ws = wb.sheet("Feuille d'essai", [10, 12], freeze_rows=1, dimension=(2, 1))
    ws.write(xlsx_write.row(1, xlsx_write.string("A1", 0, "Montant") + xlsx_write.string("B1", 0, "Date")))
    ws.write(xlsx_write.row(2, xlsx_write.number("A2", money, 1234.5)
                            + xlsx_write.number("B2", date, excel_serial(dt.date(2026, 3, 2))), 30))
    ws.close(autofilter=(0, 0, 1, 1), page=xlsx_write.PageSetup(footer="&CPage &P de &N", repeat_row=0))
    wb.close()
    book = load_workbook(path)
    s = book["Feuille d'essai"]
    assert s["A2"].value == 1234.5 and s["A2"].number_format == '#,##0.00 "$"'
    assert s["B2"].value == dt.datetime(2026, 3, 2) and s["B2"].number_format == "yyyy-mm-dd"
    assert s.row_dimensions[2].height == 30 and s.freeze_panes == "A2" and s.auto_filter.ref == "A1:B2"
    assert s.print_title_rows == "$1:$1" and book.properties.title == "Essai & co"


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice absent")
def test_libreoffice_converts_the_tricky_workbook(tmp_path):
    findings = [_finding(i, t) for i, t in enumerate(TRICKY)]
    path = write_constats_xlsx(findings, tmp_path / "c.xlsx", {"formulaires/mars.xlsx"})
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
                           "csv", "--outdir", str(tmp_path), str(path)], capture_output=True, timeout=180)
    assert done.returncode == 0
    text = (tmp_path / "c.csv").read_text(encoding="utf-8", errors="replace")
    assert "=HYPERLINK" in text and "<r><t>x</t></r>" in text and "Tom & Jerry <3" in text


def test_constats_json_is_the_indented_dump_byte_for_byte():
    findings = [Finding("4.5", "r\"\\\n\x01\u2028", ERREUR, "a/é.xlsx", None, 3, None, "m 😀"),
                Finding(None, "fichier-illisible", INFO, "b.xlsx", "S", None, "Col", "")]
    expected = json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=2)
    assert constats_dumps(findings) == expected
    assert constats_dumps([]) == json.dumps([], indent=2)

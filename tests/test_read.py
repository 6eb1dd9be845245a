"""The read stage: discovery, sheet recognition, header variants, typed values."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from builders import CORPUS, D, form, inbox, write_forms, write_register
from syndic_batch.read.inbox import InboxError, discover, read_inbox
from syndic_batch.text import clean_text, column_letters, fold, parse_date, parse_number

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("text, expected", [
    ("2026-09-03", D(2026, 9, 3)),
    ("03/09/2026", D(2026, 9, 3)),          # day first
    ("3 septembre 2026", D(2026, 9, 3)),
    ("1er mars 2026", D(2026, 3, 1)),
    ("lundi 3 août 2026", D(2026, 8, 3)),
    ("3 Septembre 2026", D(2026, 9, 3)),
    (dt.datetime(2026, 9, 3, 0, 0), D(2026, 9, 3)),
    ("32/13/2026", None),
    ("hier", None),
    (45000, None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("3,5", 3.5), ("3,5 h", 3.5), ("3.5", 3.5), ("1 234,50 $", 1234.5), ("320 km", 320.0),
    ("7h30", 7.5), (4, 4.0), ("trois", None), ("", None), ("3,5,2", None),
])
def test_parse_number(text, expected):
    assert parse_number(text) == expected


def test_clean_text_normalises_but_keeps_na():
    assert clean_text("NA") == "NA"
    assert clean_text("Re\u0301union\u00a0du\u200b CE ") == "Réunion du CE"
    assert clean_text(1234.0) == "1234"
    assert clean_text("   ") is None
    assert clean_text("Coll\x07oque\x00 ") == "Colloque"  # control characters never reach a workbook
    assert fold("Réunion du CRQ-03") == fold("reunion du crq 03")


def test_clean_text_and_fold_fast_paths_give_the_general_result():
    # printable ASCII: only the spaces change
    assert clean_text("  Jean   Roy ") == "Jean Roy" and clean_text("Jean Roy") == "Jean Roy"
    assert clean_text(" a b ") == "a b"
    # not the fast path: tabs, line breaks, control characters, Excel's _x000D_
    assert clean_text("a\tb\n c") == "a b c"
    assert clean_text("ligne_x000D_\nsuite") == "ligne suite"
    assert clean_text("x\x0bY") == "xY"
    # accents, any combining mark, and the joiner that is not one (a separator once folded)
    assert fold("Réunion ÉCOLE œuvre") == "reunion ecole oeuvre"
    assert fold("e\u20dd") == "e" and fold("Ga\u0308teau") == "gateau"
    assert fold("a\u034fb") == "a b"
    assert fold("Catégorie") == fold("Catégorie") == "categorie"  # memoised: the same key


def test_discover_skips_lock_hidden_and_temp_files(tmp_path):
    for name in ["a.xlsx", "sous/b.xlsm", "~$a.xlsx", ".cache.xlsx", ".cache/c.xlsx",
                 ".syndic-batch-tmp-x.xlsx", "notes.txt", "vieux.xls", "export.csv"]:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    workbooks, others = discover(tmp_path)
    # .xls, .xlsb and .ods are read like .xlsx since python-calamine (issue 11)
    assert [p.as_posix() for p in workbooks] == ["a.xlsx", "sous/b.xlsm", "vieux.xls"]
    assert [p.as_posix() for p in others] == ["export.csv"]


def test_reads_every_kind_with_provenance(tmp_path):
    root = inbox(tmp_path, [form(), form(matricule="1002", heures_demandees=2)])
    data = read_inbox(root)
    forms = data.forms
    assert list(forms["matricule"]) == ["1001", "1002"]
    assert list(forms["_file"]) == ["formulaires-2026-03.xlsx"] * 2
    assert list(forms["_row"]) == [2, 3]
    assert forms.loc[0, "date_activite"] == pd.Timestamp(2026, 3, 2)
    assert forms["heures_demandees"].tolist() == [3.5, 2.0]
    assert forms["heures_demandees"].dtype == "float64"
    assert len(data.members) == 5 and len(data.bank) == 1 and len(data.calendar) == 5
    assert data.members.loc[0, "taux_horaire"] == 30.0
    src = data.sources[int(forms.loc[0, "_src"])]
    assert src.columns["heures_demandees"] == (9, "Heures demandées")
    assert data.findings == []


def test_header_variants_title_rows_any_order_and_extra_columns(tmp_path):
    root = tmp_path / "inbox"
    wb = Workbook()
    ws = wb.active
    ws.title = "Octobre"
    ws.append(["Formulaire de libérations syndicales — octobre 2026"])
    ws.append([])
    ws.append(["Commentaire interne", "Reçu le", "NB D'HEURES", "  no   membre ", "Date activité",
               "Catégorie d'activité", "Décision"])
    ws.append(["à revoir", "05/10/2026", "3,5 h", 1001, "3 octobre 2026", "Représentation", "Adoptée"])
    root.mkdir()
    wb.save(root / "octobre.xlsx")
    data = read_inbox(root)
    row = data.forms.iloc[0]
    assert row["matricule"] == "1001"
    assert row["heures_demandees"] == 3.5
    assert row["date_activite"] == pd.Timestamp(2026, 10, 3)
    assert row["date_reception"] == pd.Timestamp(2026, 10, 5)
    assert row["_row"] == 4
    src = data.sources[int(row["_src"])]
    assert src.header_row == 3
    assert src.columns["matricule"] == (4, "no membre")
    assert src.headers[1] == "Commentaire interne"  # extra column kept in the map


def test_unrecognised_sheet_gives_info_and_empty_sheet_is_silent(tmp_path):
    root = inbox(tmp_path, [form()])
    wb = Workbook()
    wb.active.append(["Liste d'épicerie", "Prix"])
    wb.active.title = "Notes"
    wb.create_sheet("Vide")
    wb.save(root / "divers.xlsx")
    data = read_inbox(root)
    infos = [f for f in data.findings if f.rule == "feuille-non-reconnue"]
    assert [(f.file, f.sheet, f.severity) for f in infos] == [("divers.xlsx", "Notes", "info")]
    assert "Notes" in infos[0].message


def test_missing_required_column_reported_once_at_header(tmp_path):
    root = tmp_path / "inbox"
    rows = [{k: v for k, v in form().items() if k != "date_reception"} for _ in range(3)]
    write_forms(root / "f.xlsx", rows)
    # remove the column entirely: rewrite without its header
    from openpyxl import load_workbook
    wb = load_workbook(root / "f.xlsx")
    ws = wb.active
    ws.delete_cols(15)
    wb.save(root / "f.xlsx")
    data = read_inbox(root)
    missing = [f for f in data.findings if f.rule == "colonne-absente"]
    assert len(missing) == 1
    assert missing[0].row == 1 and "Date de réception" in missing[0].message
    assert len(data.forms) == 3


def test_unreadable_files_become_findings_and_the_rest_is_read(tmp_path):
    root = inbox(tmp_path, [form()])
    (root / "vide.xlsx").write_bytes(b"")
    (root / "texte.xlsx").write_text("pas un classeur")
    shutil.copy(CORPUS / "calamine/pass_protected.xlsx", root / "protege.xlsx")
    data = read_inbox(root)
    bad = {f.file: f for f in data.findings if f.rule == "fichier-illisible"}
    assert "vide.xlsx" in bad and "0 octet" in bad["vide.xlsx"].message
    assert "texte.xlsx" in bad
    assert "mot de passe" in bad["protege.xlsx"].message
    assert len(data.forms) == 1


def test_missing_inbox_is_a_french_error(tmp_path):
    with pytest.raises(InboxError, match="n'existe pas"):
        read_inbox(tmp_path / "nulle-part")


def test_workbook_saved_by_libreoffice(tmp_path):
    """A form workbook re-saved by LibreOffice Calc: title row, text dates, decimal comma,
    and a member's text starting with '=' read as text."""
    root = tmp_path / "inbox"
    root.mkdir()
    shutil.copy(DATA / "formulaire-libreoffice.xlsx", root / "mars.xlsx")
    data = read_inbox(root)
    f = data.forms
    assert list(f["matricule"]) == ["1001", "1002", "1003"]
    assert list(f["_row"]) == [3, 4, 5]
    assert list(f["date_activite"]) == [pd.Timestamp(2026, 3, d) for d in (2, 3, 4)]
    assert list(f["heures_demandees"]) == [3.5, 2.5, 25.0]
    assert f.loc[1, "description"] == "=SOMME(A1:A3)"
    assert f.loc[0, "_sheet"] == "Libérations"


def test_members_with_na_name_and_numeric_matricule(tmp_path):
    root = tmp_path / "inbox"
    write_register(root / "r.xlsx", members=[
        {"matricule": 40123, "nom": "NA", "debut_contrat": D(2020, 1, 1), "taux_horaire": "31,25"}])
    data = read_inbox(root)
    m = data.members.iloc[0]
    assert (m["matricule"], m["nom"], m["taux_horaire"]) == ("40123", "NA", 31.25)
    assert pd.isna(m["fin_contrat"])


def test_merged_cells_spread_their_value_down(tmp_path):
    """One member's matricule and name merged down over their three activities."""
    root = tmp_path / "inbox"
    rows = [form(date_activite=D(2026, 3, d)) for d in (2, 3, 4)]
    for r in rows[1:]:
        r["matricule"] = None
        r["nom"] = None
    path = write_forms(root / "f.xlsx", rows, title_rows=["Mars 2026"])
    from openpyxl import load_workbook
    wb = load_workbook(path)
    wb.active.merge_cells("A1:S1")   # merged title: above the header, ignored
    wb.active.merge_cells("A3:A5")
    wb.active.merge_cells("B3:B5")
    wb.save(path)
    data = read_inbox(root)
    assert list(data.forms["matricule"]) == ["1001"] * 3
    assert list(data.forms["nom"]) == ["Amélie Tremblay"] * 3
    assert list(data.forms["_row"]) == [3, 4, 5]


def test_strict_ooxml_workbook_is_read(tmp_path):
    """openpyxl could not read a Strict Open XML workbook; python-calamine does (issue 11)."""
    root = inbox(tmp_path, [form()])
    shutil.copy(CORPUS / "sheetjs/sheet_visibility_strict.xlsx", root / "strict.xlsx")
    data = read_inbox(root)
    [report] = [r for r in data.files if r.path == "strict.xlsx"]
    assert report.readable
    assert list(report.sheets) == ["Visible", "Hidden", "VeryHidden"]
    assert not [f for f in data.findings if f.file == "strict.xlsx" and f.rule == "fichier-illisible"]
    assert len(data.forms) == 1


def test_column_letters_from_a_to_the_last_column():
    # one implementation for the reader's messages and every writer (text.column_letters)
    from syndic_batch.write.xlsx_write import col_name
    assert [column_letters(n) for n in (1, 26, 27, 28, 52, 702, 703, 16384)] == \
        ["A", "Z", "AA", "AB", "AZ", "ZZ", "AAA", "XFD"]
    assert [col_name(c) for c in (0, 25, 26)] == ["A", "Z", "AA"]

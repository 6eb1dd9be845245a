"""Odd but plausible input found in review: each used to crash, lose rows or flag wrongly."""
from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from builders import D, context_for, form, inbox, write_forms
from syndic_batch.pipeline import OutputError, run
from syndic_batch.read.inbox import read_inbox
from syndic_batch.rules.art_4_1 import regle_4_1_deplacement_300_km
from syndic_batch.rules.art_5_1 import regle_5_1_valeurs_illisibles
from syndic_batch.rules.donnees_reference import regle_calendrier_lisible, regle_registre_lisible
from syndic_batch.text import parse_date, parse_number


def test_dates_outside_1900_2199_are_unreadable_not_a_crash(tmp_path):
    assert parse_date("02/03/0226") is None and parse_date(dt.datetime(9999, 12, 31)) is None
    members = [{"matricule": "1001", "nom": "A", "debut_contrat": D(2020, 1, 1),
                "fin_contrat": dt.datetime(9999, 12, 31), "taux_horaire": 30.0}]
    ctx = context_for(tmp_path, [form(), form(date_activite="02/03/0226")], members=members)
    out = regle_5_1_valeurs_illisibles(ctx)
    assert [(f.row, f.rule) for f in out] == [(3, "date-illisible")]
    assert regle_registre_lisible(ctx) == []          # 9999-12-31 means "no end"
    assert ctx.rates.loc[0, "taux"] == 30.0            # the contract is ongoing


def test_a_whole_run_with_such_dates_finishes(tmp_path):
    root = inbox(tmp_path, [form(date_activite=dt.datetime(2300, 1, 1))])
    result = run(root, tmp_path / "o", dt.date(2026, 4, 30))
    assert any(f.rule == "date-illisible" for f in result.findings)


def test_true_and_one_are_not_confused(tmp_path):
    root = tmp_path / "inbox"
    write_forms(root / "f.xlsx", [form(justification=True), form(heures_demandees=1, matricule=1)])
    data = read_inbox(root)
    assert data.forms.loc[1, "heures_demandees"] == 1.0 and data.forms.loc[1, "matricule"] == "1"


def test_forms_with_a_date_and_a_reunion_column_are_not_read_as_a_calendar(tmp_path):
    root = tmp_path / "inbox"
    root.mkdir()
    wb = Workbook()
    ws = wb.active
    ws.append(["Matricule", "Date", "Catégorie", "Réunion", "Heures demandées"])  # no Date de réception
    ws.append(["1001", D(2026, 3, 2), "Réunion du CRQCA", "CRQCA mars", 3])
    wb.save(root / "f.xlsx")
    data = read_inbox(root)
    assert len(data.forms) == 1 and data.calendar.empty
    assert [f.rule for f in data.findings] == ["colonne-absente"]


def test_duplicated_header_takes_the_first_non_empty_value(tmp_path):
    root = tmp_path / "inbox"
    root.mkdir()
    wb = Workbook()
    ws = wb.active
    ws.append(["Matricule", "Date de l'activité", "Catégorie", "Heures demandées", "Date de réception", "No membre"])
    ws.append([None, D(2026, 3, 2), "Représentation", 3, D(2026, 3, 5), "1002"])
    ws.append(["1001", D(2026, 3, 2), "Représentation", 3, D(2026, 3, 5), "9999"])
    wb.save(root / "f.xlsx")
    data = read_inbox(root)
    assert list(data.forms["matricule"]) == ["1002", "1001"]
    dup = [f for f in data.findings if f.rule == "colonne-en-double"]
    assert len(dup) == 1 and dup[0].severity == "info" and "(colonne F)" in dup[0].message


def test_a_header_row_repeated_in_the_data_is_skipped(tmp_path):
    root = tmp_path / "inbox"
    path = write_forms(root / "f.xlsx", [form(), form(matricule="1002")])
    wb = load_workbook(path)
    ws = wb.active
    ws.insert_rows(3)
    for c in range(1, ws.max_column + 1):
        ws.cell(3, c).value = ws.cell(1, c).value
    wb.save(path)
    data = read_inbox(root)
    assert list(data.forms["_row"]) == [2, 4]


def test_a_dash_in_distance_is_flagged_once_by_art_4_1(tmp_path):
    ctx = context_for(tmp_path, [form(categorie="Déplacement", distance_km="-")])
    assert regle_5_1_valeurs_illisibles(ctx) == []
    assert [f.rule for f in regle_4_1_deplacement_300_km(ctx)] == ["deplacement-moins-de-300-km"]


def test_hours_typed_as_a_time_of_day():
    assert parse_number(dt.time(3, 30)) == 3.5
    assert parse_number(dt.timedelta(hours=7, minutes=45)) == 7.75


def test_calendar_instance_written_out_in_full_is_a_ce_meeting(tmp_path):
    cal = [{"date": D(2026, 3, 10), "instance": "Conseil exécutif"}, {"date": D(2026, 3, 20), "instance": "Party"}]
    ctx = context_for(tmp_path, [form()], calendar=cal)
    assert [f.row for f in regle_calendrier_lisible(ctx)] == [3]
    assert list(ctx.ce_meetings) == [pd.Timestamp(2026, 3, 10).to_datetime64()]


def test_one_name_per_member_everywhere(tmp_path):
    members = [
        {"matricule": "1001", "nom": "Amélie Nouveau", "debut_contrat": D(2024, 1, 1), "taux_horaire": 30.0},
        {"matricule": "1001", "nom": "Amélie Ancien", "debut_contrat": D(2020, 1, 1), "fin_contrat": D(2023, 12, 31),
         "taux_horaire": 25.0},
    ]
    root = inbox(tmp_path, [form(nom="Amélie sur le formulaire")], members=members)
    out = tmp_path / "o"
    run(root, out, dt.date(2026, 3, 31))
    ws = load_workbook(out / "depot-employeur.xlsx").active
    assert ws["B10"].value == "Amélie Nouveau"   # below the title block and the header (row 9)
    ce = (out / "rapports" / "ce.html").read_text(encoding="utf-8")
    assert "Amélie Nouveau" in ce and "Amélie Ancien" not in ce


def test_an_output_folder_linked_into_the_inbox_is_refused(tmp_path):
    root = inbox(tmp_path, [form()])
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    out = tmp_path / "o"
    out.mkdir()
    os.symlink(root, out / "annotes")
    with pytest.raises(OutputError, match="boîte de réception"):
        run(root, out, dt.date(2026, 3, 31))
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_one_reading_of_the_ce_decision(tmp_path):
    ctx = context_for(tmp_path, [form(decision_ce=d) for d in
                                 ("Adoptée", " adoptee ", "REFUSÉE", "En dépôt", None, "-", "Accepté")])
    assert list(ctx.decisions) == ["adoptee", "adoptee", "refusee", "en-depot", "non-decidee", "non-decidee",
                                   "inconnue"]
    assert list(ctx.ledger["adoptee"]) == [True, True, False, False, False, False, False]

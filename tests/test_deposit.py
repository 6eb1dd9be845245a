"""The employer deposit (write/deposit.py, art. 5.4) and atomic writes (write/atomic.py)."""
from __future__ import annotations

import datetime as dt
import os

import pytest
from openpyxl import load_workbook

from builders import D, context_for, form
from syndic_batch.write.atomic import TMP_PREFIX, atomic_write, write_bytes_atomic, write_text_atomic
from syndic_batch.write.deposit import COLUMNS, write_deposit

MEMBERS = [
    {"matricule": "1001", "nom": "Amélie Tremblay", "debut_contrat": D(2020, 1, 1), "fin_contrat": None, "taux_horaire": 30.0},
    {"matricule": "999", "nom": "=HYPERLINK(\"http://x\")", "debut_contrat": D(2020, 1, 1), "fin_contrat": None, "taux_horaire": 27.35},
    {"matricule": "1002", "nom": "Benoît Gagnon", "debut_contrat": D(2021, 1, 1), "fin_contrat": None, "taux_horaire": 25.0},
]
ROWS = [
    form(matricule="1001", nom="Amélie T.", date_activite=D(2026, 3, 9), heures_demandees=3.5),
    form(matricule="1002", date_activite=D(2026, 3, 2), heures_demandees=2.0, heures_accordees=1.5),
    form(matricule="1001", date_activite=D(2026, 3, 2), heures_demandees=7.0, decision_ce="Refusée"),
    form(matricule="999", date_activite=D(2026, 3, 4), heures_demandees=2.5, decision_ce="adoptée"),
    form(matricule="1002", date_activite=D(2026, 3, 3), heures_demandees=4.0, decision_ce="En dépôt"),
    form(matricule="1001", date_activite=D(2026, 3, 1), heures_demandees=1.0, decision_ce=None, date_decision=None),
    form(matricule="1001", date_activite=D(2026, 3, 1), heures_demandees=2.0),
]


def _write(tmp_path, rows=ROWS):
    ctx = context_for(tmp_path, rows, members=MEMBERS)
    out = tmp_path / "out" / "depot-employeur.xlsx"
    assert write_deposit(ctx, out) == out
    return load_workbook(out), ctx


def test_deposit_holds_exactly_the_adopted_rows_with_their_amounts(tmp_path):
    wb, _ctx = _write(tmp_path)
    ws = wb.active
    values = list(ws.iter_rows(values_only=True))
    assert values[0] == tuple(h for h, _w, _f in COLUMNS)
    rate = {m["matricule"]: m["taux_horaire"] for m in MEMBERS}
    # expected: adopted rows only, by member (999 before 1001 before 1002) then date
    adopted = [(r["matricule"], r["date_activite"], r.get("heures_accordees") or r["heures_demandees"], i + 2)
               for i, r in enumerate(ROWS) if (r["decision_ce"] or "").lower() in ("adoptée",)]
    adopted.sort(key=lambda t: (int(t[0]), t[1]))
    lines = [v for v in values[1:] if not str(v[0]).startswith("Total")]
    assert [(v[0], v[2].date(), v[4], v[9]) for v in lines] == [(m, d, h, row) for m, d, h, row in adopted]
    for v in lines:
        assert v[5] == rate[v[0]]
        assert v[6] == round(v[4] * rate[v[0]], 2)
    assert [v[1] for v in lines] == ['=HYPERLINK("http://x")', "Amélie Tremblay", "Amélie Tremblay", "Benoît Gagnon"]
    assert {v[7] for v in lines} == {"formulaires-2026-03.xlsx"}
    # 2,5 h × 27,35 $ = 68,375 $ -> 68,38 $ (half up)
    assert lines[0][6] == 68.38


def test_deposit_totals_per_member_and_overall(tmp_path):
    ws = _write(tmp_path)[0].active
    totals = {v[0]: (v[4], v[6]) for v in ws.iter_rows(min_row=2, values_only=True) if str(v[0]).startswith("Total")}
    assert totals == {"Total 999": (2.5, 68.38), "Total 1001": (5.5, 165.0), "Total 1002": (1.5, 37.5),
                      "Total général": (9.5, 270.88)}
    last = ws.max_row
    assert ws.cell(last, 1).value == "Total général" and ws.cell(last, 1).font.b and ws.cell(last, 7).font.b


def test_deposit_layout_formats_and_text_cells(tmp_path):
    ws = _write(tmp_path)[0].active
    assert ws.freeze_panes == "A2"
    assert all(c.font.b for c in ws[1])
    first = ws[2]
    assert isinstance(first[2].value, dt.datetime) and first[2].number_format == "yyyy-mm-dd"
    assert first[5].number_format == '#,##0.00 "$"' and first[6].number_format == '#,##0.00 "$"'
    assert first[4].number_format == "#,##0.00"
    # a member-typed text that looks like a formula stays text
    assert first[1].value == '=HYPERLINK("http://x")' and first[1].data_type == "s"
    assert first[0].data_type == "s" and first[0].value == "999"


def test_deposit_with_an_unknown_member_and_no_adopted_row(tmp_path):
    wb, _ = _write(tmp_path, [form(matricule="4242", heures_demandees=2.0)])
    values = list(wb.active.iter_rows(min_row=2, values_only=True))
    assert values[0][0] == "4242" and values[0][1] == "Amélie Tremblay"   # the form's name when not in the register
    assert values[0][5] is None and values[0][6] is None
    assert "membre absent du registre" in values[0][10]
    wb, _ = _write(tmp_path / "b", [form(decision_ce="Refusée")])
    assert list(wb.active.iter_rows(min_row=2, values_only=True)) == [
        ("Total général", None, None, None, 0, None, None, None, None, None, None, None)]


def test_deposit_shows_the_date_a_release_already_went_to_the_employer(tmp_path):
    wb, _ = _write(tmp_path, [form(date_depot=dt.date(2026, 3, 13)), form(date_activite=dt.date(2026, 3, 3))])
    ws = wb.active
    lines = list(ws.iter_rows(min_row=2, max_row=3, values_only=True))
    assert lines[0][11] == dt.datetime(2026, 3, 13) and lines[1][11] is None
    assert ws.cell(2, 12).number_format == "yyyy-mm-dd"


def test_deposit_is_written_atomically_over_an_old_one(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "depot-employeur.xlsx").write_bytes(b"ancien")
    ctx = context_for(tmp_path, ROWS, members=MEMBERS)
    write_deposit(ctx, out / "depot-employeur.xlsx")
    assert load_workbook(out / "depot-employeur.xlsx").active.max_row > 1
    assert [p.name for p in out.iterdir()] == ["depot-employeur.xlsx"]


# ---------------------------------------------------------------- atomic writes

def test_atomic_write_replaces_on_success(tmp_path):
    target = tmp_path / "sous" / "f.txt"
    with atomic_write(target) as tmp:
        assert tmp.parent == target.parent and tmp.name.startswith(TMP_PREFIX)
        tmp.write_text("nouveau", encoding="utf-8")
        assert not target.exists()
    assert target.read_text(encoding="utf-8") == "nouveau"
    assert os.listdir(target.parent) == ["f.txt"]
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("ancien", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as tmp:
            tmp.write_text("à moitié", encoding="utf-8")
            raise RuntimeError("panne")
    assert target.read_text(encoding="utf-8") == "ancien"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_write_bytes_and_text_atomic(tmp_path):
    write_bytes_atomic(tmp_path / "a.bin", b"\x00\x01")
    write_text_atomic(tmp_path / "b.json", "« é »\n")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "b.json").read_bytes() == "« é »\n".encode("utf-8")

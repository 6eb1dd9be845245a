"""The employer deposit (write/deposit.py, art. 5.4) and atomic writes (write/atomic.py)."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import zipfile
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from builders import D, context_for, form
from syndic_batch.config import DEFAULT_PARAMS
from syndic_batch.write.atomic import TMP_PREFIX, atomic_write, write_bytes_atomic, write_text_atomic
from syndic_batch.write.deposit import COLUMNS, DONE_COLUMNS, SHEET_DONE, SHEET_TODO, write_deposit

MEMBERS = [
    {"matricule": "1001", "nom": "Amélie Tremblay", "debut_contrat": D(2020, 1, 1), "fin_contrat": None, "taux_horaire": 30.0},
    {"matricule": "999", "nom": "=HYPERLINK(\"http://x\")", "debut_contrat": D(2020, 1, 1), "fin_contrat": None, "taux_horaire": 27.35},
    {"matricule": "1002", "nom": "Benoît Gagnon", "debut_contrat": D(2021, 1, 1), "fin_contrat": None, "taux_horaire": 25.0},
]
AS_OF = D(2026, 4, 30)
ROWS = [
    form(matricule="1001", nom="Amélie T.", date_activite=D(2026, 3, 9), heures_demandees=3.5),              # 2
    form(matricule="1002", date_activite=D(2026, 3, 2), heures_demandees=2.0, heures_accordees=1.5),         # 3
    form(matricule="1001", date_activite=D(2026, 3, 2), heures_demandees=7.0, decision_ce="Refusée"),        # 4
    form(matricule="999", date_activite=D(2026, 3, 4), heures_demandees=2.5, decision_ce="adoptée"),         # 5
    form(matricule="1002", date_activite=D(2026, 3, 3), heures_demandees=4.0, decision_ce="En dépôt"),       # 6
    form(matricule="1001", date_activite=D(2026, 3, 1), heures_demandees=1.0, decision_ce=None, date_decision=None),  # 7
    form(matricule="1001", date_activite=D(2026, 3, 1), heures_demandees=2.0),                               # 8
    # already deposited, on two dates
    form(matricule="1002", date_activite=D(2026, 2, 2), heures_demandees=3.0, date_decision=D(2026, 2, 10),
         date_depot=D(2026, 2, 13)),                                                                          # 9
    form(matricule="1001", date_activite=D(2026, 2, 3), heures_demandees=4.0, date_decision=D(2026, 2, 10),
         date_depot=D(2026, 2, 13)),                                                                          # 10
    form(matricule="1001", date_activite=D(2026, 3, 5), heures_demandees=1.0, date_depot=D(2026, 3, 13)),     # 11
    # adopted by a decision dated after the run's date: in neither sheet
    form(matricule="1002", date_activite=D(2026, 4, 20), heures_demandees=5.0, date_reception=D(2026, 4, 21),
         date_decision=D(2026, 5, 5)),                                                                        # 12
]
HEADER_ROW = 9    # a title block of seven lines, then a blank line


def _write(tmp_path, rows=ROWS, params=None, bank=None):
    ctx = context_for(tmp_path, rows, as_of=AS_OF, members=MEMBERS, params=params, bank=bank)
    out = tmp_path / "out" / "depot-employeur.xlsx"
    assert write_deposit(ctx, out) == out
    return load_workbook(out), ctx


def _table(ws, columns):
    """The header row's number and the rows below it, as dicts keyed by header."""
    rows = list(ws.iter_rows(values_only=True))
    labels = [h for _k, h, _w, _t in columns]
    at = next(i for i, r in enumerate(rows) if list(r[:len(labels)]) == labels)
    return at + 1, [dict(zip(labels, r)) for r in rows[at + 1:]]


def test_to_deposit_holds_exactly_the_adopted_undeposited_rows_decided_by_the_date(tmp_path):
    wb, _ctx = _write(tmp_path)
    assert wb.sheetnames == [SHEET_TODO, SHEET_DONE]
    _h, rows = _table(wb[SHEET_TODO], COLUMNS)
    lines = [r for r in rows if r["Matricule"] and not str(r["Matricule"]).startswith("Total")]
    # 999 before 1001 before 1002, then by date; not row 12 (decided 5 May, after 30 April)
    assert [(r["Matricule"], r["Date de l'activité"].date(), r["Heures accordées"], r["Ligne"]) for r in lines] == [
        ("999", D(2026, 3, 4), 2.5, 5), ("1001", D(2026, 3, 1), 2.0, 8), ("1001", D(2026, 3, 9), 3.5, 2),
        ("1002", D(2026, 3, 2), 1.5, 3)]
    rate = {m["matricule"]: m["taux_horaire"] for m in MEMBERS}
    for r in lines:
        assert r["Taux horaire ($)"] == rate[r["Matricule"]]
        assert r["Montant ($)"] == round(r["Heures accordées"] * rate[r["Matricule"]] + 1e-9, 2)
        assert r["Fichier source"] == "formulaires-2026-03.xlsx"
        assert r["Heures imputées à la banque"] == r["Heures accordées"] and r["Heures imputées aux fonds syndicaux"] == 0
    assert lines[0]["Montant ($)"] == 68.38       # 2,5 h × 27,35 $ = 68,375 $ -> 68,38 $ (half up)
    assert [r["Nom"] for r in lines] == ['=HYPERLINK("http://x")', "Amélie Tremblay", "Amélie Tremblay", "Benoît Gagnon"]
    assert lines[1]["Décision du CE du"] == dt.datetime(2026, 3, 10)


def test_to_deposit_totals_per_member_and_overall(tmp_path):
    wb, _ = _write(tmp_path)
    _h, rows = _table(wb[SHEET_TODO], COLUMNS)
    totals = {r["Matricule"]: (r["Heures accordées"], r["Montant ($)"]) for r in rows
              if str(r["Matricule"]).startswith("Total")}
    assert totals == {'Total 999 — =HYPERLINK("http://x")': (2.5, 68.38), "Total 1001 — Amélie Tremblay": (5.5, 165.0),
                      "Total 1002 — Benoît Gagnon": (1.5, 37.5), "Total général — 4 libérations": (9.5, 270.88)}


def test_already_deposited_grouped_by_deposit_date_with_subtotals(tmp_path):
    wb, _ = _write(tmp_path)
    _h, rows = _table(wb[SHEET_DONE], DONE_COLUMNS)
    seq = [(r["Matricule"], r["Ligne"], r["Déposée le"], r["Heures accordées"], r["Montant ($)"]) for r in rows
           if r["Matricule"]]
    assert seq == [
        ("Dépôt du 13 février 2026", None, None, None, None),
        ("1001", 10, dt.datetime(2026, 2, 13), 4.0, 120.0),
        ("1002", 9, dt.datetime(2026, 2, 13), 3.0, 75.0),
        ("Sous-total du dépôt du 13 février 2026 — 2 libérations", None, None, 7.0, 195.0),
        ("Dépôt du 13 mars 2026", None, None, None, None),
        ("1001", 11, dt.datetime(2026, 3, 13), 1.0, 30.0),
        ("Sous-total du dépôt du 13 mars 2026 — 1 libération", None, None, 1.0, 30.0),
        ("Total général — 3 libérations", None, None, 8.0, 225.0),
    ]


def test_title_block_union_period_run_date_and_decisions(tmp_path):
    params = replace(DEFAULT_PARAMS, nom_syndicat="Syndicat des employés de soutien (STEP)", majoration_pct=15.0)
    wb, _ = _write(tmp_path, params=params)
    ws = wb[SHEET_TODO]
    top = [tuple(v for v in r if v is not None) for r in ws.iter_rows(max_row=HEADER_ROW - 1, values_only=True)]
    assert top[0] == ("Syndicat des employés de soutien (STEP)",)
    assert top[1] == ("Dépôt de libérations syndicales — à déposer à l'Employeur (art. 5.4)",)
    assert top[2] == ("Période :", "activités du 1er mars 2026 au 9 mars 2026")
    assert top[3] == ("Date du traitement :", "30 avril 2026")
    assert top[4] == ("Décisions du CE couvertes :", "10 mars 2026")
    assert top[5] == ("Adoptées par une décision datée après le 30 avril 2026 (hors de ce dépôt) :", "1 libération")
    assert "15 %" in top[6][0].replace("\xa0", " ")
    assert ws.cell(HEADER_ROW, 1).value == "Matricule"
    done = wb[SHEET_DONE]
    assert done.cell(5, 4).value == "13 février 2026, 13 mars 2026"


def test_page_setup_letter_landscape_one_page_wide_header_repeated(tmp_path):
    wb, _ = _write(tmp_path)
    for ws in wb.worksheets:
        ps = ws.page_setup
        assert ps.orientation == "landscape" and int(ps.paperSize) == 1
        # fitToWidth absent means 1 (the default of the file format)
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ps.fitToWidth in (None, 1) and ps.fitToHeight == 0
        assert ws.print_title_rows.replace("$", "") == f"{HEADER_ROW}:{HEADER_ROW}"
        assert "Page &P de &N" in ws.oddFooter.right.text
        assert ws.freeze_panes == f"A{HEADER_ROW + 1}"


def test_member_text_is_written_as_strings_never_formulas(tmp_path):
    wb, _ = _write(tmp_path)
    ws = wb[SHEET_TODO]
    cell = ws.cell(HEADER_ROW + 1, 2)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    assert ws.cell(HEADER_ROW + 1, 1).data_type == "s" and ws.cell(HEADER_ROW + 1, 1).value == "999"
    assert ws.cell(HEADER_ROW + 1, 3).number_format == "yyyy-mm-dd"
    assert ws.cell(HEADER_ROW + 1, 7).number_format == '#,##0.00 "$"'
    with zipfile.ZipFile(tmp_path / "out" / "depot-employeur.xlsx") as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml and "hyperlink" not in xml.lower().replace("=hyperlink", "")


def test_split_row_and_surcharge_in_the_deposit(tmp_path):
    bank = [{"date_renouvellement": D(2026, 1, 1), "heures_allouees": 4.0, "budget_fonds": 5000.0}]
    params = replace(DEFAULT_PARAMS, majoration_pct=10.0)
    wb, _ = _write(tmp_path, params=params, bank=bank)
    _h, rows = _table(wb[SHEET_TODO], COLUMNS)
    by_row = {r["Ligne"]: r for r in rows if isinstance(r["Ligne"], int)}
    # charged by decision date: 10 February rows 9 and 10 (7 h: 4 h bank, 3 h funds), then 10 March rows
    # 2, 3, 5, 8, 11 entirely in the funds. Row 8 (2 h × 30 $ × 1,10) = 66,00 $.
    assert (by_row[8]["Heures imputées à la banque"], by_row[8]["Heures imputées aux fonds syndicaux"],
            by_row[8]["Fonds syndicaux ($)"], by_row[8]["Montant ($)"]) == (0, 2.0, 66.0, 60.0)
    # row 5: 2,5 h × 27,35 $ × 1,1 = 75,2125 -> 75,21 $
    assert by_row[5]["Fonds syndicaux ($)"] == 75.21
    _h, done = _table(wb[SHEET_DONE], DONE_COLUMNS)
    d = {r["Ligne"]: r for r in done if isinstance(r["Ligne"], int)}
    # row 9 (1002, 3 h, activity 2 February) charged first: bank; row 10 (1001, 4 h): 1 h bank, 3 h funds
    assert (d[10]["Heures imputées à la banque"], d[10]["Heures imputées aux fonds syndicaux"],
            d[10]["Fonds syndicaux ($)"]) == (1.0, 3.0, 99.0)
    assert (d[9]["Heures imputées à la banque"], d[9]["Fonds syndicaux ($)"]) == (3.0, 0)


def test_deposit_with_an_unknown_member_and_no_adopted_row(tmp_path):
    wb, _ = _write(tmp_path, [form(matricule="4242", heures_demandees=2.0)])
    _h, rows = _table(wb[SHEET_TODO], COLUMNS)
    assert rows[0]["Matricule"] == "4242" and rows[0]["Nom"] == "Amélie Tremblay"   # the form's name
    assert rows[0]["Taux horaire ($)"] is None and rows[0]["Montant ($)"] is None
    assert "membre absent du registre" in rows[0]["Remarque"]
    wb, _ = _write(tmp_path / "b", [form(decision_ce="Refusée")])
    _h, rows = _table(wb[SHEET_TODO], COLUMNS)
    assert rows[0]["Matricule"].startswith("Aucune libération adoptée à déposer")
    assert rows[-1]["Matricule"] == "Total général — 0 libération" and rows[-1]["Heures accordées"] == 0


def test_deposit_is_written_atomically_over_an_old_one(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "depot-employeur.xlsx").write_bytes(b"ancien")
    ctx = context_for(tmp_path, ROWS, members=MEMBERS)
    write_deposit(ctx, out / "depot-employeur.xlsx")
    assert load_workbook(out / "depot-employeur.xlsx").active.max_row > 1
    assert [p.name for p in out.iterdir()] == ["depot-employeur.xlsx"]


@pytest.mark.skipif(subprocess.run(["which", "soffice"], capture_output=True).returncode != 0,
                    reason="LibreOffice absent")
def test_deposit_prints_one_page_wide(tmp_path):
    rows = [form(matricule=m, date_activite=D(2026, 3, d), heures_demandees=1.0,
                 categorie="Réunion du Comité de vérification interne")
            for m in ("1001", "1002", "999") for d in range(1, 29)]
    _write(tmp_path, rows)
    out = tmp_path / "out"
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out),
                    str(out / "depot-employeur.xlsx")], capture_output=True, timeout=180, check=True)
    text = subprocess.run(["pdftotext", "-layout", str(out / "depot-employeur.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    # every page carries the last column's header: the sheet is not cut across columns
    with_rows = [p for p in pages if "Réunion du Comité" in p]
    assert len(with_rows) >= 2
    assert all("Matricule" in p and "Remarque" in p for p in with_rows)
    assert "Page 1 de" in text


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


# ---------------------------------------------------------------- reuse (issue 8, incremental runs)

class _Writes:
    """Counts the workbooks a writer module opens (``xlsx_write.Workbook``)."""

    def __init__(self, monkeypatch, module, attr):
        self.count = 0
        real = getattr(module, attr)

        def counting(*a, **kw):
            self.count += 1
            return real(*a, **kw)

        monkeypatch.setattr(module, attr, counting)


@pytest.fixture
def writes(monkeypatch):
    import syndic_batch.write.deposit as deposit_module

    return _Writes(monkeypatch, deposit_module, "Workbook")


def _deposit(tmp_path, name, rows=ROWS, as_of=AS_OF, params=None, previous=None):
    ctx = context_for(tmp_path / name, rows, as_of=as_of, members=MEMBERS, params=params)
    out = tmp_path / name / "out" / "depot-employeur.xlsx"
    assert write_deposit(ctx, out, previous=previous) == out
    return out


def _shown(path):
    """Every cell value of both sheets."""
    wb = load_workbook(path)
    return [[list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets]


def test_deposit_carries_the_digest_of_what_it_shows(tmp_path):
    from syndic_batch.write.xlsx_reuse import digest_of

    first = _deposit(tmp_path, "a")
    again = _deposit(tmp_path, "b")          # the same inbox read again: the same digest
    digest = digest_of(first)
    assert digest is not None and len(digest) == 64 and digest_of(again) == digest
    assert digest_of(_deposit(tmp_path, "c", as_of=D(2026, 5, 1))) != digest


def test_second_run_with_nothing_changed_copies_the_previous_deposit(tmp_path, writes):
    first = _deposit(tmp_path, "a")
    assert writes.count == 1
    second = _deposit(tmp_path, "b", previous=first)
    assert writes.count == 1                                   # not written: copied
    assert second.read_bytes() == first.read_bytes()
    assert not second.is_symlink()
    assert [p.name for p in second.parent.iterdir()] == ["depot-employeur.xlsx"]


def _hours_of(path, line):
    _h, rows = _table(load_workbook(path)[SHEET_TODO], COLUMNS)
    return next(r["Heures accordées"] for r in rows if r["Ligne"] == line)


@pytest.mark.parametrize("change", ["heures", "depot", "date", "syndicat"])
def test_a_change_of_one_shown_value_rewrites_the_deposit(tmp_path, writes, change):
    first = _deposit(tmp_path, "a")
    rows, as_of, params = list(ROWS), AS_OF, None
    if change == "heures":            # row 8 (1001, 2 h asked, adopted): 1,5 h granted
        rows[6] = {**rows[6], "heures_accordees": 1.5}
    elif change == "depot":           # row 2 deposited on 30 April
        rows[0] = {**rows[0], "date_depot": D(2026, 4, 30)}
    elif change == "date":            # --date: the title block's run date
        as_of = D(2026, 5, 1)
    else:
        params = replace(DEFAULT_PARAMS, nom_syndicat="Syndicat renommé")
    second = _deposit(tmp_path, "b", rows=rows, as_of=as_of, params=params, previous=first)
    assert writes.count == 2 and second.read_bytes() != first.read_bytes()
    wb = load_workbook(second)
    if change == "heures":
        assert (_hours_of(first, 8), _hours_of(second, 8)) == (2.0, 1.5)
    elif change == "depot":
        _h, done = _table(wb[SHEET_DONE], DONE_COLUMNS)
        assert ("Dépôt du 30 avril 2026", None) in [(r["Matricule"], r["Ligne"]) for r in done]
        _h, todo = _table(wb[SHEET_TODO], COLUMNS)
        assert 2 not in [r["Ligne"] for r in todo]
    elif change == "date":
        assert wb[SHEET_TODO].cell(4, 4).value == "1er mai 2026"
        assert load_workbook(first)[SHEET_TODO].cell(4, 4).value == "30 avril 2026"
    else:
        assert wb[SHEET_TODO].cell(1, 1).value == "Syndicat renommé"
        assert "Syndicat renommé" in wb[SHEET_DONE].oddFooter.left.text


def _resave(path):
    wb = load_workbook(path)
    wb[SHEET_TODO].cell(HEADER_ROW + 1, 5).value = 99.0   # an edit in the output, then saved
    wb.save(path)


def _damage(path):
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet2.xml")
    at = info.header_offset + 30 + len(info.filename) + 40     # inside the part's compressed bytes
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def _other_digest(path):
    import shutil

    tmp = path.with_name("x.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/custom.xml":
                text = data.decode("utf-8")
                at = text.index("<vt:lpwstr>") + len("<vt:lpwstr>")
                data = (text[:at] + "0" * 64 + text[at + 64:]).encode("utf-8")
            dst.writestr(info, data)
    shutil.move(tmp, path)


@pytest.mark.parametrize("how", ["absent", "lien", "illisible", "reenregistre", "abime", "sans-empreinte",
                                 "autre-empreinte"])
def test_a_missing_or_tampered_previous_deposit_is_not_copied(tmp_path, writes, how):
    first = _deposit(tmp_path, "a")
    previous = tmp_path / "precedent" / "depot-employeur.xlsx"
    previous.parent.mkdir()
    if how == "lien":
        previous.symlink_to(first)
    elif how == "illisible":
        previous.write_bytes(b"PK\x03\x04 pas un classeur")
    elif how == "sans-empreinte":     # a deposit written before digests existed
        wb_ctx = context_for(tmp_path / "s", ROWS, as_of=AS_OF, members=MEMBERS)
        import syndic_batch.write.deposit as deposit

        real = deposit.Properties
        deposit.Properties = lambda **kw: real(**{**kw, "custom": {}})
        try:
            write_deposit(wb_ctx, previous)
        finally:
            deposit.Properties = real
        assert "custom.xml" not in " ".join(zipfile.ZipFile(previous).namelist())
    elif how != "absent":
        previous.write_bytes(first.read_bytes())
        {"reenregistre": _resave, "abime": _damage, "autre-empreinte": _other_digest}[how](previous)
    count = writes.count
    second = _deposit(tmp_path, "b", previous=previous)
    assert writes.count == count + 1
    assert _shown(second) == _shown(first)           # written afresh: the true figures
    assert _hours_of(second, 8) == 2.0
    assert [p.name for p in second.parent.iterdir()] == ["depot-employeur.xlsx"]


def test_monthly_rerun_copies_the_deposit_and_findings_workbook_then_a_new_date_rewrites(tmp_path, monkeypatch):
    """Through the pipeline: OUT's deposit and constats.xlsx are the previous run's."""
    import syndic_batch.write.constats_xlsx as constats_module
    import syndic_batch.write.deposit as deposit_module
    from builders import inbox
    from syndic_batch.pipeline import run

    root = inbox(tmp_path, ROWS, members=MEMBERS)
    out = tmp_path / "sortie"
    run(root, out, AS_OF)
    before = {n: (out / n).read_bytes() for n in ("depot-employeur.xlsx", "constats.xlsx")}

    def refuse(*_a, **_kw):
        raise AssertionError("réécrit au lieu d'être copié")

    with monkeypatch.context() as m:          # the second run may not write either workbook
        m.setattr(deposit_module, "Workbook", refuse)
        m.setattr(constats_module, "Workbook", refuse)
        second = run(root, out, AS_OF)
    for name, data in before.items():
        assert (out / name).read_bytes() == data
        assert (second.historique / name).read_bytes() == data
    third = run(root, out, D(2026, 5, 1))       # a new --date: the deposit shows it
    assert load_workbook(out / "depot-employeur.xlsx")[SHEET_TODO].cell(4, 4).value == "1er mai 2026"
    assert (out / "depot-employeur.xlsx").read_bytes() != before["depot-employeur.xlsx"]
    assert third.historique is not None

"""The monthly cycle end to end (issue 8, « Done when »), through the command line.

Two runs into one folder, with an adopted row's hours edited, a deposited row edited, an
adopted row deleted and a new month added in between: only the second run's outputs at
the top level, the first run's under historique/, a changements.json listing exactly
those changes, the three findings on the right rows, a CE report that says so, and a
third run killed before its swap that changes nothing.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from builders import D, form, top, tree, write_forms, write_register

ROOT = Path(__file__).resolve().parent.parent
MONTH1 = "formulaires-2026-03.xlsx"
MONTH2 = "formulaires-2026-04.xlsx"

HOURS_EDITED = form()  # 1001, adopted on 10 March: its hours go from 3,5 h to 5 h
DEPOSITED = form(matricule="1002", nom="Benoît Gagnon", date_activite=D(2026, 3, 3), categorie="Représentation",
                 description="Table régionale", heures_demandees=4.0, date_depot=D(2026, 3, 13))
DELETED = form(matricule="1003", nom="Chloé Roy", date_activite=D(2026, 3, 4), categorie="Formation syndicale",
               description="Formation des délégués", heures_demandees=2.0)
UNDECIDED = form(matricule="1004", nom="David Côté", date_activite=D(2026, 3, 5), categorie="Représentation",
                 description="Rencontre patronale", heures_demandees=6.0, decision_ce=None, date_decision=None)
UNCHANGED = form(matricule="1005", nom="Élise Bouchard", date_activite=D(2026, 3, 6),
                 categorie="Comité (préparation ou rencontre)", description="Comité des finances",
                 heures_demandees=3.0)
APRIL = [form(date_activite=D(2026, 4, 1), date_reception=D(2026, 4, 2), description="Réunion d'avril",
              decision_ce=None, date_decision=None),
         form(matricule="1005", nom="Élise Bouchard", date_activite=D(2026, 4, 3), date_reception=D(2026, 4, 6),
              categorie="Comité (préparation ou rencontre)", description="Comité des finances",
              heures_demandees=2.5, decision_ce=None, date_decision=None)]


def cli(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore", **(env or {}))
    return subprocess.run([sys.executable, "-m", "syndic_batch", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, **kw)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    base = tmp_path_factory.mktemp("cycle")
    inbox, out = base / "boite", base / "sortie"
    write_register(inbox / "registre.xlsx")
    write_forms(inbox / MONTH1, [HOURS_EDITED, DEPOSITED, DELETED, UNDECIDED, UNCHANGED])
    first = cli("run", str(inbox), "--out", str(out), "--date", "2026-03-31")
    assert first.returncode == 0, first.stderr
    first_outputs = tree(out)

    # Between the runs: the rows re-sorted, one adopted row's hours edited, the deposited
    # row's date edited, an adopted row deleted, and April's workbook added.
    write_forms(inbox / MONTH1, [UNCHANGED, UNDECIDED, {**DEPOSITED, "date_activite": D(2026, 3, 5)},
                                 {**HOURS_EDITED, "heures_demandees": 5.0}])
    write_forms(inbox / MONTH2, APRIL)
    second = cli("run", str(inbox), "--out", str(out), "--date", "2026-04-30")
    return inbox, out, first, first_outputs, second


def test_only_the_second_runs_outputs_at_the_top_and_the_first_under_historique(cycle):
    inbox, out, _first, first_outputs, second = cycle
    assert second.returncode == 1, second.stderr  # modifiee-apres-depot is an erreur
    assert top(out) == {"annotes", "changements.json", "constats.json", "constats.xlsx", "depot-employeur.xlsx",
                        "rapports", "releves", "historique", "journal.sqlite"}
    assert sorted(p.name for p in (out / "annotes").iterdir()) == [MONTH1, MONTH2, "registre.xlsx"]
    (snapshot,) = list((out / "historique").iterdir())
    assert snapshot.name[:10].count("-") == 2 and len(snapshot.name) == 17  # AAAA-MM-JJ_HHMMSS
    moved = tree(snapshot)
    assert moved == {k: v for k, v in first_outputs.items()
                     if not k.startswith(("journal.sqlite", ".syndic-batch"))}
    assert sorted(p.name for p in (snapshot / "annotes").iterdir()) == [MONTH1, "registre.xlsx"]
    assert json.loads((snapshot / "changements.json").read_text(encoding="utf-8")) == []
    assert not [p for p in out.iterdir() if p.name.startswith(".syndic-batch-")]
    assert not list(out.glob("journal.sqlite-*"))  # rollback journal: no -wal, no -journal left
    assert "Depuis le traitement du" in second.stdout


def test_changements_json_lists_exactly_those_changes(cycle):
    _inbox, out, _first, _fo, _second = cycle
    changes = json.loads((out / "changements.json").read_text(encoding="utf-8"))
    (previous_run,) = {c.pop("previous_run") for c in changes}
    assert previous_run[:10] == time.strftime("%Y-%m-%d") and "T" in previous_run
    money = ("matricule", "date_activite", "categorie", "heures_demandees", "heures_accordees", "decision_ce",
             "date_decision", "date_depot")
    assert changes == [
        {"kind": "modifiee", "file": MONTH1, "sheet": "Formulaires", "row": 5, "matricule": "1001",
         "date": "2026-03-02", "field": "heures_demandees", "before": 3.5, "after": 5.0},
        {"kind": "ajoutee", "file": MONTH2, "sheet": "Formulaires", "row": 2, "matricule": "1001",
         "date": "2026-04-01", "field": None, "before": None,
         "after": dict(zip(money, ("1001", "2026-04-01", "Réunion du Conseil exécutif", 3.5, None, None, None,
                                   None)))},
        {"kind": "modifiee", "file": MONTH1, "sheet": "Formulaires", "row": 4, "matricule": "1002",
         "date": "2026-03-05", "field": "date_activite", "before": "2026-03-03", "after": "2026-03-05"},
        {"kind": "supprimee", "file": MONTH1, "sheet": "Formulaires", "row": 4, "matricule": "1003",
         "date": "2026-03-04", "field": None,
         "before": dict(zip(money, ("1003", "2026-03-04", "Formation syndicale", 2.0, None, "Adoptée",
                                    "2026-03-10", None))),
         "after": None},
        {"kind": "ajoutee", "file": MONTH2, "sheet": "Formulaires", "row": 3, "matricule": "1005",
         "date": "2026-04-03", "field": None, "before": None,
         "after": dict(zip(money, ("1005", "2026-04-03", "Comité (préparation ou rencontre)", 2.5, None, None,
                                   None, None)))},
    ]


def test_the_three_findings_on_the_right_rows(cycle):
    _inbox, out, _first, _fo, _second = cycle
    findings = json.loads((out / "constats.json").read_text(encoding="utf-8"))
    after = [f for f in findings if f["rule"].startswith(("modifiee-apres", "supprimee-apres"))]
    assert [(f["rule"], f["severity"], f["file"], f["sheet"], f["row"], f["column"]) for f in after] == [
        ("supprimee-apres-adoption", "avertissement", MONTH1, None, None, None),
        ("modifiee-apres-depot", "erreur", MONTH1, "Formulaires", 4, "Date de l'activité"),
        ("modifiee-apres-adoption", "avertissement", MONTH1, "Formulaires", 5, "Heures demandées"),
    ]
    deleted, deposited, edited = (f["message"] for f in after)
    assert "Chloé Roy (1003)" in deleted and "Formation syndicale du 4 mars 2026, 2 h" in deleted
    assert "ligne 4 de « formulaires-2026-03.xlsx »" in deleted and "au traitement du " in deleted
    assert "déposée à l'Employeur le 13 mars 2026" in deposited
    assert "Date de l'activité : 3 mars 2026 → 5 mars 2026" in deposited
    assert "Heures demandées : 3,5 h → 5 h" in edited
    # the first run had none of them
    (snapshot,) = list((out / "historique").iterdir())
    first = json.loads((snapshot / "constats.json").read_text(encoding="utf-8"))
    assert not [f for f in first if "apres" in f["rule"]]


def test_the_findings_are_in_the_annotated_copy(cycle):
    _inbox, out, _first, _fo, _second = cycle
    wb = openpyxl.load_workbook(out / "annotes" / MONTH1)
    ws = wb["Formulaires"]
    headers = {c.value: c.column_letter for c in ws[1]}
    hours = ws[f"{headers['Heures demandées']}5"]
    assert hours.value == 5 and "[AVERTISSEMENT]" in hours.comment.text
    assert "Heures demandées : 3,5 h → 5 h" in hours.comment.text
    date = ws[headers["Date de l'activité"] + "4"]
    assert "[ERREUR]" in date.comment.text and "3 mars 2026 → 5 mars 2026" in date.comment.text
    listed = [r for r in wb[wb.sheetnames[-1]].iter_rows(values_only=True)]
    assert any("Chloé Roy (1003)" in str(v) for r in listed for v in r)
    # a row that did not change draws none of them
    assert ws[f"{headers['Heures demandées']}2"].comment is None


def test_the_ce_report_says_what_changed(cycle):
    _inbox, out, _first, _fo, _second = cycle
    html = (out / "rapports" / "ce.html").read_text(encoding="utf-8")
    section = html[html.index('id="t-changements"'):html.index('id="t-sommaire"')]
    assert "Depuis le traitement du " in section
    assert "2 lignes ajoutées, 1 ligne supprimée, 2 lignes modifiées, 0 décision prise ou changée" in section
    assert "Heures demandées : 3,5 h → 5 h" in section
    assert "Date de l&#39;activité : 3 mars 2026 → 5 mars 2026" in section
    assert "Supprimée" in section and "Chloé Roy" in section
    for rule_text in ("Ligne adoptée par le CE, modifiée ensuite", "a été modifiée ensuite",
                      "La libération adoptée de Chloé Roy (1003)"):
        assert rule_text in section, rule_text
    # grouped by member: Amélie Tremblay's two lines under one heading, before Benoît Gagnon's
    headings = re.findall(r'<h3 id="chg-\d+">([^<]*)<span class="source">\(([^)]*)\)', section)
    assert headings == [("Amélie Tremblay ", "1001"), ("Benoît Gagnon ", "1002"), ("Chloé Roy ", "1003"),
                        ("Élise Bouchard ", "1005")]
    amelie = section[section.index("Amélie Tremblay"):section.index("Benoît Gagnon")]
    assert amelie.count("<tr><th scope=\"row\">") == 2  # the edited row and April's new row
    (snapshot,) = list((out / "historique").iterdir())
    first = (snapshot / "rapports" / "ce.html").read_text(encoding="utf-8")
    assert "Premier traitement enregistré dans ce dossier" in first


def test_a_killed_third_run_changes_nothing(cycle):
    inbox, out, _first, _fo, _second = cycle
    before = tree(out)
    write_forms(inbox / "formulaires-2026-05.xlsx", [form(date_activite=D(2026, 5, 4),
                                                         date_reception=D(2026, 5, 5))])
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore",
               SYNDIC_BATCH_TEST_PAUSE_AVANT_BASCULE="30")
    proc = subprocess.Popen([sys.executable, "-m", "syndic_batch", "run", str(inbox), "--out", str(out),
                             "--date", "2026-05-31"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        staging = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait until it has written everything into its staging folder
            found = [p for p in out.glob(".syndic-batch-en-cours-*") if (p / "rapports" / "ce.html").exists()]
            if found:
                staging = found[0]
                break
            time.sleep(0.1)
        assert staging is not None, proc.stderr.read() if proc.poll() is not None else "no staging"
        time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    after = tree(out)
    leftovers = {k for k in after if k.startswith(".syndic-batch-en-cours-")}
    assert leftovers  # the killed run's staging folder is still there…
    assert {k: v for k, v in after.items() if k not in leftovers} == before  # …and nothing else moved
    # the next run removes the leftovers and knows nothing of the killed one
    again = cli("run", str(inbox), "--out", str(out), "--date", "2026-05-31")
    assert again.returncode == 1, again.stderr
    assert not list(out.glob(".syndic-batch-en-cours-*"))
    assert len(list((out / "historique").iterdir())) == 2
    changes = json.loads((out / "changements.json").read_text(encoding="utf-8"))
    assert [(c["kind"], c["file"]) for c in changes] == [("ajoutee", "formulaires-2026-05.xlsx")]
    # the edited rows are still flagged against the state adopted / deposited (first run),
    # the deleted row was flagged once, by the run that saw it go (kept under historique/)
    findings = json.loads((out / "constats.json").read_text(encoding="utf-8"))
    assert sorted((f["rule"], f["row"]) for f in findings if "apres" in f["rule"]) == [
        ("modifiee-apres-adoption", 5), ("modifiee-apres-depot", 4)]


def test_the_examples_second_month(tmp_path, capsys):
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import build_cycle
    finally:
        sys.path.remove(str(ROOT / "examples"))
    assert build_cycle.main([str(tmp_path / "cycle")]) == 1
    out = tmp_path / "cycle" / "sortie"
    findings = json.loads((out / "constats.json").read_text(encoding="utf-8"))
    assert sorted((f["rule"], f["file"], f["row"], f["column"]) for f in findings if "apres" in f["rule"]) == [
        ("modifiee-apres-adoption", "formulaires/2026-11.xlsx", 28, "Heures demandées *"),  # as written
        ("modifiee-apres-depot", "formulaires/2026-09.xlsx", 8, "Heures demandées *"),
        ("supprimee-apres-adoption", "formulaires/2026-11.xlsx", None, None)]
    changes = json.loads((out / "changements.json").read_text(encoding="utf-8"))
    assert sorted((c["kind"], c["file"], c["field"]) for c in changes) == [
        ("modifiee", "formulaires/2026-09.xlsx", "heures_demandees"),
        ("modifiee", "formulaires/2026-11.xlsx", "heures_demandees"),
        ("supprimee", "formulaires/2026-11.xlsx", None)]
    first, second = sorted((out / "historique").iterdir())
    month = json.loads((second / "changements.json").read_text(encoding="utf-8"))
    assert {c["kind"] for c in month} == {"ajoutee", "decision"}
    assert sum(c["kind"] == "ajoutee" for c in month) == 3
    assert "Premier traitement" in (first / "rapports" / "ce.html").read_text(encoding="utf-8")
    assert "3. Traitement du 2026-12-15" in capsys.readouterr().out

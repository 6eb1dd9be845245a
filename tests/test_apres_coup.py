"""Changes after the fact (rules/apres_coup.py): each fires on its case and stays silent
on a clean row, with the old and new values and the run that saw the earlier state."""
from __future__ import annotations

import json

from builders import D, form, inbox, write_forms
from syndic_batch.pipeline import run

AFTER = ("modifiee-apres-adoption", "modifiee-apres-depot", "supprimee-apres-adoption")
NAME = "formulaires-2026-03.xlsx"
ADOPTED = form()
DEPOSITED = form(matricule="1002", nom="Benoît Gagnon", date_activite=D(2026, 3, 3), heures_demandees=4.0,
                 date_depot=D(2026, 3, 13))
UNDECIDED = form(matricule="1003", nom="Chloé Roy", date_activite=D(2026, 3, 4), heures_demandees=2.0,
                 decision_ce=None, date_decision=None)
CLEAN = form(matricule="1004", nom="David Côté", date_activite=D(2026, 3, 5), heures_demandees=1.5)


def _after(result):
    return [(f.rule, f.severity, f.file, f.sheet, f.row, f.column, f.message) for f in result.findings
            if f.rule in AFTER]


def two_runs(tmp_path, first, second, as_of=D(2026, 3, 31)):
    root = inbox(tmp_path, first, name=NAME)
    out = tmp_path / "out"
    r1 = run(root, out, as_of)
    assert _after(r1) == []
    write_forms(root / NAME, second)
    return root, out, run(root, out, as_of)


def test_adopted_row_edited_is_an_avertissement_on_the_edited_cell(tmp_path):
    _, _, r = two_runs(tmp_path, [ADOPTED, UNDECIDED, CLEAN],
                       [{**ADOPTED, "categorie": "Représentation"}, {**UNDECIDED, "heures_demandees": 7.0},
                        CLEAN])
    (f,) = _after(r)
    assert f[:6] == ("modifiee-apres-adoption", "avertissement", NAME, "Formulaires", 2, "Catégorie")
    assert "Catégorie : Réunion du Conseil exécutif → Représentation" in f[6]
    assert "état adopté vu au traitement du " in f[6]
    # the undecided row may change: only changements.json says so
    changes = json.loads((tmp_path / "out" / "changements.json").read_text(encoding="utf-8"))
    assert [(c["kind"], c["matricule"], c["field"], c["before"], c["after"]) for c in changes] == [
        ("modifiee", "1001", "categorie", "Réunion du Conseil exécutif", "Représentation"),
        ("modifiee", "1003", "heures_demandees", 2.0, 7.0)]


def test_deposited_row_losing_its_deposit_date_or_refused_is_an_erreur(tmp_path):
    _, _, r = two_runs(tmp_path, [DEPOSITED, CLEAN, {**DEPOSITED, "matricule": "1005", "nom": "Élise Bouchard"}],
                       [{**DEPOSITED, "date_depot": None}, CLEAN,
                        {**DEPOSITED, "matricule": "1005", "nom": "Élise Bouchard", "decision_ce": "Refusée"}])
    got = sorted(_after(r), key=lambda f: f[4])
    assert [f[:6] for f in got] == [
        ("modifiee-apres-depot", "erreur", NAME, "Formulaires", 2, "Date du dépôt à l'Employeur"),
        ("modifiee-apres-depot", "erreur", NAME, "Formulaires", 4, "Décision du CE")]
    assert "n'a plus de date de dépôt" in got[0][6] and "13 mars 2026 → (vide)" in got[0][6]
    assert "Décision du CE : Adoptée → Refusée" in got[1][6]


def test_deleted_rows_are_flagged_on_the_file(tmp_path):
    _, _, r = two_runs(tmp_path, [ADOPTED, DEPOSITED, UNDECIDED, CLEAN], [CLEAN])
    got = sorted(_after(r), key=lambda f: f[0])
    assert [f[:6] for f in got] == [
        ("modifiee-apres-depot", "erreur", NAME, None, None, None),
        ("supprimee-apres-adoption", "avertissement", NAME, None, None, None)]
    assert "Benoît Gagnon (1002)" in got[0][6] and "déposée à l'Employeur le 13 mars 2026" in got[0][6]
    assert "Amélie Tremblay (1001), Réunion du Conseil exécutif du 2 mars 2026, 3,5 h" in got[1][6]
    assert "feuille « Formulaires », ligne 2" in got[1][6]
    # the undecided row disappeared silently (changements.json has it)


def test_unchanged_restored_or_decided_again_is_silent(tmp_path):
    root, out, r = two_runs(tmp_path, [ADOPTED, CLEAN], [{**ADOPTED, "heures_demandees": 5.0}, CLEAN])
    assert [f[0] for f in _after(r)] == ["modifiee-apres-adoption"]
    # the finding stays while the value differs from the adopted one …
    assert [f[0] for f in _after(run(root, out, D(2026, 3, 31)))] == ["modifiee-apres-adoption"]
    # … and goes when the CE adopts the change at a later meeting (a new decision date)
    write_forms(root / NAME, [{**ADOPTED, "heures_demandees": 5.0, "date_decision": D(2026, 4, 14)}, CLEAN])
    assert _after(run(root, out, D(2026, 4, 30))) == []
    # restoring the value adopted is silent too
    write_forms(root / NAME, [{**ADOPTED, "date_decision": D(2026, 4, 14), "heures_demandees": 4.0}, CLEAN])
    assert [f[0] for f in _after(run(root, out, D(2026, 4, 30)))] == ["modifiee-apres-adoption"]
    write_forms(root / NAME, [{**ADOPTED, "date_decision": D(2026, 4, 14), "heures_demandees": 5.0}, CLEAN])
    assert _after(run(root, out, D(2026, 4, 30))) == []


def test_decisions_taken_are_kind_decision(tmp_path):
    _, out, r = two_runs(tmp_path, [UNDECIDED],
                         [{**UNDECIDED, "decision_ce": "Adoptée", "date_decision": D(2026, 3, 10),
                           "heures_accordees": 1.5}])
    assert _after(r) == []
    changes = json.loads((out / "changements.json").read_text(encoding="utf-8"))
    assert [(c["kind"], c["field"], c["before"], c["after"]) for c in changes] == [
        ("decision", "heures_accordees", None, 1.5),
        ("decision", "decision_ce", None, "Adoptée"),
        ("decision", "date_decision", None, "2026-03-10")]
    html = (out / "rapports" / "ce.html").read_text(encoding="utf-8")
    assert "Décision du CE : (vide) → Adoptée" in html and "<th scope=\"row\">Décision</th>" in html

"""The journal: schema and migrations, what a run records, row identity across runs."""
from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest

from builders import D, form, inbox, write_forms
from syndic_batch import __version__, cli
from syndic_batch.journal import Journal, JournalError
from syndic_batch.journal.rows import pair_rows
from syndic_batch.journal.schema import SCHEMA_VERSION
from syndic_batch.pipeline import run

NAME = "formulaires-2026-03.xlsx"
ROWS = [form(),
        form(matricule="1002", nom="Benoît Gagnon", date_activite=D(2026, 3, 3), heures_demandees=4.0,
             date_depot=D(2026, 3, 13)),
        form(matricule="1003", nom="Chloé Roy", date_activite=D(2026, 3, 4), heures_demandees=2.0,
             decision_ce=None, date_decision=None),
        form(matricule="1004", nom="David Côté", date_activite=D(2026, 3, 5), heures_demandees=1.5)]


def write_v1_journal(path, out_dir: str) -> None:
    """A journal as the first schema (version 1) wrote it, with one run: kept here as it
    shipped, so that the migrations are tested against the real first version."""
    con = sqlite3.connect(path)
    con.executescript("""
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version VALUES (1);
    CREATE TABLE runs (id INTEGER PRIMARY KEY, jeton TEXT NOT NULL UNIQUE, out_dir TEXT NOT NULL,
        started TEXT NOT NULL, finished TEXT, as_of TEXT NOT NULL, tool_version TEXT NOT NULL,
        params_hash TEXT NOT NULL, status TEXT NOT NULL);
    CREATE INDEX runs_by_out ON runs (out_dir, status, id);
    CREATE TABLE inputs (run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (run_id, path));
    CREATE TABLE rows (run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        identity TEXT NOT NULL, file TEXT NOT NULL, sheet TEXT NOT NULL, row INTEGER NOT NULL,
        matricule TEXT, date_activite TEXT, categorie TEXT, heures_demandees REAL, heures_accordees REAL,
        decision TEXT, date_decision TEXT, date_depot TEXT, date_reception TEXT, libelle TEXT,
        etat TEXT NOT NULL);
    CREATE INDEX rows_by_run ON rows (run_id);
    """)
    con.execute("INSERT INTO runs VALUES (1, 'v1run', ?, '2026-03-31T09:15:00-04:00', "
                "'2026-03-31T09:15:30-04:00', '2026-03-31', '0.1.0', 'abc', 'terminee')", (out_dir,))
    con.execute("INSERT INTO inputs VALUES (1, ?, 100, 'deadbeef')", (NAME,))
    rows = [("id-1", NAME, "Formulaires", 2, "1001", "2026-03-02", "Réunion du Conseil exécutif", 3.5, None,
             "Adoptée", "2026-03-10", None, "2026-03-05", "Réunion régulière", "adoptee"),
            ("id-2", NAME, "Formulaires", 3, "1002", "2026-03-03", "Réunion du Conseil exécutif", 4.0, None,
             "Adoptée", "2026-03-10", "2026-03-13", "2026-03-05", "Réunion régulière", "adoptee")]
    con.executemany("INSERT INTO rows VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.commit()
    con.close()


def test_a_version_1_journal_is_migrated_and_its_run_is_the_previous_one(tmp_path):
    root = inbox(tmp_path, [{**ROWS[0], "heures_demandees": 5.0}, ROWS[1]], name=NAME)
    out = tmp_path / "out"
    out.mkdir()
    write_v1_journal(out / "journal.sqlite", str(out.resolve()))
    with Journal(out / "journal.sqlite") as jr:
        assert jr.version() == SCHEMA_VERSION == 3
        prev = jr.previous(str(out.resolve()))
        assert not prev.trusted  # no stored hashes: the rows are loaded and hashed now
        assert prev.started == "2026-03-31T09:15:00-04:00" and list(prev.rows["identity"]) == ["id-1", "id-2"]
        # the reference dates version 1 did not keep are the run's
        assert list(prev.rows["adoptee_depuis"]) == ["2026-03-31T09:15:00-04:00"] * 2
        assert list(prev.rows["deposee_depuis"]) == [None, "2026-03-31T09:15:00-04:00"]
        assert prev.inputs[NAME]["findings_hash"] is None
    r = run(root, out, D(2026, 3, 31))
    assert r.changes.previous.jeton == "v1run"
    assert [(c.field, c.before, c.after) for c in r.changes.modified] == [("heures_demandees", 3.5, 5.0)]
    (f,) = [f for f in r.findings if f.rule == "modifiee-apres-adoption"]
    assert "traitement du 31 mars 2026 à 9 h 15" in f.message
    con = sqlite3.connect(out / "journal.sqlite")
    assert con.execute("SELECT version FROM schema_version").fetchall() == [(3,)]
    assert con.execute("SELECT identity FROM run_rows WHERE run_id = 2 ORDER BY row").fetchall() == [
        ("id-1",), ("id-2",)]
    assert con.execute("SELECT identity, heures_demandees FROM run_rows WHERE run_id = 1 ORDER BY row").fetchall() == [
        ("id-1", 3.5), ("id-2", 4.0)]


def test_a_run_records_its_inputs_and_rows_in_a_rollback_journal(tmp_path):
    root = inbox(tmp_path, ROWS, name=NAME)
    out = tmp_path / "out"
    run(root, out, D(2026, 3, 31))
    path = out / "journal.sqlite"
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    (r,) = con.execute("SELECT out_dir, as_of, tool_version, status, length(params_hash), started <= finished "
                       "FROM runs").fetchall()
    assert r == (str(out.resolve()), "2026-03-31", __version__, "terminee", 64, 1)
    inputs = con.execute("SELECT path, size, length(sha256), findings_hash IS NOT NULL FROM inputs "
                         "ORDER BY path").fetchall()
    assert inputs == [(NAME, (root / NAME).stat().st_size, 64, 1),
                      ("registre.xlsx", (root / "registre.xlsx").stat().st_size, 64, 1)]
    rows = con.execute("SELECT file, row, matricule, date_activite, categorie, heures_demandees, heures_accordees, "
                       "decision, date_decision, date_depot, etat, adoptee_depuis IS NOT NULL, "
                       "deposee_depuis IS NOT NULL FROM rows ORDER BY row").fetchall()
    assert rows[1] == (NAME, 3, "1002", "2026-03-03", "Réunion du Conseil exécutif", 4.0, None, "Adoptée",
                       "2026-03-10", "2026-03-13", "adoptee", 1, 1)
    assert rows[2][6:] == (None, None, None, None, "non-decidee", 0, 0)
    con.close()
    assert sorted(p.name for p in out.iterdir() if "journal" in p.name) == ["journal.sqlite"]


def test_a_journal_elsewhere_serves_several_output_folders(tmp_path):
    root = inbox(tmp_path, ROWS, name=NAME)
    journal = tmp_path / "commun" / "journal.sqlite"
    r1 = run(root, tmp_path / "a", D(2026, 3, 31), journal=journal)
    r2 = run(root, tmp_path / "b", D(2026, 3, 31), journal=journal)
    assert r1.changes.first_run and r2.changes.first_run  # each folder has its own previous run
    assert not (tmp_path / "a" / "journal.sqlite").exists()
    write_forms(root / NAME, ROWS[:3])
    r3 = run(root, tmp_path / "a", D(2026, 3, 31), journal=journal)
    assert [tuple(r3.changes.previous.rows.loc[i, ["matricule"]]) for i in r3.changes.removed] == [("1004",)]
    with Journal(journal) as jr:
        assert [r["out_dir"] for r in jr.runs()] == [str((tmp_path / d).resolve()) for d in "aba"]


def test_a_journal_that_cannot_be_used_is_a_french_error(tmp_path, capsys):
    root = inbox(tmp_path, ROWS, name=NAME)
    bad = tmp_path / "pas-un-journal.sqlite"
    bad.write_bytes(b"ceci n'est pas une base SQLite" * 100)
    code = cli.main(["run", str(root), "--out", str(tmp_path / "o"), "--journal", str(bad)])
    err = capsys.readouterr().err
    assert code == 2 and "Le journal « " in err and "est illisible" in err and "Traceback" not in err
    newer = tmp_path / "futur.sqlite"
    con = sqlite3.connect(newer)
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES (99)")
    con.commit()
    con.close()
    with pytest.raises(JournalError, match="version plus récente"):
        Journal(newer)
    assert not (tmp_path / "o" / "constats.json").exists()


def _frame(rows):
    cols = ["file", "sheet", "row", "matricule", "date_activite", "categorie", "heures_demandees",
            "heures_accordees", "decision", "date_decision", "date_depot", "date_reception", "libelle", "etat"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)


def _row(file, row, mat, date, cat="Comité", hours=3.0, reception="2026-03-05", libelle="Réunion", etat="adoptee"):
    return (file, "F", row, mat, date, cat, hours, None, "Adoptée" if etat == "adoptee" else None,
            "2026-03-10" if etat == "adoptee" else None, None, reception, libelle, etat)


def test_identity_survives_sorting_inserting_and_renaming():
    prev = _frame([_row("a.xlsx", 2, "1", "2026-03-02"), _row("a.xlsx", 3, "2", "2026-03-02"),
                   _row("a.xlsx", 4, "1", "2026-03-02"),  # the same key twice
                   _row("a.xlsx", 5, "3", "2026-03-04")])
    cur = _frame([_row("b.xlsx", 2, "3", "2026-03-04"), _row("b.xlsx", 3, "9", "2026-03-09"),  # inserted
                  _row("b.xlsx", 4, "1", "2026-03-02"), _row("b.xlsx", 5, "2", "2026-03-02"),
                  _row("b.xlsx", 6, "1", "2026-03-02")])
    pairs = pair_rows(prev, cur)
    assert sorted(zip(pairs["prev"], pairs["cur"])) == [(0, 2), (1, 3), (2, 4), (3, 0)]


def test_an_edited_date_or_category_is_a_modification_not_removed_and_added():
    prev = _frame([_row("a.xlsx", 2, "1", "2026-03-02"), _row("a.xlsx", 3, "1", "2026-03-09", cat="Représentation"),
                   _row("a.xlsx", 4, "2", "2026-03-02")])
    cur = _frame([_row("a.xlsx", 2, "1", "2026-03-03"),                               # date corrected
                  _row("a.xlsx", 3, "1", "2026-03-09", cat="Formation", hours=4.0),  # category and hours
                  _row("a.xlsx", 4, "5", "2026-03-02"),                               # member corrected
                  _row("c.xlsx", 2, "1", "2026-04-01", reception="2026-04-02", libelle="Autre")])  # new
    pairs = pair_rows(prev, cur)
    assert sorted(zip(pairs["prev"], pairs["cur"])) == [(0, 0), (1, 1), (2, 2)]
    # a row of the same member in a new month is not taken for an edit of an old one
    prev2 = _frame([_row("a.xlsx", 2, "1", "2026-03-02")])
    cur2 = _frame([_row("b.xlsx", 2, "1", "2026-04-06", reception="2026-04-07")])
    assert pair_rows(prev2, cur2).empty


def test_changements_json_on_a_first_run_is_an_empty_list(tmp_path):
    root = inbox(tmp_path, ROWS, name=NAME)
    run(root, tmp_path / "out", D(2026, 3, 31))
    assert json.loads((tmp_path / "out" / "changements.json").read_text(encoding="utf-8")) == []


def _count(path, sql="SELECT count(*) FROM rows"):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_unchanged_rows_are_kept_not_written_again_and_each_run_keeps_its_rows(tmp_path):
    root = inbox(tmp_path, ROWS, name=NAME)
    out = tmp_path / "out"
    path = out / "journal.sqlite"
    run(root, out, D(2026, 3, 31))
    assert _count(path) == 4
    r2 = run(root, out, D(2026, 3, 31))
    assert r2.changes.previous.trusted and len(r2.changes.carried) == 4 and len(r2.changes.insert) == 0
    assert _count(path) == 4  # nothing changed: no row state written
    write_forms(root / NAME, [*ROWS[:2], {**ROWS[2], "heures_demandees": 6.0}, ROWS[3]])  # not decided yet
    r3 = run(root, out, D(2026, 3, 31))
    assert [(c.field, c.before, c.after) for c in r3.changes.modified] == [("heures_demandees", 2.0, 6.0)]
    assert _count(path) == 5 and _count(path, "SELECT count(*) FROM rows WHERE jusqu_a IS NOT NULL") == 1
    with Journal(path) as jr:
        runs = [r["id"] for r in jr.runs()]
        by_run = {i: jr.run_rows(i).sort_values("row") for i in runs}
    assert [list(by_run[i]["heures_demandees"]) for i in runs] == [[3.5, 4.0, 2.0, 1.5], [3.5, 4.0, 2.0, 1.5],
                                                                   [3.5, 4.0, 6.0, 1.5]]
    assert len({tuple(f["identity"]) for f in by_run.values()}) == 1  # the edited row kept its identity
    # the fourth run reads the third's states
    r4 = run(root, out, D(2026, 3, 31))
    assert not r4.changes.modified and len(r4.changes.carried) == 4


def test_a_row_inserted_above_moves_the_others_without_changing_them(tmp_path):
    root = inbox(tmp_path, ROWS, name=NAME)
    out = tmp_path / "out"
    run(root, out, D(2026, 3, 31))
    new = form(matricule="1005", nom="Élise Bouchard", date_activite=D(2026, 3, 6), heures_demandees=2.5)
    write_forms(root / NAME, [new, *ROWS])
    r = run(root, out, D(2026, 3, 31))
    assert r.changes.added == [0] and not r.changes.removed and not r.changes.modified
    # the four moved rows are written again (their row number changed), with their identity
    assert sorted(r.changes.insert) == [0, 1, 2, 3, 4] and not len(r.changes.carried)
    with Journal(out / "journal.sqlite") as jr:
        first, second = (jr.run_rows(i) for i in (1, 2))
    assert (dict(zip(first["identity"], first["row"] + 1))
            == {k: v for k, v in zip(second["identity"], second["row"]) if v > 2})


def test_stored_hashes_that_do_not_match_are_not_trusted(tmp_path):
    root = inbox(tmp_path, ROWS, name=NAME)
    out = tmp_path / "out"
    run(root, out, D(2026, 3, 31))
    con = sqlite3.connect(out / "journal.sqlite")
    con.execute("UPDATE rows SET cle = cle + 1, empreinte = empreinte + 1")
    con.execute("UPDATE runs SET etats = NULL")
    con.commit()
    con.close()
    write_forms(root / NAME, [ROWS[0], {**ROWS[1], "heures_demandees": 6.0}, *ROWS[2:]])
    r = run(root, out, D(2026, 3, 31))
    assert not r.changes.previous.trusted  # paired on the stored values, every row written again
    assert not r.changes.added and not r.changes.removed
    assert [(c.field, c.before, c.after) for c in r.changes.modified] == [("heures_demandees", 4.0, 6.0)]
    assert len(r.changes.insert) == 4
    assert run(root, out, D(2026, 3, 31)).changes.previous.trusted


def write_v2_journal(path, out_dir: str) -> None:
    """A journal as schema version 2 wrote it (version 1 + the columns version 2 added,
    as shipped), whose one run had seen row id-1 adopted with 3.5 h and then edited to 5 h."""
    write_v1_journal(path, out_dir)
    con = sqlite3.connect(path)
    con.executescript("""
    ALTER TABLE inputs ADD COLUMN findings_hash TEXT;
    ALTER TABLE inputs ADD COLUMN writing_findings TEXT;
    ALTER TABLE rows ADD COLUMN adoptee_depuis TEXT;
    ALTER TABLE rows ADD COLUMN etat_adopte TEXT;
    ALTER TABLE rows ADD COLUMN deposee_depuis TEXT;
    ALTER TABLE rows ADD COLUMN etat_depose TEXT;
    UPDATE schema_version SET version = 2;
    """)
    adopted = {"matricule": "1001", "date_activite": "2026-03-02", "categorie": "Réunion du Conseil exécutif",
               "heures_demandees": 3.5, "heures_accordees": None, "decision": "Adoptée",
               "date_decision": "2026-03-10", "date_depot": None, "etat": "adoptee"}
    con.execute("UPDATE rows SET heures_demandees = 5.0, adoptee_depuis = '2026-03-15T08:00:00-04:00', "
                "etat_adopte = ? WHERE identity = 'id-1'", (json.dumps(adopted, ensure_ascii=False),))
    con.execute("UPDATE rows SET adoptee_depuis = '2026-03-15T08:00:00-04:00', "
                "deposee_depuis = '2026-03-31T09:15:00-04:00' WHERE identity = 'id-2'")
    con.commit()
    con.close()


def test_a_version_2_journal_is_migrated_and_its_references_still_count(tmp_path):
    root = inbox(tmp_path, [{**ROWS[0], "heures_demandees": 5.0}, ROWS[1]], name=NAME)
    out = tmp_path / "out"
    out.mkdir()
    path = out / "journal.sqlite"
    write_v2_journal(path, str(out.resolve()))
    with Journal(path) as jr:
        assert jr.version() == 3
        prev = jr.previous(str(out.resolve()))
        assert not prev.trusted and list(prev.states["explicite"]) == [True, False]
        assert list(prev.rows["adoptee_depuis"]) == ["2026-03-15T08:00:00-04:00"] * 2
    r = run(root, out, D(2026, 3, 31))
    assert not r.changes.modified and not r.changes.added and not r.changes.removed
    (f,) = [f for f in r.findings if f.rule == "modifiee-apres-adoption"]
    assert f.row == 2 and "Heures demandées : 3,5 h → 5 h" in f.message and "15 mars 2026 à 8 h 00" in f.message
    assert _count(path, "SELECT count(*) FROM rows WHERE cle IS NULL AND jusqu_a IS NULL") == 0
    # the next run reads the packed states and still measures against the adopted state
    r2 = run(root, out, D(2026, 3, 31))
    assert r2.changes.previous.trusted
    assert [f.rule for f in r2.findings if f.rule == "modifiee-apres-adoption"] == ["modifiee-apres-adoption"]
    assert len(r2.changes.carried) == 1 and list(r2.changes.insert) == [0]  # the row with a reference is reloaded


def test_identical_rows_are_paired_by_place_without_reading_them(tmp_path):
    root = inbox(tmp_path, [ROWS[0], ROWS[0], ROWS[3]], name=NAME)  # the same row twice (a duplicate)
    out = tmp_path / "out"
    run(root, out, D(2026, 3, 31))
    r2 = run(root, out, D(2026, 3, 31))
    assert len(r2.changes.carried) == 3 and not len(r2.changes.insert)
    write_forms(root / NAME, [ROWS[0], ROWS[3]])  # one of the two deleted: the second one is gone
    r3 = run(root, out, D(2026, 3, 31))
    assert [int(r3.changes.previous.rows.loc[i, "row"]) for i in r3.changes.removed] == [3]
    assert not r3.changes.added and not r3.changes.modified

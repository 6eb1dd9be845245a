"""The inbox as the treasurer leaves it: lock files, copies, links, unreadable folders;
and the read cache that lets the monthly cycle skip unchanged workbooks."""
from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
from pathlib import Path


import syndic_batch.read.inbox as inbox_module
from builders import form, inbox, write_forms
from syndic_batch.config import DEFAULT_PARAMS, params_hash
from syndic_batch.model import CLASSEUR_EN_DOUBLE, CLASSEUR_OUVERT, DOSSIER_IGNORE, LIEN_IGNORE
from syndic_batch.read.data import WorkbookRead
from syndic_batch.read.inbox import file_digest, read_inbox
from syndic_batch.read.workbook import read_workbook


def test_lock_files_name_the_workbook_open_in_excel_or_libreoffice(tmp_path):
    root = inbox(tmp_path, [form()])
    write_forms(root / "avril" / "formulaires-2026-04.xlsx", [form(matricule="1002")])
    write_forms(root / "mai.xlsx", [form(matricule="1003")])
    (root / "~$formulaires-2026-03.xlsx").write_bytes(b"lock")          # Excel, full name
    (root / "avril" / "~$rmulaires-2026-04.xlsx").write_bytes(b"lock")  # Excel drops 2 letters
    (root / ".~lock.mai.xlsx#").write_bytes(b"lock")                    # LibreOffice
    (root / "~$orphelin.xlsx").write_bytes(b"lock")                     # no such workbook: silent
    data = read_inbox(root)
    opened = sorted((f.file, f.severity) for f in data.findings if f.rule == CLASSEUR_OUVERT)
    assert opened == [("avril/formulaires-2026-04.xlsx", "avertissement"),
                      ("formulaires-2026-03.xlsx", "avertissement"), ("mai.xlsx", "avertissement")]
    msg = next(f.message for f in data.findings if f.file == "formulaires-2026-03.xlsx"
               and f.rule == CLASSEUR_OUVERT)
    assert "ouvert dans Excel" in msg and "~$formulaires-2026-03.xlsx" in msg and "non enregistrées" in msg
    assert any("LibreOffice" in f.message for f in data.findings if f.file == "mai.xlsx")
    assert len(data.forms) == 3  # the workbooks are still read


def test_no_lock_file_no_finding(tmp_path):
    data = read_inbox(inbox(tmp_path, [form()]))
    assert not [f for f in data.findings if f.rule == CLASSEUR_OUVERT]


def test_an_identical_copy_is_read_once_with_one_finding(tmp_path):
    root = inbox(tmp_path, [form(), form(matricule="1002", heures_demandees=2)], name="2026-11.xlsx")
    shutil.copy(root / "2026-11.xlsx", root / "2026-11 (1).xlsx")
    data = read_inbox(root)
    assert len(data.forms) == 2 and set(data.forms["_file"]) == {"2026-11.xlsx"}
    [f] = [f for f in data.findings if f.rule == CLASSEUR_EN_DOUBLE]
    assert (f.file, f.severity, f.row) == ("2026-11 (1).xlsx", "avertissement", None)
    assert "identique à « 2026-11.xlsx »" in f.message
    copy = next(r for r in data.files if r.path == "2026-11 (1).xlsx")
    assert copy.duplicate_of == "2026-11.xlsx" and copy.rows == 0
    original = next(r for r in data.files if r.path == "2026-11.xlsx")
    assert copy.sha256 == original.sha256 and copy.size == original.size == (root / "2026-11.xlsx").stat().st_size
    # no doublon for the copy's rows: its hours are not counted twice
    from syndic_batch.context import Context
    from syndic_batch.rules.registry import run_rules
    findings = run_rules(Context(data, DEFAULT_PARAMS, __import__("datetime").date(2026, 4, 30)))
    assert not [f for f in findings if f.rule == "doublon"]


def test_links_and_unreadable_folders_get_an_info_each(tmp_path, monkeypatch):
    root = inbox(tmp_path, [form()])
    elsewhere = tmp_path / "ailleurs"
    write_forms(elsewhere / "x.xlsx", [form(matricule="1002")])
    os.symlink(elsewhere, root / "lien-dossier")
    os.symlink(tmp_path / "disparu.xlsx", root / "lien-brise.xlsx")
    (root / "prive").mkdir()
    write_forms(root / "prive" / "y.xlsx", [form(matricule="1003")])
    real_scandir = os.scandir

    def scandir(path="."):  # the tests run as root: a folder without permission is simulated
        if Path(path).name == "prive":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    data = read_inbox(root)
    got = sorted((f.rule, f.file, f.severity) for f in data.findings
                 if f.rule in (LIEN_IGNORE, DOSSIER_IGNORE))
    assert got == [(DOSSIER_IGNORE, "prive", "info"), (LIEN_IGNORE, "lien-brise.xlsx", "info"),
                   (LIEN_IGNORE, "lien-dossier", "info")]
    messages = {f.file: f.message for f in data.findings if f.rule in (LIEN_IGNORE, DOSSIER_IGNORE)}
    assert "permission refusée" in messages["prive"]
    assert "lien vers le dossier" in messages["lien-dossier"] and str(elsewhere) in messages["lien-dossier"]
    assert "lien brisé" in messages["lien-brise.xlsx"]
    assert list(data.forms["matricule"]) == ["1001"]  # nothing read through the link or the folder


# ---------------------------------------------------------------- the per-file read and its cache

def test_read_workbook_is_pure_and_picklable(tmp_path):
    path = write_forms(tmp_path / "f.xlsx", [form(), form(matricule="1002")])
    size, sha = file_digest(path)
    one = read_workbook(path, "f.xlsx", DEFAULT_PARAMS, size, sha)
    two = pickle.loads(pickle.dumps(one))
    assert isinstance(two, WorkbookRead)
    assert two.report.sha256 == sha and two.report.size == size == path.stat().st_size
    assert [r[1] for r in two.rows["formulaires"]] == [2, 3]
    assert two.records == one.records and [s.file for s in two.sources] == ["f.xlsx"]


def _parsed(monkeypatch) -> list[str]:
    """The workbooks ``read_inbox`` parses from now on (those not loaded from its cache)."""
    calls: list[str] = []
    real = inbox_module.read_workbook

    def counting(path, rel, params, size=None, sha256=None):
        calls.append(rel)
        return real(path, rel, params, size, sha256)

    monkeypatch.setattr(inbox_module, "read_workbook", counting)
    return calls


def test_the_cache_skips_the_parser_and_follows_the_parameters(tmp_path, monkeypatch):
    root = inbox(tmp_path, [form(), form(matricule="1002", heures_demandees=2)])
    cache = tmp_path / "cache"
    calls = _parsed(monkeypatch)
    first = read_inbox(root, DEFAULT_PARAMS, cache_dir=cache)
    assert sorted(calls) == ["formulaires-2026-03.xlsx", "registre.xlsx"]
    assert len(list(cache.glob("*.pickle"))) == 2
    calls.clear()
    second = read_inbox(root, DEFAULT_PARAMS, cache_dir=cache)
    assert calls == []  # every workbook from the cache
    assert second.forms.equals(first.forms) and second.members.equals(first.members)
    assert [s.file for s in second.sources.values()] == [s.file for s in first.sources.values()]
    # other parameters: another key, the workbooks are read again
    other = dataclasses.replace(DEFAULT_PARAMS, lignes_en_tete=19)
    assert params_hash(other) != params_hash(DEFAULT_PARAMS)
    read_inbox(root, other, cache_dir=cache)
    assert sorted(calls) == ["formulaires-2026-03.xlsx", "registre.xlsx"]
    # a changed workbook is read again, the other one is not
    calls.clear()
    write_forms(root / "formulaires-2026-03.xlsx", [form(matricule="1003")])
    third = read_inbox(root, DEFAULT_PARAMS, cache_dir=cache)
    assert calls == ["formulaires-2026-03.xlsx"] and list(third.forms["matricule"]) == ["1003"]
    # a corrupt entry is ignored and rewritten
    calls.clear()
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    again = read_inbox(root, DEFAULT_PARAMS, cache_dir=cache)
    assert sorted(calls) == ["formulaires-2026-03.xlsx", "registre.xlsx"]
    assert list(again.forms["matricule"]) == ["1003"]
    calls.clear()
    read_inbox(root, DEFAULT_PARAMS, cache_dir=cache)
    assert calls == []


def test_params_hash_is_stable():
    assert params_hash(DEFAULT_PARAMS) == params_hash(dataclasses.replace(DEFAULT_PARAMS))
    assert len(params_hash(DEFAULT_PARAMS)) == 64


# ---------------------------------------------------------------- raw cells: only those that are not their typed value

def test_only_the_raw_cells_that_are_not_their_typed_value_are_kept(tmp_path):
    import datetime as dt

    import pandas as pd

    rows = [form(),                                                   # every cell natural
            form(matricule="1002", date_activite="03/03/2026", heures_demandees="6,5"),
            form(matricule="1003", heures_demandees="-", nom="  Jean   Roy "),
            form(matricule="1004", date_activite="pas une date", distance_km=320)]
    data = read_inbox(inbox(tmp_path, rows), DEFAULT_PARAMS)
    forms = data.forms
    assert not [c for c in forms if c.endswith("__brut")]  # no raw column beside the typed ones
    raw = data.raw["formulaires"]
    assert raw["date_activite"].to_dict() == {1: "03/03/2026", 3: "pas une date"}
    assert raw["heures_demandees"].to_dict() == {1: "6,5", 2: "-"}
    assert raw["nom"].to_dict() == {2: "  Jean   Roy "}
    assert raw["matricule"].empty and raw["categorie"].empty and raw["distance_km"].empty
    # typed as before
    assert forms["date_activite"].tolist()[:3] == [pd.Timestamp(2026, 3, 2), pd.Timestamp(2026, 3, 3),
                                                   pd.Timestamp(2026, 3, 2)]
    assert pd.isna(forms.at[3, "date_activite"]) and forms.at[1, "heures_demandees"] == 6.5
    assert forms.at[2, "nom"] == "Jean Roy" and forms.at[3, "distance_km"] == 320.0
    # the whole column as written: kept cells as they were, natural ones from their typed value
    cells = data.raw_cells("formulaires", "heures_demandees")
    assert cells.tolist() == [3.5, "6,5", "-", 3.5]
    dates = data.raw_cells("formulaires", "date_activite")
    assert dates[0] == dt.datetime(2026, 3, 2) and dates[1] == "03/03/2026" and dates[3] == "pas une date"
    assert data.raw_cells("formulaires", "distance_km").tolist() == [None, None, None, 320.0]
    # empty or a lone dash: blank; a value, readable or not: not blank
    assert data.blank_cells("formulaires", "heures_demandees").tolist() == [False, False, True, False]
    assert data.blank_cells("formulaires", "distance_km").tolist() == [True, True, True, False]
    assert data.blank_cells("formulaires", "date_activite").tolist() == [False, False, False, False]


# ---------------------------------------------------------------- the typed read cache (third session)

def _tricky_rows():
    """Rows whose cells exercise the typing: text dates, decimal commas, spaces to clean,
    1 and 1.0 and True apart, a lone dash, an unreadable date, an empty optional cell."""
    import datetime as dt

    return [form(),
            form(matricule="1002", nom="  Jean   Roy ", date_activite="03/03/2026", heures_demandees="6,5"),
            form(matricule=1003, heures_demandees="-", description=None),
            form(matricule="1004", date_activite="pas une date", heures_demandees=True, distance_km=1),
            form(matricule="1005", date_activite=dt.datetime(2026, 3, 4, 13, 30), heures_demandees=1.0,
                 categorie="Réunion du Conseil exécutif ")]


def _same_data(a, b):
    import pandas as pd

    for kind in ("formulaires", "registre", "banque", "calendrier"):
        pd.testing.assert_frame_equal(a.frame(kind), b.frame(kind))
        for key, series in a.raw[kind].items():
            other = b.raw[kind][key]
            pd.testing.assert_series_equal(series, other)
            assert [type(v) for v in series] == [type(v) for v in other]
    assert a.sources == b.sources and a.findings == b.findings and a.files == b.files


def test_a_cached_workbook_is_stored_typed_and_loads_to_the_same_data(tmp_path, monkeypatch):
    root = inbox(tmp_path, _tricky_rows())
    cache = tmp_path / "cache"
    fresh = read_inbox(root, DEFAULT_PARAMS, cache_dir=cache)
    entries = sorted(cache.glob("*.pickle"))
    assert len(entries) == 2
    stored = [pickle.loads(e.read_bytes()) for e in entries]
    assert all(isinstance(s, inbox_module.TypedWorkbook) for s in stored)
    forms = next(s for s in stored if "formulaires" in s.chunks).chunks["formulaires"]
    assert forms.n == 5 and forms.typed["heures_demandees"].dtype == "float64"
    assert forms.typed["date_activite"].dtype == "datetime64[ns]"
    codes, texts = forms.typed["matricule"]  # texts: codes into the distinct texts
    assert list(texts[codes]) == ["1001", "1002", "1003", "1004", "1005"]

    def no_parse(*a, **k):
        raise AssertionError("read again although cached")

    monkeypatch.setattr(inbox_module, "read_workbook", no_parse)
    cached = read_inbox(root, DEFAULT_PARAMS, cache_dir=cache)
    _same_data(fresh, cached)
    assert cached.raw["formulaires"]["heures_demandees"].to_dict() == {1: "6,5", 2: "-", 3: True}
    assert cached.forms["heures_demandees"].tolist()[4] == 1.0
    assert cached.raw["formulaires"]["nom"].to_dict() == {1: "  Jean   Roy "}
    # one object per distinct text, whichever workbook and whether loaded or read
    assert cached.forms.at[0, "categorie"] is cached.forms.at[1, "categorie"]


def test_an_entry_of_another_layout_is_read_again_and_rewritten(tmp_path, monkeypatch):
    root = inbox(tmp_path, [form()])
    cache = tmp_path / "cache"
    read_inbox(root, DEFAULT_PARAMS, cache_dir=cache)
    rel = "formulaires-2026-03.xlsx"
    size, sha = file_digest(root / rel)
    entry = cache / f"{inbox_module.cache_key(sha, rel, DEFAULT_PARAMS)}.pickle"
    old_layout = read_workbook(root / rel, rel, DEFAULT_PARAMS, size, sha)  # what the cache held before
    entry.write_bytes(pickle.dumps(old_layout))
    calls = _parsed(monkeypatch)
    data = read_inbox(root, DEFAULT_PARAMS, cache_dir=cache)
    assert calls == [rel] and list(data.forms["matricule"]) == ["1001"]
    assert isinstance(pickle.loads(entry.read_bytes()), inbox_module.TypedWorkbook)
    # the format is part of the key: an entry written under another format is never looked up
    monkeypatch.setattr(inbox_module, "CACHE_FORMAT", "autre")
    assert inbox_module.cache_key(sha, rel, DEFAULT_PARAMS) != entry.stem


def test_small_and_large_workbooks_are_typed_alike(tmp_path, monkeypatch):
    root = inbox(tmp_path, _tricky_rows())
    small = read_inbox(root)                         # every workbook below _SMALL rows
    monkeypatch.setattr(inbox_module, "_SMALL", -1)  # as if each were large: pandas' path
    large = read_inbox(root)
    _same_data(small, large)
    assert small.forms["matricule"].tolist() == ["1001", "1002", "1003", "1004", "1005"]
    assert small.forms["date_activite"].isna().tolist() == [False, False, False, True, False]
    assert small.forms.at[4, "date_activite"] == __import__("pandas").Timestamp(2026, 3, 4)
    # a date with a time is typed as its day but kept as written (not natural)
    assert 4 in small.raw["formulaires"]["date_activite"].index
    assert 0 not in small.raw["formulaires"]["date_activite"].index

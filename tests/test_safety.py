"""The batch never harms the inbox and never stops on one bad workbook.

Run through the command line as the treasurer does
(``python -m syndic_batch run BOITE --out SORTIE --date 2026-04-30``), or through
``pipeline.run`` when a library call has to be made to fail.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from builders import form, inbox, write_forms
from syndic_batch import cli, pipeline
from syndic_batch.config import DEFAULT_PARAMS

ROOT = Path(__file__).resolve().parent.parent
from builders import CORPUS  # noqa: E402
BAD = {  # file name in the inbox -> what it is
    "abime.xlsx": CORPUS / "calamine/issue252.xlsx",          # bad CRC
    "protege.xlsx": CORPUS / "calamine/pass_protected.xlsx",  # encrypted
    "ancien.xlsx": CORPUS / "calamine/merge_cells.xls",       # an .xls renamed .xlsx
}
SKIPPED = ("~$formulaires-2026-03.xlsx", ".cache.xlsx", ".syndic-batch-tmp-abc123.xlsx")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, "-m", "syndic_batch", "run", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) → its SHA-256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def messy_inbox(tmp_path) -> Path:
    """A real inbox: register, two form workbooks (one in a sub-folder), three damaged
    workbooks, an empty one, and files the reader must skip."""
    root = inbox(tmp_path, [form(), form(matricule="9999")])
    write_forms(root / "avril" / "formulaires-2026-04.xlsx",
                [form(date_activite=dt.date(2026, 4, 2), categorie="Congrès", organisme="FTQ",
                      date_reception=dt.date(2026, 4, 3), decision_ce=None, date_decision=None)])
    for name, src in BAD.items():
        shutil.copyfile(src, root / name)
    (root / "vide.xlsx").write_bytes(b"")
    for name in SKIPPED:  # a lock file, a hidden file, a temporary file of ours: not workbooks
        (root / name).write_bytes(b"not a workbook")
    return root


def test_a_full_run_leaves_the_inbox_as_it_was_and_reports_each_bad_file_once(messy_inbox, tmp_path):
    before = snapshot(messy_inbox)
    out = tmp_path / "sortie"
    done = run_cli(str(messy_inbox), "--out", str(out), "--date", "2026-04-30")

    assert done.returncode == 1, done.stderr  # erreurs were found
    assert snapshot(messy_inbox) == before    # byte for byte, and no new file
    findings = json.loads((out / "constats.json").read_text(encoding="utf-8"))
    unreadable = sorted(f["file"] for f in findings if f["rule"] == "fichier-illisible")
    assert unreadable == sorted([*BAD, "vide.xlsx"])
    assert all(f["severity"] == "erreur" and f["row"] is None
               for f in findings if f["rule"] == "fichier-illisible")
    # the skipped files are not even mentioned
    assert not {f["file"] for f in findings} & set(SKIPPED)
    # the good workbooks were still processed
    assert any(f["file"] == "formulaires-2026-03.xlsx" and f["rule"] == "membre-inconnu" and f["row"] == 3
               for f in findings)
    assert any(f["file"] == "avril/formulaires-2026-04.xlsx" and f["article"] == "4.3" for f in findings)
    # an annotated copy of every readable workbook, at the same relative path, and nothing else
    copies = sorted(str(p.relative_to(out / "annotes")) for p in (out / "annotes").rglob("*") if p.is_file())
    assert copies == ["avril/formulaires-2026-04.xlsx", "formulaires-2026-03.xlsx", "registre.xlsx"]
    wb = openpyxl.load_workbook(out / "annotes" / "formulaires-2026-03.xlsx")
    assert "Art. 2.1" in wb["Formulaires"]["A3"].comment.text
    rules = [r[2] for r in wb["Constats"].iter_rows(min_row=2, values_only=True)]
    assert "membre-inconnu" in rules
    # the ~$ lock file beside it: the workbook is open in Excel (issue 10)
    assert "classeur-ouvert" in rules
    assert not [p for p in out.rglob("*") if p.name.startswith(".syndic-batch-tmp-")]


def test_out_inside_the_inbox_is_refused(messy_inbox):
    before = snapshot(messy_inbox)
    done = run_cli(str(messy_inbox), "--out", str(messy_inbox / "resultats"), "--date", "2026-04-30")
    assert done.returncode == 2
    assert "boîte de réception" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(messy_inbox) == before
    assert not (messy_inbox / "resultats").exists()


def test_out_equal_to_the_inbox_or_to_an_input_file_is_refused(messy_inbox):
    before = snapshot(messy_inbox)
    for target in (messy_inbox, messy_inbox / "registre.xlsx"):
        done = run_cli(str(messy_inbox), "--out", str(target))
        assert done.returncode == 2, target
        assert done.stderr.startswith("syndic-batch : ") and "Traceback" not in done.stderr
        assert "choisissez" in done.stderr
    assert snapshot(messy_inbox) == before


def test_out_equal_to_a_file_outside_the_inbox_is_refused(messy_inbox, tmp_path):
    elsewhere = tmp_path / "rapport.xlsx"
    elsewhere.write_bytes(b"keep me")
    done = run_cli(str(messy_inbox), "--out", str(elsewhere))
    assert done.returncode == 2 and "n'est pas un dossier" in done.stderr
    assert elsewhere.read_bytes() == b"keep me"


def _interrupt_saves(monkeypatch) -> None:
    """The disk fills up while the first annotated copy is written (the first output)."""
    from syndic_batch.write.xlsx_package import PackageWriter

    def interrupted(self, filename, src):
        Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device", str(filename))

    monkeypatch.setattr(PackageWriter, "__init__", interrupted)


def test_an_interrupted_write_leaves_no_partial_file(messy_inbox, tmp_path, monkeypatch):
    before = snapshot(messy_inbox)
    out = tmp_path / "sortie"
    previous = out / "annotes" / "formulaires-2026-03.xlsx"
    previous.parent.mkdir(parents=True)
    previous.write_bytes(b"copy of last month")
    _interrupt_saves(monkeypatch)

    with pytest.raises(OSError):
        pipeline.run(messy_inbox, out, dt.date(2026, 4, 30), DEFAULT_PARAMS)

    assert previous.read_bytes() == b"copy of last month"
    written = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".syndic-batch")
               and ".cache" not in p.parts]  # the lock, and the reading cache
    assert written == [previous]  # and no journal: the run never finished
    assert snapshot(messy_inbox) == before


def test_an_interrupted_write_is_exit_code_2_with_a_french_message(messy_inbox, tmp_path, monkeypatch,
                                                                  capsys):
    _interrupt_saves(monkeypatch)
    code = cli.main(["run", str(messy_inbox), "--out", str(tmp_path / "sortie"), "--date", "2026-04-30"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("syndic-batch : Plus d'espace libre sur le disque : « ") and "Traceback" not in err
    assert "No space" not in err and ".syndic-batch-tmp-" not in err   # the folder, not our temporary file
    assert ".syndic-batch-en-cours-" not in err   # nor the run's staging folder
    assert not [p for p in (tmp_path / "sortie").rglob("*") if p.is_file() and not p.name.startswith(
        ".syndic-batch") and ".cache" not in p.parts]  # the folder's lock and the reading cache stay

"""Every run a clean, atomic snapshot (write/snapshot.py): historique/, --garder, the lock,
a run killed before or during its swap, Ctrl-C, leftovers, incremental annotated copies."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from builders import D, form, inbox, top, tree, write_forms
from syndic_batch import cli, pipeline
from syndic_batch.config import DEFAULT_PARAMS
from syndic_batch.write.snapshot import SWAP_MARKER

ROOT = Path(__file__).resolve().parent.parent
NAME = "formulaires-2026-03.xlsx"


def start(args: list[str], **env) -> subprocess.Popen:
    full = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore", **env)
    return subprocess.Popen([sys.executable, "-m", "syndic_batch", "run", *args], cwd=ROOT, env=full,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(predicate, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            raise AssertionError(f"the run ended first: {proc.stderr.read()}")
        time.sleep(0.05)
    raise AssertionError("timed out")


def staged(out: Path) -> bool:
    return any((p / "rapports" / "ce.html").exists() for p in out.glob(".syndic-batch-en-cours-*"))


@pytest.fixture
def two_months(tmp_path):
    root = inbox(tmp_path, [form()], name=NAME)
    write_forms(root / "formulaires-2026-04.xlsx", [form(date_activite=D(2026, 4, 1), date_reception=D(2026, 4, 2))])
    return root, tmp_path / "sortie"


def test_fewer_workbooks_leave_no_stale_copy_and_garder_keeps_the_last_n(two_months):
    root, out = two_months
    pipeline.run(root, out, D(2026, 4, 30))
    assert (out / "annotes" / "formulaires-2026-04.xlsx").exists()
    (root / "formulaires-2026-04.xlsx").unlink()
    r2 = pipeline.run(root, out, D(2026, 4, 30))
    assert sorted(p.name for p in (out / "annotes").iterdir()) == [NAME, "registre.xlsx"]
    assert (r2.historique / "annotes" / "formulaires-2026-04.xlsx").exists()
    assert r2.historique.parent == out / "historique"
    for _ in range(2):
        r = pipeline.run(root, out, D(2026, 4, 30), keep=2)
    kept = sorted(p.name for p in (out / "historique").iterdir())
    assert len(kept) == 2 and r.historique.name == kept[-1]
    code = cli.main(["run", str(root), "--out", str(out), "--date", "2026-04-30", "--garder", "0", "-q"])
    assert code == 0 and list((out / "historique").iterdir()) == []
    assert top(out) == {"annotes", "changements.json", "constats.json", "constats.xlsx", "depot-employeur.xlsx",
                        "rapports", "releves", "historique", "journal.sqlite"}


def test_a_second_run_into_a_busy_folder_is_refused(two_months):
    root, out = two_months
    first = start([str(root), "--out", str(out), "--date", "2026-04-30"],
                  SYNDIC_BATCH_TEST_PAUSE_AVANT_BASCULE="60")
    try:
        wait_for(lambda: staged(out), first)
        second = subprocess.run([sys.executable, "-m", "syndic_batch", "run", str(root), "--out", str(out)],
                                cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True,
                                text=True, timeout=120)
        assert second.returncode == 2
        assert second.stderr.startswith("syndic-batch : Un autre traitement écrit déjà dans")
        assert "Traceback" not in second.stderr
    finally:
        first.kill()
        first.wait(30)
    # the lock died with the killed run: the next run goes through and cleans up
    assert pipeline.run(root, out, D(2026, 4, 30)).outputs
    assert not list(out.glob(".syndic-batch-en-cours-*"))


def test_ctrl_c_is_a_french_message_and_keeps_the_previous_outputs(two_months):
    root, out = two_months
    pipeline.run(root, out, D(2026, 4, 30))
    before = tree(out)
    proc = start([str(root), "--out", str(out), "--date", "2026-04-30"], SYNDIC_BATCH_TEST_PAUSE_AVANT_BASCULE="60")
    try:
        wait_for(lambda: staged(out), proc)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert err.startswith("syndic-batch : traitement interrompu (Ctrl-C)") and "Traceback" not in err
    assert tree(out) == before  # staging removed, nothing replaced, nothing recorded


def test_a_run_killed_in_the_middle_of_its_swap_is_finished_by_the_next(two_months):
    root, out = two_months
    pipeline.run(root, out, D(2026, 4, 30))
    first = tree(out)
    write_forms(root / NAME, [form(heures_demandees=2.0)])
    proc = start([str(root), "--out", str(out), "--date", "2026-04-30"], SYNDIC_BATCH_TEST_PAUSE_PENDANT_BASCULE="60")
    try:
        wait_for(lambda: (out / SWAP_MARKER).exists() and not (out / "constats.json").exists(), proc)
        time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    marker = json.loads((out / SWAP_MARKER).read_text(encoding="utf-8"))
    (hist,) = (out / "historique").iterdir()
    assert tree(hist) == {k: v for k, v in first.items() if not k.startswith((".", "journal"))}
    r = pipeline.run(root, out, D(2026, 4, 30))  # finishes the killed run's swap, then runs
    assert not (out / SWAP_MARKER).exists() and not list(out.glob(".syndic-batch-en-cours-*"))
    snapshots = sorted((out / "historique").iterdir())
    assert len(snapshots) == 2
    recovered = json.loads((snapshots[1] / "changements.json").read_text(encoding="utf-8"))
    assert [(c["field"], c["before"], c["after"]) for c in recovered] == [("heures_demandees", 3.5, 2.0)]
    assert r.changes.previous.jeton == marker["jeton"]  # the killed run was recorded: it is the previous one
    assert json.loads((out / "changements.json").read_text(encoding="utf-8")) == []


def test_leftovers_of_a_killed_run_are_removed(two_months):
    root, out = two_months
    pipeline.run(root, out, D(2026, 4, 30))
    before = tree(out)
    (out / ".syndic-batch-en-cours-99999" / "rapports").mkdir(parents=True)
    (out / ".syndic-batch-en-cours-99999" / "rapports" / "ce.html").write_text("à moitié")
    (out / SWAP_MARKER).write_text(json.dumps({"jeton": "inconnu", "started": "2026-04-30T10:00:00-04:00",
                                               "staging": ".syndic-batch-en-cours-99999", "historique": None,
                                               "anciens": [], "nouveaux": ["rapports"]}))
    (out / "annotes" / ".syndic-batch-tmp-abc.xlsx").write_bytes(b"PK half")
    (out / ".syndic-batch-tmp-def.json").write_text("[")
    r = pipeline.run(root, out, D(2026, 4, 30))
    hidden = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert hidden == [".cache", ".syndic-batch", ".syndic-batch.lock"]  # .cache: the reader's
    assert not list(out.rglob(".syndic-batch-tmp-*"))
    assert tree(r.historique) == {k: v for k, v in before.items() if not k.startswith((".", "journal"))}


def test_disk_full_while_writing_keeps_the_previous_outputs(two_months, monkeypatch):
    root, out = two_months
    pipeline.run(root, out, D(2026, 4, 30))
    before = tree(out)

    import syndic_batch.write.constats as constats

    def full(findings, path):
        Path(path).write_text("[\n  {", encoding="utf-8")  # half written, then the disk is full
        raise OSError(28, "No space left on device", str(path))

    write_forms(root / "formulaires-2026-05.xlsx", [form(date_activite=D(2026, 5, 4), date_reception=D(2026, 5, 5))])
    monkeypatch.setattr(constats, "write_constats", full)
    with pytest.raises(OSError):
        pipeline.run(root, out, D(2026, 4, 30), DEFAULT_PARAMS)
    assert tree(out) == before


def test_an_output_folder_that_is_not_ours_or_holds_the_inbox_is_refused(tmp_path, capsys):
    root = inbox(tmp_path, [form()], name=NAME)
    mine = tmp_path / "Documents"
    mine.mkdir()
    (mine / "budget.xlsx").write_bytes(b"keep")
    code = cli.main(["run", str(root), "--out", str(mine)])
    err = capsys.readouterr().err
    assert code == 2 and "ne viennent pas de syndic-batch (budget.xlsx)" in err
    assert sorted(p.name for p in mine.iterdir() if not p.name.startswith(".")) == ["budget.xlsx"]
    code = cli.main(["run", str(root), "--out", str(tmp_path)])
    assert code == 2 and "est dans le dossier de sortie" in capsys.readouterr().err


def test_an_unchanged_workbook_reuses_its_annotated_copy(two_months):
    root, out = two_months
    r1 = pipeline.run(root, out, D(2026, 4, 30))
    assert r1.reused == []
    r2 = pipeline.run(root, out, D(2026, 4, 30))
    assert sorted(r2.reused) == sorted([NAME, "formulaires-2026-04.xlsx", "registre.xlsx"])
    for name in r2.reused:
        assert (out / "annotes" / name).read_bytes() == (r2.historique / "annotes" / name).read_bytes()
    # a workbook whose findings change is written again, though its bytes did not change:
    # a form received earlier in another workbook makes its row the later duplicate
    write_forms(root / "formulaires-2026-05.xlsx", [form(date_reception=D(2026, 3, 4))])
    r3 = pipeline.run(root, out, D(2026, 4, 30))
    assert sorted(r3.reused) == ["formulaires-2026-04.xlsx", "registre.xlsx"]
    ws = openpyxl.load_workbook(out / "annotes" / NAME)["Formulaires"]
    assert any(c.comment and "doublon" in c.comment.text.lower() for row in ws.iter_rows() for c in row)


def test_killed_at_random_moments_the_folder_always_holds_one_complete_run(two_months):
    """SIGKILL at several moments of a run: what a treasurer finds is the previous run's
    outputs untouched, or (killed during the few renames of the swap) a marker that the
    next run finishes; never a mix once the next run has started."""
    import random

    root, out = two_months
    pipeline.run(root, out, D(2026, 4, 30))
    rng = random.Random(8)
    for hours in (2.0, 2.5, 3.0):
        before = tree(out)
        write_forms(root / NAME, [form(heures_demandees=hours)])
        proc = start([str(root), "--out", str(out), "--date", "2026-04-30"])
        time.sleep(rng.uniform(0.3, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        after = tree(out)
        if not (out / SWAP_MARKER).exists():
            kept = {k: v for k, v in after.items() if not k.startswith(".syndic-batch-en-cours-")}
            finished = json.loads((out / "changements.json").read_text(encoding="utf-8"))
            assert kept == before or [c["after"] for c in finished] == [hours]
        r = pipeline.run(root, out, D(2026, 4, 30))  # cleans up, finishes or drops the killed run
        assert r.ctx.forms["heures_demandees"].tolist() == [hours, 3.5]
        assert not list(out.glob(".syndic-batch-*")) or sorted(
            p.name for p in out.glob(".syndic-batch*")) == [".syndic-batch", ".syndic-batch.lock"]
        assert {"constats.json", "changements.json", "annotes", "rapports"} <= top(out)
        assert (out / "rapports" / "ce.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    runs = sorted((out / "historique").iterdir())
    assert all((p / "constats.json").exists() and (p / "rapports" / "ce.html").exists() for p in runs)

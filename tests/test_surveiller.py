"""``syndic-batch surveiller``: one run at start, one per change once the files are
complete (no Excel lock file, size stable), one French line each, Ctrl-C stops cleanly."""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from builders import D, form, inbox, write_forms

ROOT = Path(__file__).resolve().parent.parent


def _reader(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))


def next_line(lines: queue.Queue, contains: str, seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if contains in line:
            return line
    raise AssertionError(f"no line with {contains!r}")


def test_surveiller_runs_once_then_on_each_complete_change_and_stops_on_ctrl_c(tmp_path):
    root = inbox(tmp_path, [form()], name="formulaires-2026-03.xlsx")
    out = tmp_path / "sortie"
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore", SYNDIC_BATCH_SURVEILLER_DELAI="0.3")
    proc = subprocess.Popen([sys.executable, "-m", "syndic_batch", "surveiller", str(root), "--out", str(out),
                             "--date", "2026-04-30"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    try:
        assert "Surveillance de « " in next_line(lines, "Surveillance de")
        first = next_line(lines, "Traitement terminé")
        assert "2 classeur(s), 0 erreur(s)" in first and "premier traitement dans ce dossier" in first
        # Excel has the new workbook open: nothing runs until its lock file goes
        lock = root / "~$formulaires-2026-04.xlsx"
        lock.write_bytes(b"owner")
        write_forms(root / "formulaires-2026-04.xlsx",
                    [form(date_activite=D(2026, 4, 1), date_reception=D(2026, 4, 2)),
                     form(matricule="1002", date_activite=D(2026, 4, 1), date_reception=D(2026, 4, 2))])
        waiting = next_line(lines, "En attente")
        assert "« ~$formulaires-2026-04.xlsx » indique un classeur encore ouvert" in waiting
        time.sleep(1.0)
        assert json.loads((out / "changements.json").read_text(encoding="utf-8")) == []
        lock.unlink()
        second = next_line(lines, "Traitement terminé")
        assert "3 classeur(s)" in second and "2 ligne(s) changée(s) depuis le traitement précédent" in second
        changes = json.loads((out / "changements.json").read_text(encoding="utf-8"))
        assert [(c["kind"], c["matricule"]) for c in changes] == [("ajoutee", "1001"), ("ajoutee", "1002")]
        proc.send_signal(signal.SIGINT)
        assert "Surveillance arrêtée." in next_line(lines, "Surveillance arrêtée")
        assert proc.wait(30) == 0
        assert "Traceback" not in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait(30)
    assert len(list((out / "historique").iterdir())) == 1  # two runs: the first one's outputs kept

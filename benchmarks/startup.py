"""The command's start-up: wall time of small commands and what their imports cost.

    python benchmarks/startup.py [--repetitions 5] [--inbox examples/inbox] [--date 2026-11-23]

Measured, each ``--repetitions`` times in a fresh process (min, median, max):

* ``python -c pass`` — the interpreter alone;
* ``python -m syndic_batch --help``;
* ``python -m syndic_batch run examples/inbox --out TMP --date 2026-11-23`` into a new
  output folder each time (removed, untimed, before each run) — issue 11's target: under
  1 s for the whole command, as the README's first command on a fresh checkout;
* the same command again and again into one output folder (the monthly re-run: journal,
  read cache, reused outputs) — held to the same target.

Then ``python -X importtime`` of the two commands, with the import time summed per
top-level package (self times of every module of that package, so nothing is counted
twice): what lazy imports could save. The ``run`` total minus its imports is the work.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_S = 1.0
# The children may write the checkout's bytecode (``__pycache__``), as an installed package
# has it: with PYTHONDONTWRITEBYTECODE set, every run would compile the project's ~80
# modules again (~0.1 s that no installed copy pays). One untimed run of each command first.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(cmd: list[str], n: int, fresh: Path | None = None) -> tuple[list[float], list[float], int]:
    """Wall times and CPU times (user + system of the child) of ``n`` runs, and the last exit code.
    ``fresh``: a folder removed before each run (untimed), so that each is a first run."""
    out, cpu, code = [], [], 0
    subprocess.run(cmd, cwd=REPO, capture_output=True, env=ENV)  # warm-up: bytecode, file cache
    for _ in range(n):
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, env=ENV)
        out.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        code = proc.returncode
    return out, cpu, code


def import_breakdown(cmd: list[str]) -> tuple[dict[str, float], float]:
    """Seconds of import per top-level package, and the total, from ``-X importtime``."""
    proc = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], cwd=REPO, capture_output=True, text=True,
                          env=ENV)
    per: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        parts = line.split("|")
        root = parts[2].strip().split(".")[0]
        per[root] = per.get(root, 0.0) + int(parts[0].split(":")[1]) / 1e6
    return per, sum(per.values())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Mesure le démarrage de la commande et le coût de ses imports.")
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--inbox", type=Path, default=REPO / "examples" / "inbox")
    ap.add_argument("--date", default="2026-11-23")
    ap.add_argument("--top", type=int, default=12, help="paquets affichés par commande")
    args = ap.parse_args(argv)

    py = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="syndic-startup-"))
    first_out, again_out = tmp / "premier", tmp / "relance"
    run_cmd = [py, "-m", "syndic_batch", "run", str(args.inbox), "--out", str(first_out), "--date", args.date]
    again_cmd = [*run_cmd[:6], str(again_out), *run_cmd[7:]]
    # The target is the first run (a new output folder, as the README's command on a fresh
    # checkout); the re-run into the same folder (journal, cache and reused outputs) is shown too.
    cmds = [("python -c pass", [py, "-c", "pass"], None),
            ("python -m syndic_batch --help", [py, "-m", "syndic_batch", "--help"], None),
            (f"run {args.inbox.name} (sortie neuve) --date {args.date}", run_cmd, first_out),
            (f"run {args.inbox.name} (relance, même sortie)", again_cmd, None)]
    try:
        print(f"Démarrage — {os.cpu_count()} cœurs (charge {os.getloadavg()[0]:.1f}) ; "
              f"{args.repetitions} répétitions ; Python {sys.version.split()[0]}")
        print(f"{'commande':<56} {'min (s)':>8} {'médiane':>8} {'max':>8} {'CPU méd.':>8} {'code':>5}")
        timed, timed_cpu = {}, {}
        for label, cmd, fresh in cmds:
            secs, cpu, code = _time(cmd, args.repetitions, fresh)
            timed[label], timed_cpu[label] = secs, cpu
            print(f"{label[:56]:<56} {min(secs):>8.2f} {statistics.median(secs):>8.2f} {max(secs):>8.2f} "
                  f"{statistics.median(cpu):>8.2f} {code:>5}")
        for which, (label, _cmd, _fresh) in (("premier traitement", cmds[2]), ("relance", cmds[3])):
            run_med = statistics.median(timed[label])
            cpu_med = statistics.median(timed_cpu[label])
            print(f"cible (issue 11) : commande complète sur {args.inbox.name}, {which}, < {TARGET_S:g} s : "
                  f"{run_med:.2f} s (CPU {cpu_med:.2f} s) — {'atteinte' if run_med < TARGET_S else 'NON atteinte'}"
                  + ("" if run_med < TARGET_S or cpu_med >= TARGET_S else " (atteinte en CPU : machine chargée ?)"))
        for label, cmd, _fresh in cmds[1:3]:
            shutil.rmtree(first_out, ignore_errors=True)
            per, total = import_breakdown(cmd)
            print(f"\nImports de « {label} » : {total:.2f} s au total")
            for root, s in sorted(per.items(), key=lambda kv: -kv[1])[:args.top]:
                print(f"  {root:<30} {s:>6.3f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

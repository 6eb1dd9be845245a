"""The monthly cycle's cost: a full run, then a run after one new monthly workbook (issue 8, item 5).

    python benchmarks/incremental.py /tmp/bench100k [--members 2000 --seed 1] [--date 2026-09-30]
                                     [--lignes 8000] [--mois 2026-09] [--sans-changement] [--repetitions 3]

1. The inbox is copied to a work folder (the benchmark inbox itself is never touched);
   ``python -m syndic_batch run BOITE --out SORTIE --date D`` runs into a fresh SORTIE.
2. One new monthly workbook, ``formulaires/AAAA-MM.xlsx`` of ``--lignes`` rows in the
   same style (``generate.py --un-mois``, for the members of the inbox generated with
   the same ``--members`` and ``--seed``), is added to the copy; the same command runs
   again into the same SORTIE (same BOITE path, same date).
3. With ``--sans-changement``, a third run with nothing changed.

Printed: each run's wall time, peak RSS (``os.wait4``) and exit code, and second / first
(target: ≤ 15 %); then the second run's I/O floor measured right after it (``second_run_floor``:
start-up with the libraries a run imports, reading the new workbook's cells and the read
cache, writing the bytes of every output that changed and of the journal's growth), as a
share of the first run, and what the target leaves for the rest. Both runs use the same
``--date`` (default 2026-09-30, so that the new month is not in the future), so what differs
is only the new workbook. What the second run reuses and what it still pays:
``docs/decisions.md``, *The monthly cycle*.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import generate  # noqa: E402
from benchmarks.hostile import run_command  # noqa: E402
from syndic_batch.read.inbox import file_digest  # noqa: E402

TARGET = 0.15


# The libraries a run imports (those in ``sys.modules`` after a run on examples/inbox, besides
# the standard library), and the locale data it loads: the start-up no run can avoid.
LIBRARIES = ("import numpy, pandas, python_calamine, lxml.etree, jinja2, markupsafe, dateutil.relativedelta, "
             "babel.numbers, babel.dates, sqlite3, zipfile, zlib, json, hashlib; "
             "babel.Locale.parse('fr_CA')")

# What the second run cannot avoid once it has started: reading the cells of the workbooks
# that changed (python-calamine, to Python values) and the read cache's bytes, then writing
# the bytes of each output that changed (as they are: the rendering and the compression are
# not counted), in a scratch folder of the same file system. Prints the CPU time of each.
_IO_FLOOR = r"""
import json, os, sys, time
import python_calamine
new, cache, changed, scratch = json.loads(sys.stdin.read())
c = time.process_time()
for path in new:
    wb = python_calamine.CalamineWorkbook.from_path(path)
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()
for path in cache:
    with open(path, "rb") as fh:
        fh.read()
read = time.process_time() - c
c = time.process_time()
for i, (path, size) in enumerate(changed):
    if path is None:  # the journal's growth
        data = bytes(size)
    else:
        with open(path, "rb") as fh:
            data = fh.read()
    with open(os.path.join(scratch, str(i)), "wb") as fh:
        fh.write(data)
write = time.process_time() - c
print(json.dumps({"lecture": read, "ecriture": write}))
"""


def _child_cpu(code: str, given: str = "") -> tuple[float, str]:
    """CPU time (user + system) of ``python -c code`` given ``given`` on its input, and what
    it printed."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")  # as the run sets them
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env=env, cwd=REPO)
    with proc.stdin:  # the child reads all of it before printing anything
        proc.stdin.write(given.encode("utf-8"))
    printed = proc.stdout.read().decode("utf-8")
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"mesure du plancher : échec de {code[:40]!r}")
    return usage.ru_utime + usage.ru_stime, printed


def second_run_floor(out: Path, new_inputs: list[Path], work: Path, journal_before: int) -> dict:
    """The second run's I/O floor, measured right after it: start-up (interpreter and the
    libraries a run imports), reading the new workbook's cells and the read cache, writing
    the bytes of every output that differs from the first run's (kept under historique/),
    and the journal's growth since ``journal_before`` bytes. Each is the least any
    implementation of the run must pay."""
    runs = sorted(p for p in (out / "historique").iterdir() if p.is_dir())
    before = runs[-1]
    changed = []
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out)
        if (not path.is_file() or rel.parts[0] in ("historique", ".cache") or rel.name.startswith(".syndic-batch")
                or rel.name == "journal.sqlite"):
            continue
        old = before / rel
        if old.is_file() and file_digest(old) == file_digest(path):  # (size, sha256)
            continue
        changed.append((str(path), path.stat().st_size))
    n_files, n_bytes = len(changed), sum(size for _, size in changed)
    journal = out / "journal.sqlite"
    growth = max(0, journal.stat().st_size - journal_before) if journal.exists() else 0
    if growth:
        changed.append((None, growth))
    cache = [str(p) for p in (out / ".cache").rglob("*") if p.is_file()] if (out / ".cache").is_dir() else []
    scratch = work / "plancher"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    start, _ = _child_cpu(LIBRARIES)
    bare, _ = _child_cpu("pass")
    _, printed = _child_cpu(_IO_FLOOR, json.dumps([[str(p) for p in new_inputs], cache, changed, str(scratch)]))
    parts = json.loads(printed)
    # ``scratch`` is removed with the work folder, after every measurement: on a file system
    # without a journal (ext4 here) creating files is slow for ~30 s after many deletions.
    return {"demarrage_s": start, "interprete_seul_s": bare, "lecture_s": parts["lecture"],
            "ecriture_s": parts["ecriture"], "total_s": start + parts["lecture"] + parts["ecriture"],
            "fichiers_changes": n_files, "octets_changes": n_bytes, "journal_croissance": growth}


def cycle(inbox: Path, work: Path, args) -> list[dict]:
    box, out = work / "boite", work / "sortie"
    shutil.rmtree(box, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    for stray in work.glob("sortie.std*"):
        stray.unlink()
    shutil.copytree(inbox, box)
    runs = []
    first = run_command(box, out, args.timeout, args.rss_max, date=args.date)
    first["etape"] = "1. traitement complet (sortie neuve)"
    runs.append(first)
    journal = out / "journal.sqlite"
    journal_before = journal.stat().st_size if journal.exists() else 0
    t = time.perf_counter()
    path = generate.one_month(box, args.mois, args.lignes, args.members, args.seed)
    gen = time.perf_counter() - t
    second = run_command(box, out, args.timeout, args.rss_max, date=args.date)
    second["etape"] = f"2. après ajout de {path.relative_to(box)} ({args.lignes} lignes)"
    second["generation_s"] = gen
    runs.append(second)
    second["plancher"] = second_run_floor(out, [path], work, journal_before)
    if args.sans_changement:
        third = run_command(box, out, args.timeout, args.rss_max, date=args.date)
        third["etape"] = "3. relance sans changement"
        runs.append(third)
    top = sorted(p.name for p in out.iterdir()) if out.exists() else []
    runs[-1]["sortie"] = top
    return runs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Mesure un traitement complet puis un traitement après l'ajout "
                                             "d'un classeur mensuel (issue 8, point 5).")
    ap.add_argument("inbox", type=Path, help="boîte générée par benchmarks/generate.py (par ex. /tmp/bench100k)")
    ap.add_argument("--members", type=int, default=2000, help="--members donné à generate.py pour cette boîte")
    ap.add_argument("--seed", type=int, default=1, help="--seed donné à generate.py pour cette boîte")
    ap.add_argument("--mois", default="2026-09", help="mois du classeur ajouté (AAAA-MM)")
    ap.add_argument("--lignes", type=int, default=8000, help="lignes du classeur ajouté")
    ap.add_argument("--date", default="2026-09-30", help="date des traitements (AAAA-MM-JJ)")
    ap.add_argument("--sans-changement", action="store_true", help="ajouter une relance sans aucun changement")
    ap.add_argument("--repetitions", type=int, default=1, help="répéter le cycle (médiane et étendue)")
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--rss-max", type=float, default=8000.0)
    ap.add_argument("--travail", type=Path, default=None, help="dossier de travail (temporaire par défaut)")
    ap.add_argument("--garder", action="store_true", help="garder la boîte et la sortie")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    if not args.inbox.is_dir():
        ap.error(f"« {args.inbox} » n'est pas un dossier")

    work = args.travail or Path(tempfile.mkdtemp(prefix="syndic-incr-"))
    work.mkdir(parents=True, exist_ok=True)
    cycles = []
    try:
        # each cycle in its own folder, all removed at the end: removing thousands of files
        # would slow down the next cycle's first run (see second_run_floor)
        for i in range(args.repetitions):
            cycles.append(cycle(args.inbox, work / f"cycle-{i + 1}", args))
    finally:
        if not args.garder:
            if args.travail is None:
                shutil.rmtree(work, ignore_errors=True)
            else:
                for i in range(args.repetitions):
                    shutil.rmtree(work / f"cycle-{i + 1}", ignore_errors=True)

    print(f"Cycle mensuel : {args.inbox} ; --date {args.date} ; {os.cpu_count()} cœurs "
          f"(charge {os.getloadavg()[0]:.1f})")
    print(f"{'traitement':<60} {'durée (s)':>9} {'CPU (s)':>8} {'RSS max (Mo)':>12} {'code':>4}  "
          "rapport au 1er (durée ; CPU)")
    ratios, cpu_ratios = [], []
    for runs in cycles:
        base, base_cpu = runs[0]["secondes"], runs[0]["cpu_s"]
        for r in runs:
            code = "tué" if r["tue"] else str(r["code"])
            print(f"{r['etape'][:60]:<60} {r['secondes']:>9.2f} {r['cpu_s']:>8.2f} {r['rss_max_mo']:>12.0f} {code:>4}  "
                  f"{r['secondes'] / base:>6.0%} ; {r['cpu_s'] / base_cpu:>4.0%}")
        ratios.append(runs[1]["secondes"] / base)
        cpu_ratios.append(runs[1]["cpu_s"] / base_cpu)
        if runs[-1].get("sortie"):
            print(f"   sortie après le dernier traitement : {', '.join(runs[-1]['sortie'])}")
    floors = [runs[1]["plancher"]["total_s"] / runs[0]["cpu_s"] for runs in cycles]
    if len(floors) > 1:
        print(f"plancher d'E/S du 2e traitement, part du 1er : de {min(floors):.0%} à {max(floors):.0%} "
              f"sur {len(floors)} cycles ; au dernier :")
    f = cycles[-1][1]["plancher"]
    print(f"plancher d'E/S du 2e traitement (CPU) : {f['total_s']:.2f} s = {floors[-1]:.0%} du 1er — "
          f"démarrage {f['demarrage_s']:.2f} s (interpréteur seul {f['interprete_seul_s']:.2f} s, avec les "
          f"bibliothèques qu'un traitement importe), lecture du nouveau classeur et du cache {f['lecture_s']:.2f} s, "
          f"écriture des {f['fichiers_changes']} sorties qui ont changé ({f['octets_changes'] / 1e6:.1f} Mo, "
          f"sans les produire) et de la croissance du journal ({f['journal_croissance'] / 1e6:.1f} Mo) "
          f"{f['ecriture_s']:.2f} s")
    left = TARGET * cycles[-1][0]["cpu_s"] - f["total_s"]
    print(f"   reste sous la cible pour vérifier les lignes, comparer au journal et produire ces sorties : "
          f"{left:.2f} s CPU")
    med = statistics.median(ratios)
    spread = f" (de {min(ratios):.0%} à {max(ratios):.0%} sur {len(ratios)} cycles)" if len(ratios) > 1 else ""
    print(f"cible (issue 8) : 2e traitement ≤ {TARGET:.0%} du 1er : {med:.0%}{spread} — "
          f"{'atteinte' if med <= TARGET else 'NON atteinte'} ; en temps CPU : {statistics.median(cpu_ratios):.0%}")
    if args.json:
        for runs in cycles:
            for r in runs:
                r.pop("stderr", None)
        args.json.write_text(json.dumps({"cycles": cycles, "rapports": ratios, "rapports_cpu": cpu_ratios}, ensure_ascii=False, indent=2),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

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
(target: ≤ 15 %). Both runs use the same ``--date`` (default 2026-09-30, so that the new
month is not in the future), so what differs is only the new workbook. What the second
run reuses and what it still pays: ``docs/decisions.md``, *The monthly cycle*.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import generate  # noqa: E402
from benchmarks.hostile import run_command  # noqa: E402

TARGET = 0.15


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
    t = time.perf_counter()
    path = generate.one_month(box, args.mois, args.lignes, args.members, args.seed)
    gen = time.perf_counter() - t
    second = run_command(box, out, args.timeout, args.rss_max, date=args.date)
    second["etape"] = f"2. après ajout de {path.relative_to(box)} ({args.lignes} lignes)"
    second["generation_s"] = gen
    runs.append(second)
    if args.sans_changement:
        third = run_command(box, out, args.timeout, args.rss_max, date=args.date)
        third["etape"] = "3. relance sans changement"
        runs.append(third)
    top = sorted(p.name for p in out.iterdir()) if out.exists() else []
    runs[-1]["sortie"] = top
    if not args.garder:
        shutil.rmtree(box, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
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
        for _ in range(args.repetitions):
            cycles.append(cycle(args.inbox, work, args))
    finally:
        if args.travail is None and not args.garder:
            shutil.rmtree(work, ignore_errors=True)

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

"""Time a full batch run on an inbox, stage by stage, against two baselines.

    python benchmarks/run.py DIR [--out OUT] [--date 2026-08-31] [--regles] [--tracemalloc] [--json F]

Each measurement runs in its own process, so that its peak memory (``ru_maxrss``)
is its own:

* ``plancher-lecture``: read every cell of every workbook with openpyxl
  (read-only, values only) — the floor for the read stage;
* ``plancher-copie``: load and save every workbook with openpyxl — the floor
  for the annotated copies of the write stage;
* ``pipeline``: ``syndic_batch.pipeline``'s stages in turn: ``read_stage``,
  ``account_stage`` (rates and ledger; run before the checks so that its cost
  is not hidden in the rules of art. 3, which use the same cached ledger),
  ``check_stage`` (or each rule alone with ``--regles``), ``write_stage``.

The outputs go to OUT (a temporary folder by default, removed afterwards).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def _peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _workbooks(inbox: Path) -> list[Path]:
    return sorted(p for p in inbox.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm") and p.is_file())


class Timer:
    """Times named steps; with ``trace``, also the peak of Python allocations in each."""

    def __init__(self, trace: bool):
        self.trace, self.steps = trace, []
        if trace:
            tracemalloc.start()

    def __call__(self, name: str, fn, *args, **kwargs):
        if self.trace:
            tracemalloc.reset_peak()
        t = time.perf_counter()
        result = fn(*args, **kwargs)
        step = {"etape": name, "secondes": time.perf_counter() - t, "rss_max_mo": _peak_mb()}
        if self.trace:
            step["python_max_mo"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        self.steps.append(step)
        return result


# ---------------------------------------------------------------- the parts (one process each)

def part_floor_read(inbox: Path, out: Path, args) -> list[dict]:
    from openpyxl import load_workbook

    def read_all():
        cells = 0
        for path in _workbooks(inbox):
            wb = load_workbook(path, read_only=True, data_only=True)
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    cells += len(row)
            wb.close()
        return cells

    timer = Timer(args.tracemalloc)
    cells = timer("plancher : lire toutes les cellules (openpyxl, lecture seule)", read_all)
    timer.steps[-1]["detail"] = f"{cells} cellules"
    return timer.steps


def part_floor_copy(inbox: Path, out: Path, args) -> list[dict]:
    from openpyxl import load_workbook

    def copy_all():
        for path in _workbooks(inbox):
            dst = out / "copies" / path.relative_to(inbox)
            dst.parent.mkdir(parents=True, exist_ok=True)
            load_workbook(path).save(dst)

    timer = Timer(args.tracemalloc)
    timer("plancher : charger et enregistrer chaque classeur (openpyxl)", copy_all)
    return timer.steps


def part_pipeline(inbox: Path, out: Path, args) -> list[dict]:
    from syndic_batch import pipeline
    from syndic_batch.config import load_params
    from syndic_batch.context import Context

    params = load_params(args.config)
    timer = Timer(args.tracemalloc)
    t0 = time.perf_counter()
    data = timer("lecture (read_stage)", pipeline.read_stage, inbox, params)
    timer.steps[-1]["detail"] = f"{len(data.forms)} lignes de formulaires"
    ctx = Context(data, params, args.date)
    timer("comptabilité (account_stage : taux, banque, fonds)", pipeline.account_stage, ctx)
    if args.regles:
        try:
            from syndic_batch.rules.registry import ALL_RULES
        except ImportError:
            from syndic_batch.rules import ALL_RULES
        findings = list(data.findings)
        for rule in ALL_RULES:
            found = timer(f"  règle {rule.__name__}", rule, ctx)
            timer.steps[-1]["detail"] = f"{len(found)} constats"
            findings += found
    else:
        findings = timer("vérifications (check_stage)", pipeline.check_stage, ctx)
        timer.steps[-1]["detail"] = f"{len(findings)} constats"
    out_dir = out / "sortie"
    if args.ecriture:
        write_by_writer(timer, ctx, findings, inbox, out_dir)
    else:
        timer("écriture (write_stage)", pipeline.write_stage, ctx, findings, inbox, out_dir)
    timer.steps.append({"etape": "total du traitement", "secondes": time.perf_counter() - t0,
                        "rss_max_mo": _peak_mb(), "detail": f"{len(findings)} constats"})
    return timer.steps


def write_by_writer(timer: Timer, ctx, findings, inbox: Path, out: Path) -> None:
    """What ``pipeline.write_stage`` does, one timed line per writer (``--ecriture``).
    Mirrors write_stage: keep the two in step if it changes."""
    from syndic_batch.model import sort_findings
    from syndic_batch.write.annotate import annotate_workbook
    from syndic_batch.write.constats import write_constats
    from syndic_batch.write.deposit import write_deposit
    from syndic_batch.write.plan_export import write_plan_export
    from syndic_batch.write.reports import write_reports

    out.mkdir(parents=True, exist_ok=True)
    by_file: dict[str, list] = {}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)

    def annotate_all():
        extra = []
        for report in (r for r in ctx.data.files if r.readable):
            dst = out / "annotes" / report.path
            dst.parent.mkdir(parents=True, exist_ok=True)
            extra += annotate_workbook(inbox / report.path, dst, report.path, by_file.get(report.path, []))
        return extra

    extra = timer("  écriture : classeurs annotés", annotate_all)
    all_findings = sort_findings(findings + extra)
    timer("  écriture : constats.json", write_constats, all_findings, out / "constats.json")
    timer("  écriture : dépôt à l'Employeur", write_deposit, ctx, out / "depot-employeur.xlsx")
    if ctx.data.plan is not None:
        timer("  écriture : plan d'action", write_plan_export, ctx, out / "plan-d-action.xlsx")
    timer("  écriture : rapports HTML", write_reports, ctx, all_findings, out / "rapports")


PARTS = {"plancher-lecture": part_floor_read, "plancher-copie": part_floor_copy, "pipeline": part_pipeline}


# ---------------------------------------------------------------- the driver

def _run_part(name: str, args, out: Path) -> list[dict]:
    cmd = [sys.executable, __file__, str(args.inbox), "--part", name, "--out", str(out),
           "--date", args.date.isoformat()]
    if args.tracemalloc:
        cmd.append("--tracemalloc")
    if args.regles:
        cmd.append("--regles")
    if args.ecriture:
        cmd.append("--ecriture")
    if args.config:
        cmd += ["--config", str(args.config)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"échec de la mesure « {name} » (code {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _table(steps: list[dict], trace: bool) -> str:
    head = f"{'étape':<62} {'durée (s)':>10} {'RSS max (Mo)':>13}"
    if trace:
        head += f" {'Python max (Mo)':>16}"
    lines = [head + "  détail", "-" * (len(head) + 20)]
    for s in steps:
        line = f"{s['etape'][:62]:<62} {s['secondes']:>10.2f} {s['rss_max_mo']:>13.0f}"
        if trace:
            py = s.get("python_max_mo")
            line += f" {py:>16.0f}" if py is not None else f" {'':>16}"
        lines.append(line + (f"  {s['detail']}" if s.get("detail") else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Mesure la durée et la mémoire d'un traitement, étape par étape.")
    ap.add_argument("inbox", type=Path, help="boîte de réception (par ex. générée par benchmarks/generate.py)")
    ap.add_argument("--out", type=Path, default=None, help="dossier des sorties (temporaire par défaut)")
    ap.add_argument("--date", type=dt.date.fromisoformat, default=dt.date(2026, 8, 31),
                    help="date du traitement (AAAA-MM-JJ)")
    ap.add_argument("--config", type=Path, default=None, help="fichier TOML de paramètres")
    ap.add_argument("--regles", action="store_true", help="chronométrer chaque règle séparément")
    ap.add_argument("--ecriture", action="store_true",
                    help="chronométrer chaque écriture (classeurs annotés, constats, dépôt, plan, rapports)")
    ap.add_argument("--tracemalloc", action="store_true",
                    help="mesurer aussi le pic des allocations Python de chaque étape (plus lent)")
    ap.add_argument("--sans-planchers", action="store_true", help="ne pas mesurer les deux planchers")
    ap.add_argument("--json", type=Path, default=None, help="écrire aussi les mesures dans ce fichier JSON")
    ap.add_argument("--part", choices=sorted(PARTS), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.part:  # child process: one measurement, JSON on stdout
        print(json.dumps(PARTS[args.part](args.inbox, args.out, args)))
        return 0

    if not args.inbox.is_dir():
        ap.error(f"« {args.inbox} » n'est pas un dossier")
    books = _workbooks(args.inbox)
    size = sum(p.stat().st_size for p in books) / 1024 / 1024
    tmp = None
    out = args.out
    if out is None:
        tmp = out = Path(tempfile.mkdtemp(prefix="syndic-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    try:
        steps = []
        if not args.sans_planchers:
            steps += _run_part("plancher-lecture", args, out)
            steps += _run_part("plancher-copie", args, out)
        steps += _run_part("pipeline", args, out)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"Banc d'essai : {args.inbox} — {len(books)} classeurs, {size:.1f} Mo ; "
          f"{os.cpu_count()} cœurs ; Python {sys.version.split()[0]}")
    print(_table(steps, args.tracemalloc))
    if args.json:
        args.json.write_text(json.dumps({"inbox": str(args.inbox), "classeurs": len(books), "mo": size,
                                         "etapes": steps}, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

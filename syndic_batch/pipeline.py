"""The batch, stage by stage: read → check → account → write.

This is the only module that sequences the stages. Each stage is a function
the benchmark can time on its own.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from pathlib import Path


import pandas as pd

from .config import DEFAULT_PARAMS, Params
from .context import Context
from .model import Finding, sort_findings
from .read.data import InboxData
from .read.inbox import Progress, read_inbox
from .rules.registry import run_rules


class OutputError(Exception):
    """The output folder cannot be used (message in French)."""


@dataclass
class RunResult:
    ctx: Context
    findings: list[Finding]
    outputs: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)   # French notes for stderr (e.g. --pdf not made)

    @property
    def data(self) -> InboxData:
        return self.ctx.data


def check_output_folder(inbox: Path, out: Path) -> None:
    """Refuse an output folder that would write into the inbox."""
    inbox_r, out_r = inbox.resolve(), out.resolve()
    if out_r == inbox_r or inbox_r in out_r.parents:
        raise OutputError(
            f"Le dossier de sortie « {out} » est dans la boîte de réception « {inbox} » : "
            "choisissez un dossier à l'extérieur, la boîte de réception n'est jamais modifiée.")
    if out_r.exists() and not out_r.is_dir():
        raise OutputError(f"« {out} » existe déjà et n'est pas un dossier : choisissez un dossier de sortie.")
    for sub in ("annotes", "rapports"):
        if (out_r / sub) == inbox_r or (out_r / sub) in inbox_r.parents:
            raise OutputError(
                f"La boîte de réception « {inbox} » est dans « {out / sub} », où syndic-batch écrit : "
                "choisissez un autre dossier de sortie.")


def refuse_inside_inbox(inbox: Path, path: Path) -> Path:
    """``path`` if writing it cannot touch the inbox, once every link is followed
    (an ``annotes`` folder that is a link to the inbox is refused)."""
    inbox_r, target = inbox.resolve(), path.resolve()
    if target == inbox_r or inbox_r in target.parents:
        raise OutputError(
            f"« {path} » mène dans la boîte de réception « {inbox} » (lien symbolique ?) : "
            "syndic-batch n'y écrit jamais. Choisissez un autre dossier de sortie.")
    return path


def read_stage(inbox: Path, params: Params, progress: Progress | None = None) -> InboxData:
    return read_inbox(inbox, params, progress)


def check_stage(ctx: Context) -> list[Finding]:
    return attach_members(ctx, list(ctx.data.findings) + run_rules(ctx))


def attach_members(ctx: Context, findings: list[Finding]) -> list[Finding]:
    """Each finding about a form row, with its member's matricule and name (the
    register's name, else the form's) for the writers that list findings by member;
    a finding on a row of the register or of the employer's statement, with that
    row's member."""
    forms = ctx.forms
    names = ctx.names if not (forms.empty and ctx.data.members.empty) else {}
    other_rows: dict[tuple, str] | None = None
    out = []
    for f in findings:
        if f.form_id is not None and f.matricule is None and f.form_id in forms.index:
            mat = forms.at[f.form_id, "matricule"]
            if mat is not None:
                f = replace(f, matricule=mat, nom=names.get(mat) or forms.at[f.form_id, "nom"])
        elif f.form_id is None and f.matricule is None and f.row is not None:
            if other_rows is None:
                other_rows = _members_by_row(ctx)
            mat = other_rows.get((f.file, f.sheet, f.row))
            if mat is not None:
                f = replace(f, matricule=mat, nom=names.get(mat))
        out.append(f)
    return out


def _members_by_row(ctx: Context) -> dict[tuple, str]:
    """(file, sheet, row) → matricule, for the rows of the register and of the statements."""
    rows: dict[tuple, str] = {}
    for frame in (ctx.data.members, getattr(ctx.data, "statements", None)):
        if frame is None or frame.empty or "matricule" not in frame:
            continue
        for file, sheet, row, mat in zip(frame["_file"], frame["_sheet"], frame["_row"], frame["matricule"]):
            if mat is not None:
                rows[(file, sheet, int(row))] = mat
    return rows


def account_stage(ctx: Context) -> pd.DataFrame:
    return ctx.ledger


def write_stage(ctx: Context, findings: list[Finding], inbox: Path, out: Path,
                progress: Progress | None = None) -> tuple[list[Path], list[Finding]]:
    """Write every output; return the paths and the findings the writing adds
    (what an annotated copy cannot keep)."""
    from .write.annotate import annotate_workbook, annotated_name
    from .write.constats import write_constats
    from .write.constats_xlsx import write_constats_xlsx
    from .write.deposit import write_deposit
    from .write.plan_export import write_plan_export
    from .write.releves import write_statements
    from .write.reports import write_reports

    out.mkdir(parents=True, exist_ok=True)
    outputs: list[Path] = []
    extra: list[Finding] = []
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    readable = [r for r in ctx.data.files if r.readable]
    for i, report in enumerate(readable):
        if progress:
            progress(i, len(readable), report.path)
        dst = refuse_inside_inbox(inbox, out / "annotes" / annotated_name(report.path))
        dst.parent.mkdir(parents=True, exist_ok=True)
        copy = annotate_workbook(inbox / report.path, dst, report.path, by_file.get(report.path, []))
        extra += copy
        if copy.path is not None:
            outputs.append(copy.path)
    if progress:
        progress(len(readable), len(readable), "")
    all_findings = sort_findings(findings + extra)
    for name in ("constats.json", "constats.xlsx", "depot-employeur.xlsx", "plan-d-action.xlsx", "rapports",
                 "releves"):
        refuse_inside_inbox(inbox, out / name)
    outputs.append(write_constats(all_findings, out / "constats.json"))
    outputs.append(write_constats_xlsx(all_findings, out / "constats.xlsx", {r.path for r in readable}))
    outputs.append(write_deposit(ctx, out / "depot-employeur.xlsx"))
    if ctx.data.plan is not None:
        outputs.append(write_plan_export(ctx, out / "plan-d-action.xlsx"))
    outputs += write_reports(ctx, all_findings, out / "rapports")
    outputs += write_statements(ctx, all_findings, out / "releves")
    return outputs, extra


def run(inbox: str | Path, out: str | Path, as_of: dt.date | None = None,
        params: Params = DEFAULT_PARAMS, progress: Progress | None = None,
        write_progress: Progress | None = None, pdf: bool = False) -> RunResult:
    inbox, out = Path(inbox), Path(out)
    check_output_folder(inbox, out)
    timings: dict[str, float] = {}

    t = time.perf_counter()
    data = read_stage(inbox, params, progress)
    timings["lecture"] = time.perf_counter() - t

    ctx = Context(data, params, as_of or dt.date.today())
    t = time.perf_counter()
    findings = check_stage(ctx)
    timings["vérifications"] = time.perf_counter() - t

    t = time.perf_counter()
    account_stage(ctx)
    timings["comptabilité"] = time.perf_counter() - t

    t = time.perf_counter()
    outputs, extra = write_stage(ctx, findings, inbox, out, write_progress)
    timings["écriture"] = time.perf_counter() - t

    messages: list[str] = []
    if pdf:  # --pdf: rapports/*.pdf beside the HTML; a missing converter is a message, not a failure
        from .write.pdf import write_pdfs
        t = time.perf_counter()
        made = write_pdfs([p for p in outputs if p.suffix == ".html" and p.parent == out / "rapports"])
        outputs += made.paths
        messages += made.messages
        timings["pdf"] = time.perf_counter() - t
    return RunResult(ctx, sort_findings(findings + extra), outputs, timings, messages)

"""The batch, stage by stage: read → check → account → write, then the swap.

This is the only module that sequences the stages. Each stage is a function
the benchmark can time on its own. ``run`` is one run of the monthly cycle
(issue 8): under the output folder's lock, the journal gives the previous run
(before the checks, so the rules of ``rules/apres_coup.py`` see it), everything is
written into a staging folder, the run is recorded in the journal and the staged
outputs replace the previous ones, which move to ``historique/``
(``write/snapshot.py``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
import os
import shutil
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__
from .config import DEFAULT_PARAMS, Params, params_hash
from .context import Context
from .journal import Journal, PreviousRun, RowDiff
from .journal.rows import NUMBER_FIELDS, REF_COLUMNS, ROW_COLUMNS
from .journal.store import RowsToRecord
from .model import Finding, sort_findings
from .read.data import InboxData
from .read.inbox import Progress, read_inbox
from .rules.registry import run_rules
from .write.snapshot import JOURNAL_NAME, ForeignFolder, OutputFolder, OutputLocked, interrupts_deferred

# Tests: seconds to sleep once everything is staged, before the swap (to kill a run
# while it writes), and in the middle of the swap's renames.
PAUSE_BEFORE_SWAP = "SYNDIC_BATCH_TEST_PAUSE_AVANT_BASCULE"
PAUSE_DURING_SWAP = "SYNDIC_BATCH_TEST_PAUSE_PENDANT_BASCULE"


class OutputError(Exception):
    """The output folder cannot be used (message in French)."""


@dataclass
class RunResult:
    ctx: Context
    findings: list[Finding]
    outputs: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)   # French notes for stderr (e.g. --pdf not made)
    journal: Path | None = None
    historique: Path | None = None       # where the previous outputs went (None: first run)
    reused: list[str] = field(default_factory=list)  # annotated copies reused from the previous run

    @property
    def data(self) -> InboxData:
        return self.ctx.data

    @property
    def changes(self) -> RowDiff:
        return self.ctx.changes


def check_output_folder(inbox: Path, out: Path) -> None:
    """Refuse an output folder that would write into the inbox."""
    inbox_r, out_r = inbox.resolve(), out.resolve()
    if out_r == inbox_r or inbox_r in out_r.parents:
        raise OutputError(
            f"Le dossier de sortie « {out} » est dans la boîte de réception « {inbox} » : "
            "choisissez un dossier à l'extérieur, la boîte de réception n'est jamais modifiée.")
    if out_r.exists() and not out_r.is_dir():
        raise OutputError(f"« {out} » existe déjà et n'est pas un dossier : choisissez un dossier de sortie.")
    if out_r in inbox_r.parents:
        raise OutputError(
            f"La boîte de réception « {inbox} » est dans le dossier de sortie « {out} », dont syndic-batch "
            "range le contenu dans historique/ à chaque traitement : choisissez un dossier de sortie à "
            "l'extérieur de la boîte de réception et qui ne la contient pas.")
    if out_r.is_dir():
        for entry in out_r.iterdir():  # an output that is a link into the inbox
            if entry.is_symlink():
                refuse_inside_inbox(inbox, entry)


def refuse_inside_inbox(inbox: Path, path: Path) -> Path:
    """``path`` if writing it cannot touch the inbox, once every link is followed
    (an ``annotes`` folder that is a link to the inbox is refused)."""
    inbox_r, target = inbox.resolve(), path.resolve()
    if target == inbox_r or inbox_r in target.parents:
        raise OutputError(
            f"« {path} » mène dans la boîte de réception « {inbox} » (lien symbolique ?) : "
            "syndic-batch n'y écrit jamais. Choisissez un autre dossier de sortie.")
    return path


def read_stage(inbox: Path, params: Params, progress: Progress | None = None,
               cache_dir: Path | None = None) -> InboxData:
    """Read the inbox; with ``cache_dir``, a workbook whose bytes did not change since it
    was last read is not parsed again."""
    return read_inbox(inbox, params, progress, cache_dir=cache_dir)


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


class AnnotationReuse:
    """Incremental runs: the annotated copy of a workbook whose bytes and findings did
    not change since the previous run is copied from the previous outputs instead of
    being written again. Also collects, per input, what the journal keeps for the next
    run (size, sha256, findings hash, the findings the copy's writing added)."""

    def __init__(self, inbox: Path, files, previous: PreviousRun | None, previous_out: Path | None):
        self.previous = previous
        self.previous_out = previous_out
        self.inputs: dict[str, dict[str, Any]] = {}
        for report in files:
            size, sha = getattr(report, "size", None), getattr(report, "sha256", None)
            if size is None or sha is None:
                size, sha = file_digest(inbox / report.path)
            self.inputs[report.path] = {"path": report.path, "size": size, "sha256": sha,
                                        "findings_hash": None, "writing_findings": []}
        self.reused: list[str] = []

    def reuse(self, rel: str, findings: list[Finding], dst: Path) -> list[Finding] | None:
        """Copy the previous annotated copy to ``dst`` and return the findings its writing
        had added; None when it cannot be reused (then write it)."""
        mine = self.inputs[rel]
        mine["findings_hash"] = findings_hash(findings)
        if self.previous is None or self.previous_out is None:
            return None
        before = self.previous.inputs.get(rel)
        from .write.annotate import annotated_name

        old = self.previous_out / "annotes" / annotated_name(rel)
        if (before is None or before["sha256"] != mine["sha256"] or before["size"] != mine["size"]
                or before["findings_hash"] != mine["findings_hash"] or not old.is_file() or old.is_symlink()):
            return None
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(old, dst)
        mine["writing_findings"] = before["writing_findings"]
        self.reused.append(rel)
        return [finding_from_json(d) for d in before["writing_findings"]]

    def written(self, rel: str, extra: list[Finding]) -> None:
        self.inputs[rel]["writing_findings"] = [finding_to_json(f) for f in extra]


def file_digest(path: Path) -> tuple[int, str]:
    with open(path, "rb") as fh:
        return os.fstat(fh.fileno()).st_size, hashlib.file_digest(fh, "sha256").hexdigest()


def finding_to_json(f: Finding) -> dict[str, Any]:
    return {**f.to_json(), "column_index": f.column_index, "matricule": f.matricule, "nom": f.nom}


def finding_from_json(d: dict[str, Any]) -> Finding:
    return Finding(**d)


# What an annotated copy shows of a finding: every field but ``form_id`` (a position in this
# run's frame). ``repr`` of a tuple of str, int and None is stable; about 4x cheaper than one
# sorted JSON object per finding (12 522 findings: ~0.1 s of a re-run).
_SHOWN = operator.attrgetter("article", "rule", "severity", "file", "sheet", "row", "column", "message",
                             "column_index", "matricule", "nom")


def findings_hash(findings: list[Finding]) -> str:
    """What an annotated copy shows of its findings (and the tool's version, which
    decides how it shows them)."""
    items = sorted(map(repr, map(_SHOWN, findings)))
    return hashlib.sha256("\n".join([__version__, "2", *items]).encode("utf-8")).hexdigest()


def write_stage(ctx: Context, findings: list[Finding], inbox: Path, out: Path,
                progress: Progress | None = None, reuse: AnnotationReuse | None = None
                ) -> tuple[list[Path], list[Finding]]:
    """Write every output into ``out`` (the run's staging folder); return the paths and
    the findings the writing adds (what an annotated copy cannot keep)."""
    from .write.annotate import annotate_workbook, annotated_name
    from .write.changements import write_changements
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
        mine = by_file.get(report.path, [])
        added = reuse.reuse(report.path, mine, dst) if reuse else None
        if added is not None:
            outputs.append(dst)
        else:
            copy = annotate_workbook(inbox / report.path, dst, report.path, mine)
            added = list(copy)
            if copy.path is not None:
                outputs.append(copy.path)
            if reuse:
                reuse.written(report.path, added)
        extra += added
    if progress:
        progress(len(readable), len(readable), "")
    all_findings = sort_findings(findings + extra)
    # One line per output of OUT's top level (another writer is one more line).
    for name in ("constats.json", "constats.xlsx", "changements.json", "depot-employeur.xlsx",
                 "plan-d-action.xlsx", "rapports", "releves"):
        refuse_inside_inbox(inbox, out / name)
    # The previous run's outputs (OUT's top level until the swap): a workbook that would
    # show exactly the same is copied from there (write/xlsx_reuse.py).
    before = reuse.previous_out if reuse else None
    outputs.append(write_constats(all_findings, out / "constats.json"))
    outputs.append(write_constats_xlsx(all_findings, out / "constats.xlsx", {r.path for r in readable},
                                       previous=before / "constats.xlsx" if before else None))
    outputs.append(write_changements(ctx, out / "changements.json"))
    outputs.append(write_deposit(ctx, out / "depot-employeur.xlsx",
                                 previous=before / "depot-employeur.xlsx" if before else None))
    if ctx.data.plan is not None:
        outputs.append(write_plan_export(ctx, out / "plan-d-action.xlsx"))
    outputs += write_reports(ctx, all_findings, out / "rapports")
    # A member's statement that did not change is copied from OUT's current one (its digest).
    previous = reuse.previous_out / "releves" if reuse is not None and reuse.previous_out is not None else None
    outputs += write_statements(ctx, all_findings, out / "releves", previous=previous)
    return outputs, extra


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone().replace(microsecond=0)


def _pause(var: str) -> None:
    seconds = os.environ.get(var)
    if seconds:
        time.sleep(float(seconds))


# Rows converted to the journal's shape and written per chunk (bounded memory at 1M rows).
JOURNAL_CHUNK = 50_000


def journal_rows(ctx: Context, jeton: str) -> RowsToRecord:
    """What this run writes of its rows: the previous states it ends, and its new
    states (rows added, edited, moved, decided…; all of them in a first run), each
    keeping the identity of the previous run's row it was paired with, a new row
    getting a new one. Unchanged rows keep their state (``RowDiff.carried``)."""
    from .journal.rows import journal_shape

    diff = ctx.changes
    ids, typed = diff.insert, diff.typed
    positions = typed.index.get_indexer(ids)
    prefix = jeton[:12]

    def floats(values) -> list:
        return [None if v != v else v for v in values.tolist()]

    def chunks():
        for start in range(0, len(ids), JOURNAL_CHUNK):
            part = ids[start:start + JOURNAL_CHUNK]
            # a later run converted its listed rows already (they include those it writes)
            shape = diff.current.loc[part] if diff.previous is not None else journal_shape(typed.loc[part])
            ident = [f"{prefix}-{i}" if v is None else v for i, v in zip(part.tolist(), diff.identity.loc[part])]
            refs = diff.refs.loc[part]
            pos = positions[start:start + JOURNAL_CHUNK]
            cols = [ident, shape["file"].tolist(), shape["sheet"].tolist(), shape["row"].tolist()]
            for f in ROW_COLUMNS[3:]:
                cols.append(floats(shape[f]) if f in NUMBER_FIELDS else shape[f].tolist())
            cols += [refs[c].tolist() for c in REF_COLUMNS]
            cols += [diff.key[pos].tolist(), diff.state[pos].tolist()]
            yield cols

    new_states = pd.DataFrame({"cle": diff.key[positions], "empreinte": diff.state[positions],
                               "explicite": (diff.refs["etat_adopte"].notna() | diff.refs["etat_depose"].notna())
                               .reindex(ids).to_numpy(dtype=bool)})
    kept = diff.previous.states.loc[diff.carried] if diff.previous is not None else None
    return RowsToRecord(closed=diff.closed, new=chunks(), new_states=new_states, kept=kept)


def run(inbox: str | Path, out: str | Path, as_of: dt.date | None = None,
        params: Params = DEFAULT_PARAMS, progress: Progress | None = None,
        write_progress: Progress | None = None, pdf: bool = False, journal: str | Path | None = None,
        keep: int | None = None) -> RunResult:
    """One run of the monthly cycle into ``out``: the journal (``out/journal.sqlite``
    unless ``journal`` names another file) and ``historique/`` keep the earlier runs
    (the last ``keep`` of them, all when None). ``pdf``: the reports in PDF too."""
    inbox, out = Path(inbox), Path(out)
    check_output_folder(inbox, out)
    journal_path = Path(journal) if journal else out / JOURNAL_NAME
    refuse_inside_inbox(inbox, journal_path)
    if journal_path.exists() and not journal_path.is_file():
        raise OutputError(f"Le journal « {journal_path} » n'est pas un fichier : indiquez un fichier avec --journal.")
    started = _now()
    as_of = as_of or dt.date.today()
    jeton = uuid.uuid4().hex
    timings: dict[str, float] = {}
    try:
        with OutputFolder(out, keep, reserved=[journal_path]) as folder, ExitStack() as stack:
            # An existing journal is opened now (the previous run, a swap to finish); a new
            # one only when the run is recorded, so that a failed first run leaves none.
            jr = stack.enter_context(Journal(journal_path)) if journal_path.exists() else None
            folder.recover(jr.is_recorded if jr else (lambda _jeton: False))
            out_key = str(out.resolve())
            previous = jr.previous(out_key) if jr else None
            staging = folder.make_staging()

            t = time.perf_counter()
            data = read_stage(inbox, params, progress, cache_dir=folder.cache_dir)
            timings["lecture"] = time.perf_counter() - t

            ctx = Context(data, params, as_of, previous=previous, started=started.isoformat())
            t = time.perf_counter()
            findings = check_stage(ctx)
            timings["vérifications"] = time.perf_counter() - t

            t = time.perf_counter()
            account_stage(ctx)
            timings["comptabilité"] = time.perf_counter() - t

            t = time.perf_counter()
            reuse = AnnotationReuse(inbox, data.files, previous, out)
            staged, extra = write_stage(ctx, findings, inbox, staging, write_progress, reuse)
            timings["écriture"] = time.perf_counter() - t

            messages: list[str] = []
            if pdf:  # --pdf: rapports/*.pdf beside the HTML; a missing converter is a message, not a failure
                from .write.pdf import write_pdfs
                t = time.perf_counter()
                made = write_pdfs([p for p in staged if p is not None and p.suffix == ".html"
                                   and p.parent == staging / "rapports"])
                staged += made.paths
                messages += made.messages
                timings["pdf"] = time.perf_counter() - t

            t = time.perf_counter()
            rows = journal_rows(ctx, jeton)
            _pause(PAUSE_BEFORE_SWAP)
            if jr is None:
                jr = stack.enter_context(Journal(journal_path))
            with interrupts_deferred():  # Ctrl-C waits until the run is recorded and in place
                marker = folder.prepare_swap(jeton, started.isoformat())
                jr.record({"jeton": jeton, "out_dir": out_key, "started": started.isoformat(),
                           "finished": _now().isoformat(), "as_of": as_of.isoformat(),
                           "tool_version": __version__, "params_hash": params_hash(params)},
                          reuse.inputs.values(), rows)
                if os.environ.get(PAUSE_DURING_SWAP):
                    folder._renames(marker, up=False)  # the first half of the swap only
                    _pause(PAUSE_DURING_SWAP)
                folder.swap(marker)
            folder.prune()
            timings["journal et bascule"] = time.perf_counter() - t
    except OutputLocked as exc:
        raise OutputError(str(exc)) from exc
    except ForeignFolder as exc:
        raise OutputError(str(exc)) from exc
    # OUT's paths of what was staged (string work: ``Path.relative_to`` per statement is slow)
    prefix = str(staging) + os.sep
    outputs = [out / (text[len(prefix):] if (text := str(p)).startswith(prefix) else p.relative_to(staging))
               for p in staged if p is not None]
    return RunResult(ctx, sort_findings(findings + extra), outputs, timings, messages=messages,
                     journal=journal_path, historique=folder.historique, reused=reuse.reused)

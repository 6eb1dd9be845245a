"""OUT/releves/<matricule>.html: one printable statement per member.

For each member with a form row in the bank year of the run's date (or a row
whose activity date cannot be read): who they are, the bank year, each of their
rows (date, category, hours asked and granted, the CE's decision and its date,
the deposit date, the hours charged to the bank and to the union funds) and
every finding on their rows, in plain French. The totals count what the CE
report counts for the member (adopted rows of the bank year decided by the run's
date, the rows of ``reports.shared.granted_rows``), so the two agree. The member's
own rate appears on their own statement (never in the CS or AG reports).

Self-contained like the reports (inline CSS allowed by its hash in a
Content-Security-Policy, no script, every text escaped by Jinja2). File names
come from the matricule, made safe: only letters, digits, ``-`` and ``_`` are
kept; a matricule that needed changing gets a short hash of itself, so that two
matricules never share a file and none can leave the folder.

Cost and memory (issues 8 and 11): the rows are sorted by member once; members
are then built in batches of a few thousand rows (each display text formatted
once per distinct value over the whole run) and each member's view is yielded,
rendered with the one compiled template and written before the next one is
built: nothing per member is kept once written. Each statement carries, in its
head, a digest of its view, of the tool's version and of the template
(``<meta name="syndic-batch-empreinte">``): a statement whose digest equals the
one of the previous run's file (``previous``, OUT's current ``releves/``) is
copied from it instead of being rendered again.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

import jinja2
import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

from .. import __version__
from .. import formatting as fmt
from ..account.ledger import EPS
from ..account.reference import ADOPTEE, EN_DEPOT, INCONNUE, NON_DECIDEE, REFUSEE
from ..context import Context
from ..model import Finding, sort_findings
from ..resources import templates_dir
from ..text import fold
from .reports import _CodeGenerator as _ReportsCodeGenerator
from .reports import _escape_output, content_security_policy
from .reports.compiled import bytecode_cache
from .reports.shared import SEVERITY_LABELS, BankYear, _canonical_categories, bank_year

FOLDER = "releves"
_STATE = {ADOPTEE: "Adoptée", REFUSEE: "Refusée", EN_DEPOT: "En dépôt", NON_DECIDEE: "Pas encore décidée",
          INCONNUE: "Décision illisible"}
_SAFE = re.compile(r"[^0-9A-Za-z_-]")
# Rows of the members built together (their texts formatted in one go): bounded memory
# whatever the number of rows, few enough pandas calls per member.
BATCH_ROWS = 20_000
DIGEST_META = "syndic-batch-empreinte"
_DIGEST = re.compile(rb'<meta name="syndic-batch-empreinte" content="([0-9a-f]{64})">')
_HEAD_BYTES = 4096   # the digest is in the first lines of the head, before the CSS


def safe_name(matricule: str) -> str:
    """A file name for the member's statement that stays in its folder."""
    text = str(matricule)
    if text.isascii() and text.isalnum() and len(text) <= 40:   # most matricules: nothing to change
        return f"{text}.html"
    safe = _SAFE.sub("_", text)[:40]
    if safe.startswith("-"):
        safe = "_" + safe[1:]
    if safe != text or not safe:
        safe = f"{safe or 'membre'}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"
    return f"{safe}.html"


def _ts(d) -> pd.Timestamp:
    return pd.Timestamp(d)


def _hours(value: float) -> str:
    return fmt.hours(value) if value and value > EPS else "—"


def _statement_mask(forms: pd.DataFrame, year: BankYear | None) -> pd.Series:
    """The form rows of the statements: in the bank year of the run's date (or, with no
    such year, every dated row), plus the rows whose activity date cannot be read."""
    if year is None:
        return forms["matricule"].notna()
    in_year = (forms["date_activite"] >= _ts(year.start)) & (forms["date_activite"] <= _ts(year.end))
    return forms["matricule"].notna() & (in_year | forms["date_activite"].isna())


def _counted(ctx: Context, year: BankYear | None) -> np.ndarray:
    """Per form row (position), whether the member's totals count it: the rows of
    ``reports.shared.granted_rows`` (adopted, of the bank year of the run's date, decided
    by that date), computed as a mask instead of a copy of the rows."""
    forms, ledger = ctx.forms, ctx.ledger
    if year is None or forms.empty:
        return np.zeros(len(forms), dtype=bool)
    decided = forms["date_decision"].isna() | (forms["date_decision"] <= _ts(ctx.as_of))
    mask = ledger["adoptee"].astype(bool) & decided & (ledger["annee_banque"] == _ts(year.start))
    return mask.reindex(forms.index, fill_value=False).to_numpy(dtype=bool)


class _Texts:
    """The display text of a column's values, each distinct value formatted once over
    the whole run (Babel is slow; dates and hours repeat a lot)."""

    def __init__(self, to_text: Callable[[Any], str]):
        self.to_text = fmt.memo(to_text)
        self.missing = to_text(None)

    def __call__(self, series: pd.Series) -> list[str]:
        codes, uniq = pd.factorize(series, use_na_sentinel=True)
        texts = [self.to_text(v) for v in uniq]
        texts.append(self.missing)
        return [texts[c] for c in codes]


def _item(self, key):
    return getattr(self, key) if isinstance(key, str) else tuple.__getitem__(self, key)


def _by_name(cls):
    """``view.nom`` or ``view["nom"]``: a named tuple read like the dict it replaces. The
    template reads attributes, which Jinja2 tries first (``getattr``; on a dict every read
    failed with an AttributeError before the key was tried); tests and callers read keys.
    ``repr`` is the tuple's: what the digest reads are the values (C speed), not the names."""
    cls.__getitem__ = _item
    cls.__repr__ = tuple.__repr__
    return cls


@_by_name
class Remark(NamedTuple):
    """One finding under a statement row, as displayed."""
    severite: str
    libelle: str
    article: str
    message: str
    colonne: str


@_by_name
class Line(NamedTuple):
    """One row of a statement, as displayed (``line.date`` or ``line["date"]``). The
    template unpacks each row into these fields in this order: change both together."""
    date: str
    categorie: str
    description: str
    demandees: str
    accordees: str
    decision: str
    etat: str
    note: str | None
    depot: str
    banque: str
    fonds: str
    source: str
    constats: list[Remark]


@_by_name
class StatementView(NamedTuple):
    """What one member's statement shows (``view.nom`` or ``view["nom"]``)."""
    syndicat: str
    matricule: str
    nom: str
    date: str
    date_iso: str
    annee: str
    taux: str
    lignes: list[Line]
    nombre: int
    total_demandees: str
    total_accordees: str
    total_accordees_valeur: float
    total_banque: str
    total_fonds: str
    total_valeur: str
    en_attente: int
    constats: int


_FORM_COLS = ["nom", "date_activite", "categorie", "description", "heures_demandees", "date_decision",
              "date_depot", "_file", "_row"]
_LEDGER_COLS = ["heures_octroyees", "heures_banque", "heures_fonds", "valeur", "taux"]


def statement_views(ctx: Context, findings: list[Finding]) -> Iterator[tuple[str, StatementView]]:
    """(matricule, the view of that member's statement), one member at a time, in the
    order of the members' names."""
    forms = ctx.forms
    year = bank_year(ctx)
    selected = np.flatnonzero(_statement_mask(forms, year).to_numpy(dtype=bool))
    if not len(selected):
        return
    # The statements' rows sorted once: member, date, file, row (a stable sort, as the
    # rows were read).
    keys = forms.iloc[selected, [forms.columns.get_loc(c) for c in ("matricule", "date_activite", "_file", "_row")]]
    keys = keys.set_axis(selected).sort_values(["matricule", "date_activite", "_file", "_row"],
                                                na_position="last", kind="mergesort")
    order = keys.index.to_numpy()
    mats = keys["matricule"].to_numpy(dtype=object)
    del keys
    cuts = np.flatnonzero(mats[1:] != mats[:-1]) + 1
    starts, stops = np.r_[0, cuts], np.r_[cuts, len(mats)]
    # Each member's name (the register's, else the first one written on their rows), so
    # that the statements come in the order of the names.
    nom = forms["nom"].to_numpy(dtype=object)
    members = []
    for s, e in zip(starts.tolist(), stops.tolist()):
        mat = mats[s]
        name = ctx.names.get(mat) or next((n for n in nom[order[s:e]] if n), None) or "—"
        members.append((fold(name), mat, name, s, e))
    members.sort(key=lambda m: (m[0], m[1]))
    del mats, nom

    led = ctx.ledger
    led_pos = (np.arange(len(forms)) if led.index.equals(forms.index) else led.index.get_indexer(forms.index))
    counted = _counted(ctx, year)
    states = ctx.decisions.reindex(forms.index).to_numpy(dtype=object)
    by_form: dict[Any, list[Finding]] = {}
    for f in findings:
        if f.form_id is not None:
            by_form.setdefault(f.form_id, []).append(f)
    as_of = _ts(ctx.as_of)
    later_note = f"décision datée après le {fmt.date(ctx.as_of)} : pas encore comptée"
    other_year_note = "hors de l'année de la banque : pas comptée"
    # What every statement of the run shows alike.
    syndicat, date, date_iso = ctx.params.nom_syndicat, fmt.date(ctx.as_of), ctx.as_of.isoformat()
    annee = year.label if year else (f"aucune année de la banque ne contient le {fmt.date(ctx.as_of)} : "
                                     "toutes vos lignes sont présentées")
    text = {
        "date": _Texts(lambda v: "date illisible" if v is None else fmt.date(v)),
        "hours": _Texts(lambda v: "—" if v is None else fmt.hours(v)),
        "charged": _Texts(lambda v: "—" if v is None else _hours(v)),
        "decided": _Texts(lambda v: "" if v is None else f" le {fmt.date(v)}"),
        "deposit": _Texts(lambda v: "—" if v is None else fmt.date(v)),
    }
    total_hours = fmt.memo(fmt.hours)
    money = fmt.memo(fmt.money)
    form_cols = [forms.columns.get_loc(c) for c in _FORM_COLS]

    new = tuple.__new__   # Line(...), Remark(...), StatementView(...) from their fields' tuple, at C speed
    pending_states = (NON_DECIDEE, EN_DEPOT)
    batch: list[tuple] = []
    size = 0
    for i, member in enumerate(members):
        batch.append(member)
        size += member[4] - member[3]
        if size < BATCH_ROWS and i + 1 < len(members):
            continue
        pos = np.concatenate([order[s:e] for _, _, _, s, e in batch])
        b = forms.iloc[pos, form_cols]
        for c in _LEDGER_COLS:
            b[c] = led[c].to_numpy()[led_pos[pos]]
        adopted = pd.Series(states[pos] == ADOPTEE, index=b.index)
        dd = b["date_decision"]
        # One iterator over the batch's rows, members one after the other (each takes
        # its own number of rows): no copy of the columns per member.
        rows = zip(
            text["date"](b["date_activite"]),
            _canonical_categories(ctx, b["categorie"]).tolist(),
            b["description"].tolist(),
            text["hours"](b["heures_demandees"]),
            text["hours"](b["heures_octroyees"].where(adopted)),
            text["charged"](b["heures_banque"].where(adopted)),
            text["charged"](b["heures_fonds"].where(adopted)),
            text["decided"](dd),
            text["deposit"](b["date_depot"]),
            b["_file"].tolist(),
            b["_row"].tolist(),
            b.index.tolist(),
            states[pos].tolist(),
            counted[pos].tolist(),
            (dd.notna() & (dd > as_of)).to_numpy().tolist(),
            b["heures_demandees"].tolist(),
            b["heures_octroyees"].tolist(),
            b["heures_banque"].tolist(),
            b["heures_fonds"].tolist(),
            b["valeur"].tolist(),
            b["taux"].tolist(),
        )
        del b, adopted, dd
        for _, matricule, name, s, e in batch:
            items = []
            asked_total = granted = bank = funds = value = 0.0
            rates: set[float] = set()
            pending = remarks = 0
            for (t_date, cat, desc, t_asked, t_granted, t_bank, t_funds, t_decided, t_deposit, file, row, fid,
                 st, counts, late, asked, hours, bank_h, funds_h, val, rate) in islice(rows, e - s):
                if st == ADOPTEE and not counts:
                    note = later_note if late else other_year_note
                else:
                    note = None
                    if st in pending_states:
                        pending += 1
                if asked == asked:
                    asked_total += float(asked)
                if counts:
                    granted += float(hours)
                    bank += float(bank_h)
                    funds += float(funds_h)
                    value += 0.0 if val != val else float(val)
                if rate == rate:
                    rates.add(float(rate))
                mine = by_form.get(fid)
                if mine:
                    shown = [new(Remark, (f.severity, SEVERITY_LABELS[f.severity],
                                          f"art. {f.article}" if f.article else "", f.message, f.column or ""))
                             for f in sort_findings(mine)]
                    remarks += len(shown)
                else:
                    shown = []
                items.append(new(Line, (
                    t_date, cat, desc or "", t_asked, t_granted,
                    _STATE[st] + (t_decided if st != NON_DECIDEE else ""), st, note,
                    t_deposit, t_bank, t_funds, f"{file}, ligne {int(row)}", shown)))
            yield matricule, new(StatementView, (
                syndicat, matricule, name, date, date_iso, annee,
                " ; ".join(money(x) for x in sorted(rates)) if rates else "inconnu (absent du registre ?)",
                items, len(items),
                total_hours(asked_total), total_hours(granted), granted, total_hours(bank), total_hours(funds),
                money(value), pending, remarks))
        batch, size = [], 0


def build_statement_views(ctx: Context, findings: list[Finding]) -> dict[str, StatementView]:
    """Matricule → the view of that member's statement (all of them at once: for tests
    and callers that need them together; ``write_statements`` uses the generator)."""
    return dict(statement_views(ctx, findings))


class _Environment(Environment):
    """The reports' way of printing a value (``reports._CodeGenerator``): ``{{ value }}``
    compiles to ``environment.escape_output(value)``, markupsafe's escaping core without
    the Markup object ``escape`` wraps each printed text in (the same text: the output is
    a str anyway). A statement prints ~10 values per row."""
    code_generator_class = _ReportsCodeGenerator
    escape_output = staticmethod(_escape_output)


def environment() -> Environment:
    root = templates_dir()
    # The compiled code depends on the reports' code generator too: its module's bytes
    # are part of the cache's key.
    generator = hashlib.sha1(Path(sys.modules[_ReportsCodeGenerator.__module__].__file__).read_bytes()).hexdigest()
    env = _Environment(loader=FileSystemLoader([str(root / "releves"), str(root / "rapports")]),
                       bytecode_cache=bytecode_cache(f"releves\0{generator}", __file__),
                       autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)
    # The statement uses none of Jinja2's global functions (range, dict, cycler…): without
    # them, each render no longer copies them into its context.
    env.globals.clear()
    return env


def _css() -> str:
    root = templates_dir()
    return ((root / "rapports" / "rapport.css").read_text(encoding="utf-8") + "\n"
            + (root / "releves" / "releve.css").read_text(encoding="utf-8"))


# Where the CSS goes in the rendered text: the template is rendered with this mark, and
# the CSS (the same 13 KB in every statement) is put in its place already encoded, instead
# of being joined and encoded again for each member. No text of a statement can produce
# the mark before it: every text is escaped (no « < » left).
_CSS_MARK = "<syndic-batch-css/>"


@dataclass(frozen=True)
class StatementPage:
    """What every statement of a run shares: the compiled template, the CSS (text and
    UTF-8 bytes) and its CSP, and the identity that goes into each digest (tool version,
    Jinja2's version, the template's and the CSS's text)."""
    template: Template
    css: Markup
    css_bytes: bytes
    csp: str
    identity: bytes

    @classmethod
    def load(cls) -> "StatementPage":
        css = _css()
        h = hashlib.sha256(f"{__version__}\n{jinja2.__version__}\n".encode("utf-8"))
        folder = templates_dir() / FOLDER
        for path in sorted(folder.iterdir()):
            if path.is_file():
                h.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
        h.update(css.encode("utf-8"))
        return cls(environment().get_template("releve.html"), Markup(css), css.encode("utf-8"),
                   content_security_policy(css), h.digest())


def statement_digest(view: StatementView, page: StatementPage) -> str:
    """The digest of what a statement shows: its view (every text and figure, every
    finding), the tool's version and the template (``StatementPage.identity``)."""
    return hashlib.sha256(page.identity + repr(view).encode("utf-8")).hexdigest()


def render_statement(view: StatementView, page: StatementPage | None = None, digest: str | None = None) -> bytes:
    """The statement's HTML, encoded in UTF-8 (what its file holds)."""
    page = page or StatementPage.load()
    digest = digest if digest is not None else statement_digest(view, page)
    html = page.template.render(r=view, css=Markup(_CSS_MARK), csp=page.csp, empreinte=digest)
    head, mark, tail = html.partition(_CSS_MARK)
    if not mark:   # a template without the CSS block
        return html.encode("utf-8")
    return b"".join((head.encode("utf-8"), page.css_bytes, tail.encode("utf-8")))


def _previous_statement(path: str, digest: str) -> bytes | None:
    """The bytes of the previous run's statement when its digest is ``digest``; None when
    it is missing, a link, not a regular file, unreadable or of another digest."""
    try:
        fd = os.open(path, _READ)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return None
            head = fh.read(_HEAD_BYTES)
            found = _DIGEST.search(head)
            if found is None or found[1].decode("ascii") != digest:
                return None
            return head + fh.read()
    except OSError:
        return None


_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
_CREATE = (os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
           | getattr(os, "O_CLOEXEC", 0))


def _write(path: str, data: bytes) -> None:
    """Write ``data`` to the new file ``path``: three system calls (open, write, close).
    ``out_dir`` is the run's staging folder, which nobody reads before the run has
    finished and a killed run's is removed by the next one: no temporary name and rename
    per file (which were half the cost of writing 2 000 statements). A link in its place
    is not followed; a file left half written by an error is removed."""
    fd = os.open(path, _CREATE, 0o666)
    try:
        with memoryview(data) as left:
            while left:
                left = left[os.write(fd, left):]
    except BaseException:
        os.close(fd)
        try:
            os.unlink(path)
        except OSError:
            pass
        raise
    os.close(fd)


def write_statements(ctx: Context, findings: list[Finding], out_dir: str | Path,
                     previous: str | Path | None = None) -> list[Path]:
    """Write ``out_dir/<matricule>.html`` for every member; return the paths. With
    ``previous`` (the previous run's statements folder), a statement whose digest did not
    change is copied from there instead of being rendered again. ``out_dir`` is a folder
    that nobody reads until the run has finished (the run's staging folder): each file is
    written in place."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = StatementPage.load()
    before, present = "", set()
    if previous is not None:
        previous = Path(previous)
        if not previous.is_symlink() and previous.is_dir():
            # The previous statements, listed once (regular files only: a link is not read):
            # a new member's statement is not looked for there.
            before = os.path.join(previous, "")
            with os.scandir(previous) as entries:
                present = {e.name for e in entries if e.is_file(follow_symlinks=False)}
    into = os.path.join(out_dir, "")
    names = []
    for matricule, view in statement_views(ctx, findings):
        name = safe_name(matricule)
        digest = statement_digest(view, page)
        data = _previous_statement(before + name, digest) if name in present else None
        if data is None:
            data = render_statement(view, page, digest)
        _write(into + name, data)
        names.append(name)
    return [out_dir / name for name in names]

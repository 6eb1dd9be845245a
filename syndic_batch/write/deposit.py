"""OUT/depot-employeur.xlsx: the adopted releases for the employer (art. 5.4).

Two sheets, written row by row as SpreadsheetML (``xlsx_write``, memory bounded by a
block of rows):

« À déposer »      the adopted rows decided on or before the run's date (or with no
                   decision date) that carry no *Date du dépôt à l'Employeur*: what
                   the treasurer sends now. Sorted by member then date; a total per
                   member and an overall total.
« Déjà déposées »  the adopted rows that carry a deposit date, grouped by deposit
                   date (oldest first) with a subtotal per deposit and an overall total.

Adopted rows decided after the run's date and not deposited are in neither sheet
(the title block says how many). Each sheet opens with a title block (the union's
name, « Dépôt de libérations syndicales », the period of the activities, the run's
date, the CE decisions it covers, the employer's surcharge) and prints on letter
paper, landscape, one page wide, the header row repeated, « Page n de N » at the
foot. Each line: member, date, category, hours granted, rate, amount (hours ×
rate, to the cent), the hours charged to the bank and to the union funds and the
funds' dollars (with the surcharge, ``ledger.montant_fonds``), the decision date,
the source file (and sheet) and row. Totals are values computed here, not
formulas. Text typed by members is always written as a string (never a formula,
never a link). This writer decides nothing: the figures are the ledger's.

Incremental runs (issue 8): a digest of everything the workbook shows (every line's
values in order, the title block, the union's name, the run's date, the surcharge,
the code) is stored in it (``xlsx_reuse``); when the previous run's file carries the
same digest and is intact it is copied instead of written. A new ``--date``, a new
deposit date, an edited adopted row change the digest and the workbook is rewritten.

Memory and speed: the adopted rows are positions into the forms and the ledger, sorted
once; the values are converted to Python values a block of rows at a time and written
cell by cell with the formats computed once (no list of every display row, no pandas
access per cell), each row's XML built from the cells' values (a text or a date escaped
or converted once per distinct value).
"""
from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from .. import formatting as fmt
from ..context import Context
from . import xlsx_write
from .atomic import atomic_write
from .xlsx_reuse import PROPERTY, Digest, reuse_previous
from .xlsx_write import PageSetup, Properties, Workbook, col_name, excel_serial, number, string, text_content

SHEET_TODO = "À déposer"
SHEET_DONE = "Déjà déposées"
TITLE = "Dépôt de libérations syndicales"
MONEY_FORMAT = '#,##0.00 "$"'
HOURS_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
# (key, header, width, kind) — kind: text, date, hours, money, int
COLUMNS = (
    ("matricule", "Matricule", 10, "text"),
    ("nom", "Nom", 24, "text"),
    ("date", "Date de l'activité", 11, "date"),
    ("categorie", "Catégorie", 34, "text"),
    ("heures", "Heures accordées", 9, "hours"),
    ("taux", "Taux horaire ($)", 9, "money"),
    ("montant", "Montant ($)", 11, "money"),
    ("heures_banque", "Heures imputées à la banque", 10, "hours"),
    ("heures_fonds", "Heures imputées aux fonds syndicaux", 10, "hours"),
    ("montant_fonds", "Fonds syndicaux ($)", 11, "money"),
    ("decision", "Décision du CE du", 11, "date"),
    ("source", "Fichier source", 30, "text"),
    ("ligne", "Ligne", 6, "int"),
    ("remarque", "Remarque", 34, "text"),
)
DONE_COLUMNS = COLUMNS[:-1] + (("depot", "Déposée le", 11, "date"),) + COLUMNS[-1:]
NO_RATE = "Taux horaire inconnu : membre absent du registre ou sans contrat (art. 2.1)."
NO_YEAR = "Date hors de toute année de la banque (art. 3.1) : imputée à rien."
SUMMED = ("heures", "montant", "heures_banque", "heures_fonds", "montant_fonds")
MIN_COUNT = {"montant": 1, "montant_fonds": 1}   # a money total of no known amount stays empty
BLOCK = 4096          # rows converted to Python values at a time
DIGEST_BLOCK = 65536  # rows hashed at a time
# The deposit's columns read from the forms and from the ledger (display key → column).
FORM_COLUMNS = {"matricule": "matricule", "nom": "nom", "date": "date_activite", "categorie": "categorie",
                "decision": "date_decision", "ligne": "_row", "depot": "date_depot"}
LEDGER_COLUMNS = {"heures": "heures_octroyees", "taux": "taux", "montant": "valeur",
                  "heures_banque": "heures_banque", "heures_fonds": "heures_fonds",
                  "montant_fonds": "montant_fonds"}
TODO, DONE, LATER = 0, 1, 2   # a-deposer, deposee, apres-la-date (decided after the run's date)


def _member_key(matricule: object) -> str:
    """Sort key: numeric matricules in numeric order (``999`` before ``1001``)."""
    return re.sub(r"\d+", lambda d: d[0].zfill(12), str(matricule))


def _datetimes(s: pd.Series) -> pd.Series:
    return s if pd.api.types.is_datetime64_dtype(s.dtype) else pd.to_datetime(s, errors="coerce")


class Adopted:
    """Every adopted row, as positions into the forms and the ledger, sorted by member
    (numeric matricules in numeric order), date, file and row; with its state
    (``TODO``, ``DONE``, ``LATER``) and the text of its source (file, and sheet when
    the file's adopted rows come from several sheets). Values are read a block of rows
    at a time (``block``): the inbox's rows are never copied whole."""

    def __init__(self, ctx: Context):
        led, forms = ctx.ledger, ctx.forms
        lpos = np.flatnonzero(led["adoptee"].to_numpy(dtype=bool))
        fpos = lpos if forms.index.equals(led.index) else forms.index.get_indexer(led.index[lpos])
        self.names = ctx.names
        self.form = {k: forms[c] for k, c in FORM_COLUMNS.items()}
        for k in ("date", "decision", "depot"):
            self.form[k] = _datetimes(self.form[k])
        self.ledger = {k: led[c] for k, c in LEDGER_COLUMNS.items()}
        self.no_year = led["annee_banque"]
        n = len(lpos)
        member = self.form["matricule"].take(fpos).fillna("")
        member_code, members = pd.factorize(member)
        _keys, member_rank = np.unique(np.array([_member_key(m) for m in members], dtype=object),
                                       return_inverse=True)
        day = self.form["date"].to_numpy().take(fpos).view("i8").copy()
        day[day == np.iinfo(np.int64).min] = np.iinfo(np.int64).max        # no date: last
        files = forms["_file"].take(fpos)
        file_code, file_names = pd.factorize(files, sort=True)
        file_code = np.where(file_code < 0, len(file_names), file_code)       # no file: last
        row = self.form["ligne"].to_numpy().take(fpos)
        order = np.lexsort((row, file_code, day, member_rank.reshape(-1)[member_code])) if n else np.arange(0)
        self.fpos, self.lpos = fpos.take(order), lpos.take(order)
        self.member_code = member_code.take(order)
        self.source_code, self.source_text = _sources(files.take(order), forms["_sheet"].take(fpos).take(order),
                                                      file_code.take(order))
        depot = self.form["depot"].to_numpy().take(self.fpos)
        decision = self.form["decision"].to_numpy().take(self.fpos)
        as_of = np.datetime64(pd.Timestamp(ctx.as_of))
        self.state = np.full(n, TODO, dtype=np.int8)
        self.state[~np.isnat(decision) & (decision > as_of)] = LATER
        self.state[~np.isnat(depot)] = DONE
        # the columns as arrays (views, no copy), for ``block``
        self._form_arrays = {k: s.to_numpy() for k, s in self.form.items()}
        self._ledger_arrays = {k: s.to_numpy() for k, s in self.ledger.items()}
        self._no_year = self.no_year.to_numpy()
        self._short_blocks: list[tuple[np.ndarray, dict]] = []

    def which(self, state: int) -> np.ndarray:
        """Indexes (into the sorted rows) of the rows in ``state``, in the sorted order."""
        return np.flatnonzero(self.state == state)

    def dates(self, key: str, idx: np.ndarray) -> np.ndarray:
        return self.form[key].to_numpy().take(self.fpos.take(idx))

    def numbers(self, key: str, idx: np.ndarray) -> np.ndarray:
        return self.ledger[key].to_numpy(dtype=float).take(self.lpos.take(idx))

    def block(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        """The shown values of the sorted rows ``idx``: text as str or None, numbers as
        floats (NaN when unknown), dates as datetime64. A sheet of one block is read once
        for its digest and its rows (the short blocks are kept; nobody changes them)."""
        for kept, out in self._short_blocks:
            if len(kept) == len(idx) and np.array_equal(kept, idx):
                return out
        out = self._block(idx)
        if len(idx) <= BLOCK and len(self._short_blocks) < 4:
            self._short_blocks.append((idx.copy(), out))
        return out

    def _block(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        fp, lp = self.fpos.take(idx), self.lpos.take(idx)
        f = {k: a.take(fp) for k, a in self._form_arrays.items()}
        names = self.names
        registered = [names.get(m) for m in f["matricule"].tolist()]     # Series.map(dict), without pandas
        nom = np.array([r if r else n for r, n in zip(registered, f["nom"].tolist())], dtype=object)
        out: dict[str, np.ndarray] = {
            "matricule": _texts(f["matricule"].astype(object, copy=False)),
            "nom": _texts(nom),
            "categorie": _texts(f["categorie"].astype(object, copy=False)),
            "source": self.source_text.take(self.source_code.take(idx)),
            "ligne": _floats(f["ligne"]),
        }
        for k in ("date", "decision", "depot"):
            out[k] = f[k]
        for k, a in self._ledger_arrays.items():
            out[k] = _floats(a.take(lp))
        remark = np.full(len(idx), None, dtype=object)
        remark[pd.isna(self._no_year.take(lp)) & ~np.isnat(out["date"])] = NO_YEAR
        remark[np.isnan(out["taux"])] = NO_RATE
        out["remarque"] = remark
        return out


def _floats(values: np.ndarray) -> np.ndarray:
    """As ``Series.to_numpy(dtype=float)``: a missing value (None, NA) as NaN."""
    if values.dtype.kind in "fiub":
        return values.astype(float, copy=False)
    return pd.Series(values, copy=False).to_numpy(dtype=float, na_value=np.nan)


def _texts(values: np.ndarray) -> np.ndarray:
    """Object array → str or None (what a cell shows; a missing value is no cell)."""
    missing = pd.isna(values)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        out = values.copy()                     # the usual case: text or missing
        out[missing] = None
        return out
    return np.array([None if m else (v if type(v) is str else str(v))
                     for v, m in zip(values.tolist(), missing.tolist())], dtype=object)


def _sources(files: pd.Series, sheets: pd.Series, file_code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, a code into the texts « file » (the file's adopted rows are on one sheet)
    or « file (sheet) »."""
    n = len(files)
    if not n:
        return np.zeros(0, dtype=np.intp), np.array([], dtype=object)
    sheet_code, _sheets = pd.factorize(sheets)
    pair = file_code.astype(np.int64) * (len(_sheets) + 1) + (sheet_code + 1)
    pairs, first, code = np.unique(pair, return_index=True, return_inverse=True)
    pair_file, pair_sheet = pairs // (len(_sheets) + 1), pairs % (len(_sheets) + 1) - 1
    per_file = pd.Series(pair_sheet[pair_sheet >= 0]).groupby(pair_file[pair_sheet >= 0]).nunique()
    file_values, sheet_values = files.to_numpy(dtype=object), sheets.to_numpy(dtype=object)
    texts = []
    for i, fc in zip(first.tolist(), pair_file.tolist()):
        file, sheet = file_values[i], sheet_values[i]
        no_file = file is None or (not isinstance(file, str) and pd.isna(file))
        texts.append(file if not no_file and per_file.get(fc, 0) == 1 else f"{file} ({sheet})")
    return code.reshape(-1), np.array(texts, dtype=object)


def _dates_text(dates: np.ndarray) -> str:
    uniq = np.unique(dates[~np.isnat(dates)].astype("datetime64[D]")).tolist()
    return ", ".join(fmt.date(x) for x in uniq)


def _period(dates: np.ndarray) -> str:
    d = dates[~np.isnat(dates)]
    if not len(d):
        return "aucune libération"
    return f"activités du {fmt.date(pd.Timestamp(d.min()))} au {fmt.date(pd.Timestamp(d.max()))}"


def _sum(values: np.ndarray, min_count: int = 0) -> float | None:
    """``Series.sum`` (NaN skipped; None when fewer than ``min_count`` values are known),
    the same floating-point sum: numpy's pairwise sum of the values, NaN as 0."""
    missing = np.isnan(values)
    if min_count and len(values) - int(missing.sum()) < min_count:
        return None
    return float(np.where(missing, 0.0, values).sum())


def _totals(numbers: dict[str, np.ndarray], a: int = 0, b: int | None = None) -> dict:
    return {k: _sum(numbers[k][a:b], MIN_COUNT.get(k, 0)) for k in SUMMED}


def _plural(n: int) -> str:
    return f"{n} libération" + ("s" if n > 1 else "")


def _runs(keys: np.ndarray) -> np.ndarray:
    """Start of each run of equal keys, and the end: ``[0, s1, s2, …, n]``."""
    n = len(keys)
    if not n:
        return np.array([0], dtype=np.intp)
    return np.concatenate(([0], np.flatnonzero(keys[1:] != keys[:-1]) + 1, [n]))


MEMO_MAX = 50_000      # distinct texts and dates of a column whose cell XML is kept


class _Sheet:
    """One worksheet of the deposit, written row by row (``xlsx_write``)."""

    def __init__(self, wb: Workbook, name: str, columns, formats: dict, union: str, title_rows: int,
                 last_row: int):
        self.columns = columns
        self.f = formats
        self.row = 0
        self.header_row = title_rows + 1        # the title block, one empty row, then the header
        self.letters = [col_name(i) for i in range(len(columns))]
        self.ws = wb.sheet(name, [width for _k, _h, width, _kind in columns], freeze_rows=self.header_row + 1,
                           dimension=(last_row, len(columns) - 1))
        self.page = PageSetup(landscape=True, footer="&L" + _escape_hf(f"{union} — {TITLE} — {name}")
                              + "&RPage &P de &N", repeat_row=self.header_row)

    def _put(self, cells: str, height: float | None = None) -> None:
        if cells:
            self.ws.write(xlsx_write.row(self.row + 1, cells, height))
        self.row += 1

    def title(self, lines: list[tuple[str, str | None]]) -> None:
        for j, (text, value) in enumerate(lines):
            fmt_ = self.f["title"] if j == 0 else (self.f["subtitle"] if j == 1 else self.f["meta"])
            cells = string(f"A{self.row + 1}", fmt_, text)
            if value is not None:
                cells += string(f"D{self.row + 1}", self.f["meta"], value)
            self._put(cells)
        self.row += 1

    def header(self) -> None:
        assert self.row == self.header_row
        r = self.row + 1
        self._put("".join(string(f"{self.letters[i]}{r}", self.f["header"], label)
                          for i, (_k, label, _w, _kind) in enumerate(self.columns)), 56)

    def line(self, values: dict, bold: bool = False) -> None:
        """A total line (few of them): ``values`` by key; a missing value is an empty cell."""
        r = self.row + 1
        cells = []
        for i, (key, _h, _w, kind) in enumerate(self.columns):
            ref = f"{self.letters[i]}{r}"
            v = values.get(key)
            if v is None or (isinstance(v, float) and np.isnan(v)):
                if bold:
                    cells.append(xlsx_write.blank(ref, self.f["bold"]))
                continue
            style = self.f[(kind, bold)]
            if kind == "text":
                cells.append(string(ref, style, str(v)))
            elif np.isfinite(float(v)):        # Excel has no infinities
                cells.append(number(ref, style, float(v)))
        self._put("".join(cells))

    def rows(self, adopted: Adopted, idx: np.ndarray, runs: np.ndarray, before=None, after=None) -> None:
        """The sorted rows ``idx`` in this order, one cell per shown value; ``runs``
        (``_runs``) cuts them into groups: ``before(start, the group's first values)``
        and ``after(start, end)`` are called around each group."""
        kinds = [kind for _k, _h, _w, kind in self.columns]
        styles = [self.f[(kind, False)] for kind in kinds]
        memos: list[dict] = [{} for _c in self.columns]     # value → the cell after ``<c r="X12``
        numbers = {c for c, kind in enumerate(kinds) if kind not in ("text", "date")}
        columns = range(len(kinds))
        letters = self.letters
        write = self.ws.write

        def cell(c: int, v) -> str:
            if kinds[c] == "date":
                out = f'" s="{styles[c]}"><v>{excel_serial(v):.16G}</v></c>'
            else:
                out = f'" s="{styles[c]}" t="inlineStr"><is>{text_content(v if type(v) is str else str(v))}</is></c>'
            if len(memos[c]) < MEMO_MAX:
                memos[c][v] = out
            return out

        keys = [k for k, _h, _w, _kind in self.columns]
        bounds = runs.tolist()
        g = 0                                   # the group the next row belongs to
        for b0 in range(0, len(idx), BLOCK):
            b1 = min(len(idx), b0 + BLOCK)
            lists = _python_values(adopted.block(idx[b0:b1]), keys)
            block: list[str] = []
            for k, values in enumerate(zip(*lists), start=b0):
                if k == bounds[g] and before is not None:
                    if block:
                        write("".join(block))
                        block = []
                    before(k, values)
                r = self.row + 1
                cells = []
                for c in columns:
                    v = values[c]
                    if v is None:
                        continue
                    if c in numbers:
                        cells.append(f'<c r="{letters[c]}{r}" s="{styles[c]}"><v>{v:.16G}</v></c>')
                    else:
                        cells.append(f'<c r="{letters[c]}{r}{memos[c].get(v) or cell(c, v)}')
                block.append(f'<row r="{r}">{"".join(cells)}</row>' if cells else "")
                self.row = r
                if k + 1 == bounds[g + 1]:
                    if after is not None:
                        write("".join(block))
                        block = []
                        after(bounds[g], bounds[g + 1])
                    g += 1
            write("".join(block))

    def note(self, text: str, style: str = "italic") -> None:
        self._put(string(f"A{self.row + 1}", self.f[style], text))

    def skip(self) -> None:
        self.row += 1

    def close(self) -> None:
        self.ws.close(page=self.page)


def _python_values(block: dict[str, np.ndarray], keys: list[str]) -> list[list]:
    """Per column, the cell values as Python objects; None where there is no cell
    (a missing text or date, an unknown or non-finite number: XlsxWriter refuses them)."""
    out = []
    for key in keys:
        a = block[key]
        if a.dtype == object:
            out.append(a.tolist())
        elif a.dtype.kind == "M":
            out.append(a.astype("datetime64[us]").tolist())        # datetime, NaT → None
        else:
            values = a.tolist()
            for i in np.flatnonzero(~np.isfinite(a)).tolist():
                values[i] = None
            out.append(values)
    return out


def _escape_hf(text: str) -> str:
    """Header/footer text: a literal ``&`` is written ``&&``."""
    return text.replace("&", "&&")


def _formats(wb: Workbook) -> dict:
    add = wb.styles.add
    base = {"font_size": 10, "valign": "top"}
    f = {
        "title": add(**{"bold": True, "font_size": 14, "font_color": "#1F4E79"}),
        "subtitle": add(**{"bold": True, "font_size": 12}),
        "meta": add(**{"font_size": 10}),
        "italic": add(**{"italic": True, "font_size": 10}),
        "bold": add(**{**base, "bold": True, "top": 1}),
        "header": add(**{**base, "bold": True, "text_wrap": True, "valign": "bottom",
                         "font_color": "#FFFFFF", "bg_color": "#1F4E79", "border": 1}),
        "group": add(**{**base, "bold": True, "font_color": "#1F4E79"}),
    }
    number_formats = {"text": None, "date": DATE_FORMAT, "hours": HOURS_FORMAT, "money": MONEY_FORMAT, "int": "0"}
    for kind, nf in number_formats.items():
        for bold in (False, True):
            spec = dict(base)
            if nf:
                spec["num_format"] = nf
            if bold:
                spec.update(bold=True, top=1)
            f[(kind, bold)] = add(**spec)
    return f


class _Layout:
    """What each sheet shows besides its lines: the rows in order, the groups, the title block."""

    def __init__(self, ctx: Context, adopted: Adopted):
        self.union = ctx.params.nom_syndicat
        run_date = fmt.date(ctx.as_of)
        surcharge = (f"Majoration de l'Employeur sur les heures imputées aux fonds syndicaux : "
                     f"{fmt.number(ctx.params.majoration_pct)} % (art. 3.2)")
        todo = adopted.which(TODO)
        later = len(adopted.which(LATER))
        # « À déposer »: by member (first appearance in the sorted order), a total per member
        member, _ = pd.factorize(adopted.member_code.take(todo))
        by_member = np.argsort(member, kind="stable")
        self.todo, self.todo_runs = todo.take(by_member), _runs(member.take(by_member))
        decisions_of = adopted.dates("decision", todo)
        decisions = _dates_text(decisions_of)
        undated = int(np.isnat(decisions_of).sum())
        if undated:
            decisions = f"{decisions}, {undated} sans date de décision" if decisions else \
                f"{undated} sans date de décision"
        self.todo_title = [
            (self.union, None), (f"{TITLE} — à déposer à l'Employeur (art. 5.4)", None),
            ("Période :", _period(adopted.dates("date", todo))),
            ("Date du traitement :", run_date),
            ("Décisions du CE couvertes :", decisions or "aucune"),
            (f"Adoptées par une décision datée après le {run_date} (hors de ce dépôt) :",
             _plural(later) if later else "aucune"),
            (surcharge, None)]
        self.todo_count = len(todo)
        # « Déjà déposées »: by deposit date (oldest first), a subtotal per deposit
        done = adopted.which(DONE)
        depot = adopted.dates("depot", done)
        by_day = np.argsort(depot, kind="stable")
        self.done, self.done_days = done.take(by_day), depot.take(by_day)
        self.done_runs = _runs(self.done_days)
        self.done_title = [
            (self.union, None), (f"{TITLE} — déjà déposées à l'Employeur", None),
            ("Période :", _period(adopted.dates("date", done))),
            ("Date du traitement :", run_date),
            ("Dépôts :", _dates_text(depot) or "aucun"),
            ("Libérations déjà déposées :", _plural(len(done)) if len(done) else "aucune"),
            (surcharge, None)]
        # the grand totals are summed in the sorted order (as the rows were before grouping)
        self.todo_total = _totals({k: adopted.numbers(k, todo) for k in SUMMED})
        self.done_total = _totals({k: adopted.numbers(k, self.done) for k in SUMMED})

    def digest(self, adopted: Adopted) -> str:
        d = Digest("depot-employeur", sys.modules[__name__], fmt, xlsx_write)
        d.text(self.union, self.todo_title, self.done_title)
        for name, idx, columns in ((SHEET_TODO, self.todo, COLUMNS), (SHEET_DONE, self.done, DONE_COLUMNS)):
            d.text(name, len(idx))
            for b0 in range(0, len(idx), DIGEST_BLOCK):
                block = adopted.block(idx[b0:b0 + DIGEST_BLOCK])
                for key, _h, _w, _kind in columns:
                    d.values(block[key])
        return d.hexdigest()


def write_deposit(ctx: Context, out_path: str | Path, previous: str | Path | None = None) -> Path:
    """Write the deposit workbook (atomically) and return its path. ``previous``: the
    previous run's deposit, copied instead when it shows exactly the same thing."""
    out_path = Path(out_path)
    adopted = Adopted(ctx)
    layout = _Layout(ctx, adopted)
    digest = layout.digest(adopted)
    if previous is not None and reuse_previous(Path(previous), digest, out_path):
        return out_path
    with atomic_write(out_path) as tmp:
        wb = Workbook(tmp, Properties(title=f"{layout.union} — {TITLE}", created=dt.datetime(2000, 1, 1),
                                      custom={PROPERTY: digest}))
        f = _formats(wb)
        todo = _Sheet(wb, SHEET_TODO, COLUMNS, f, layout.union, len(layout.todo_title),
                      _last_row(layout.todo_title, layout.todo, layout.todo_runs, 1))
        _write_todo(todo, adopted, layout)
        todo.close()
        done = _Sheet(wb, SHEET_DONE, DONE_COLUMNS, f, layout.union, len(layout.done_title),
                      _last_row(layout.done_title, layout.done, layout.done_runs, 2))
        _write_done(done, adopted, layout, f)
        done.close()
        wb.close()
    return out_path


def _last_row(title: list, idx: np.ndarray, runs: np.ndarray, per_group: int) -> int:
    """The sheet's last row (1-based): the title block, an empty row, the header, the
    note of an empty sheet or the rows with ``per_group`` lines per group, an empty
    row, the overall total."""
    groups = len(runs) - 1 if len(idx) else 0
    return len(title) + 2 + (len(idx) + per_group * groups if len(idx) else 1) + 2


def _write_todo(s: _Sheet, adopted: Adopted, layout: _Layout) -> None:
    s.title(layout.todo_title)
    s.header()
    if not len(layout.todo):
        s.note("Aucune libération adoptée à déposer : toutes ont déjà une date de dépôt à l'Employeur.")
    numbers = {k: adopted.numbers(k, layout.todo) for k in SUMMED}   # in the order shown
    first: list = []

    def before(_a: int, values: tuple) -> None:
        first[:] = values[:2]                   # the member's matricule and name, as shown

    def after(a: int, b: int) -> None:
        # the member's total line; its label (in the first column) runs over the empty name cell
        who = " — ".join(x for x in first if x is not None)
        s.line({"matricule": f"Total {who}".strip(), **_totals(numbers, a, b)}, bold=True)

    s.rows(adopted, layout.todo, layout.todo_runs, before, after)
    s.skip()
    s.line({"matricule": f"Total général — {_plural(layout.todo_count)}", **layout.todo_total}, bold=True)


def _write_done(s: _Sheet, adopted: Adopted, layout: _Layout, f: dict) -> None:
    s.title(layout.done_title)
    s.header()
    if not len(layout.done):
        s.note("Aucune libération n'a encore de date de dépôt à l'Employeur.")
    numbers = {k: adopted.numbers(k, layout.done) for k in SUMMED}
    days = layout.done_days

    def before(a: int, _values: tuple) -> None:
        s.note(f"Dépôt du {fmt.date(pd.Timestamp(days[a]))}", "group")

    def after(a: int, b: int) -> None:
        s.line({"matricule": f"Sous-total du dépôt du {fmt.date(pd.Timestamp(days[a]))} — {_plural(b - a)}",
                **_totals(numbers, a, b)}, bold=True)

    s.rows(adopted, layout.done, layout.done_runs, before, after)
    s.skip()
    s.line({"matricule": f"Total général — {_plural(len(layout.done))}", **layout.done_total}, bold=True)
